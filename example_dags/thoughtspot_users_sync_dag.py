"""Keep ThoughtSpot's groups and users in step with an HR source: rehearse, check, then apply.

The rows come from an upstream task (here a fixed list; in practice an HR or identity system). The users
import runs first as a dry run, which deletes nothing and reports what would change; the applied run then
deletes users missing from the list, but fails before any change if that would be more than
``max_deletions`` (or would delete the connection's own user). Passwords stay out of the rows:
ThoughtSpot users usually sign in through SSO.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2.11
    from airflow.decorators import task  # type: ignore[attr-defined,no-redef]
    from airflow.models.dag import DAG  # type: ignore[no-redef]

from airflow_provider_tssession.operators.thoughtspot import (
    ThoughtSpotLoginOperator,
    ThoughtSpotLogoutOperator,
)
from airflow_provider_tssession.operators.users import (
    ThoughtSpotGroupsImportOperator,
    ThoughtSpotUsersImportOperator,
)


@task
def hr_users(service_account: str) -> list[dict[str, Any]]:
    """The people who should have a ThoughtSpot account, in /users/import's shape.

    The connection's own user is kept too: a sync that deletes unlisted users would delete it (the
    operator refuses to).
    """
    people = [
        {
            "user_identifier": name,
            "display_name": name.title(),
            "email": f"{name}@example.com",
            "group_identifiers": ["Analysts"],
        }
        for name in ("analyst", "maria", "kenji", "ola")
    ]
    return [*people, {"user_identifier": service_account, "display_name": "Airflow"}]


with DAG(
    "thoughtspot_users_sync",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["thoughtspot", "example"],
):
    login = ThoughtSpotLoginOperator(task_id="login")
    groups = ThoughtSpotGroupsImportOperator(
        task_id="groups",
        groups=[{"group_identifier": "Analysts", "display_name": "Analysts", "description": "From HR"}],
        dry_run=False,
        session_handle=login.output,
    )
    people = hr_users(service_account="{{ conn.thoughtspot_default.login }}")
    rehearse = ThoughtSpotUsersImportOperator(
        task_id="users_dry_run",
        users=people,
        dry_run=True,
        delete_unspecified=True,
        max_deletions=5,
        session_handle=login.output,
    )
    apply = ThoughtSpotUsersImportOperator(
        task_id="users_apply",
        users=people,
        dry_run=False,
        delete_unspecified=True,
        max_deletions=5,
        session_handle=login.output,
    )
    logout = ThoughtSpotLogoutOperator(task_id="logout", session_handle=login.output)

    login >> groups >> rehearse >> apply >> logout.as_teardown(setups=login)
