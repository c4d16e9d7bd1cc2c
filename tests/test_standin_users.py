"""Users and groups on the stand-in: imports are dry runs unless told otherwise; search pages and filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from standin_v2 import V2Client, error_message

from airflow_provider_tssession.testing import V2_LOGIN_PATH, FakeThoughtSpot
from airflow_provider_tssession.testing.catalog import DEFAULT_GROUP_ID, user_guid
from airflow_provider_tssession.testing.paths import GROUPS_IMPORT_PATH, USERS_IMPORT_PATH, USERS_SEARCH_PATH

if TYPE_CHECKING:
    pass


def user_names(v2_client: V2Client) -> list[str]:
    return [user["name"] for user in v2_client.ok(USERS_SEARCH_PATH, {"record_size": -1})]


NEW_USERS = {
    "users": [
        {
            "user_identifier": "ann",
            "display_name": "Ann",
            "password": "Ann-Pass-123",
            "group_identifiers": ["Analysts"],
        },
        {"user_identifier": "analyst", "display_name": "The Analyst", "email": "a@example.com"},
    ],
    "delete_unspecified_users": True,
}


def test_users_import_is_a_dry_run_unless_dry_run_is_false(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    before = user_names(v2_client)
    planned = v2_client.ok(USERS_IMPORT_PATH, NEW_USERS)
    assert planned == {
        "users_added": [{"id": user_guid("ann"), "name": "ann"}],
        "users_updated": [{"id": user_guid("analyst"), "name": "analyst"}],
        "users_deleted": [],  # tsadmin is never deleted
    }
    assert user_names(v2_client) == before
    fake_thoughtspot.add_user("leaver", "Leaver-Pass-1")
    done = v2_client.ok(USERS_IMPORT_PATH, {**NEW_USERS, "dry_run": False})
    assert done["users_deleted"] == [{"id": user_guid("leaver"), "name": "leaver"}]
    assert user_names(v2_client) == ["analyst", "ann", "tsadmin"]
    login = requests.post(
        fake_thoughtspot.url + V2_LOGIN_PATH, json={"username": "ann", "password": "Ann-Pass-123"}, timeout=5
    )
    assert login.status_code == 204
    [ann] = v2_client.ok(USERS_SEARCH_PATH, {"user_identifier": "ann"})
    assert (
        ann["user_groups"] == [{"id": DEFAULT_GROUP_ID, "name": "Analysts"}] and ann["display_name"] == "Ann"
    )


def test_users_import_rejects_bad_input_naming_the_field(v2_client: V2Client) -> None:
    missing = v2_client.post(USERS_IMPORT_PATH, {"users": [{"user_identifier": "bob"}]})
    assert missing.status_code == 400 and "users[0].display_name" in error_message(missing)
    no_group = v2_client.post(
        USERS_IMPORT_PATH,
        {"users": [{"user_identifier": "bob", "display_name": "Bob", "group_identifiers": ["Nope"]}]},
    )
    assert no_group.status_code == 400 and "Nope" in error_message(no_group)


def test_groups_import_adds_updates_and_deletes_unlisted_groups(
    v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot
) -> None:
    body = {
        "groups": [
            {"group_identifier": "Finance", "display_name": "Finance", "user_identifiers": ["tsadmin"]},
            {"group_identifier": "Analysts", "display_name": "Data analysts"},
        ],
        "delete_unspecified_groups": True,
    }
    planned = v2_client.ok(GROUPS_IMPORT_PATH, body)
    assert [g["name"] for g in planned["groups_added"]] == ["Finance"]
    assert [g["name"] for g in planned["groups_updated"]] == ["Analysts"]
    assert planned["groups_deleted"] == []  # Administrator is never deleted
    assert fake_thoughtspot.catalog.get("Finance", "USER_GROUP") is None
    v2_client.ok(GROUPS_IMPORT_PATH, {**body, "dry_run": False})
    finance = fake_thoughtspot.catalog.get("Finance", "USER_GROUP")
    assert finance is not None and finance.properties["users"] == ["tsadmin"]


def test_users_search_filters_and_pages(v2_client: V2Client, fake_thoughtspot: FakeThoughtSpot) -> None:
    for index in range(12):
        fake_thoughtspot.add_user(f"user{index:02d}", "Some-Pass-123")
    first = v2_client.ok(USERS_SEARCH_PATH, {"name_pattern": "user%"})
    assert [u["name"] for u in first] == [f"user{i:02d}" for i in range(10)]
    rest = v2_client.ok(USERS_SEARCH_PATH, {"name_pattern": "user%", "record_offset": 10})
    assert [u["name"] for u in rest] == ["user10", "user11"]
    analysts = v2_client.ok(USERS_SEARCH_PATH, {"group_identifiers": [DEFAULT_GROUP_ID]})
    assert [u["name"] for u in analysts] == ["analyst"]
    newest = v2_client.ok(
        USERS_SEARCH_PATH, {"sort_options": {"field_name": "NAME", "order": "DESC"}, "record_size": 1}
    )
    assert [u["name"] for u in newest] == ["user11"]
