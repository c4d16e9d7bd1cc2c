"""ThoughtSpotUsersImportOperator / ThoughtSpotGroupsImportOperator: sync users and groups, safely.

``/users/import`` and ``/groups/import`` change nothing unless ``dry_run`` is sent as false, and
``delete_unspecified_*`` deletes everyone not listed. So ``dry_run`` has no default and is always sent, a
deleting sync is rehearsed first and stopped before any change when it would delete too many, and an
applied import is never re-sent after an answer that may have come after ThoughtSpot acted.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession import storage
from airflow_provider_tssession._compat import mask_secret
from airflow_provider_tssession.exceptions import ThoughtSpotError, ThoughtSpotTransientError
from airflow_provider_tssession.operators.base import ThoughtSpotBaseOperator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession._compat import Context
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

MAX_LISTED = 20
"""Names listed in a log line or error; the rest are counted."""


def names(entries: Any) -> list[str]:
    """Return the names of a result list of ``{"id", "name"}`` objects."""
    return [str(entry.get("name", entry.get("id"))) for entry in entries or []]


def listed(items: list[str]) -> str:
    """Return up to MAX_LISTED names, and how many more there are."""
    more = f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more


def read_rows(location: Any) -> Any:
    """Return the rows of a JSON file (one list) or a JSON Lines file (one object per line)."""
    text = storage.read_text(storage.resolve(location)).strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class _ImportOperator(ThoughtSpotBaseOperator):
    """The shared flow of the users and groups imports; subclasses name the route and its fields."""

    kind: ClassVar[str]  # "users" or "groups": the body's list and the result's key prefix
    route: ClassVar[str]
    identifier_field: ClassVar[str]
    delete_field: ClassVar[str]
    check_hint: ClassVar[str]

    def __init__(
        self,
        *,
        dry_run: bool,
        delete_unspecified: bool = False,
        max_deletions: int = 10,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.is_dry_run = dry_run  # not `dry_run`: BaseOperator has a dry_run() method
        self.delete_unspecified = delete_unspecified
        self.max_deletions = max_deletions

    def extra_body(self) -> dict[str, Any]:
        """Return body fields beyond the rows and flags (the users import's default password)."""
        return {}

    def execute(self, context: Context) -> dict[str, list[str]]:
        """Rehearse when deleting, check the deletions, import; return the names added/updated/deleted."""
        body = {
            self.kind: self._checked_rows(),
            **self.extra_body(),
            self.delete_field: self.delete_unspecified,
        }
        with self.hook() as hook:
            if self.delete_unspecified:
                rehearsal = self._send(hook, body, dry_run=True)
                self._check_deletions(rehearsal["deleted"], hook.settings.login)
                if self.is_dry_run:
                    return rehearsal
            return self._send(hook, body, dry_run=self.is_dry_run)

    def _checked_rows(self) -> list[dict[str, Any]]:
        if not isinstance(self.is_dry_run, bool):
            raise self.bad_argument(
                "dry_run", f"is {self.is_dry_run!r}", "pass True to rehearse or False to apply"
            )
        if (
            isinstance(self.max_deletions, bool)
            or not isinstance(self.max_deletions, int)
            or self.max_deletions < 0
        ):
            raise self.bad_argument("max_deletions", f"is {self.max_deletions!r}", "pass a whole number >= 0")
        rows = getattr(self, self.kind)  # the templated `users` or `groups`
        if isinstance(rows, str) or hasattr(rows, "protocol") or hasattr(rows, "__fspath__"):
            rows = read_rows(rows)
        if not isinstance(rows, list) or not rows:
            raise self.bad_argument(
                self.kind,
                "is not a non-empty list of rows",
                "pass a list of dicts, an XCom of one, or a JSON file",
            )
        for index, row in enumerate(rows):
            missing = [
                f
                for f in (self.identifier_field, "display_name")
                if not isinstance(row, dict) or not row.get(f)
            ]
            if missing:
                raise self.bad_argument(
                    self.kind,
                    f"row {index} lacks {', '.join(missing)}",
                    f"give every row {self.identifier_field} and display_name",
                )
            if isinstance(row.get("password"), str):
                mask_secret(row["password"])
        return rows

    def _send(self, hook: ThoughtSpotHook, body: dict[str, Any], *, dry_run: bool) -> dict[str, list[str]]:
        what = "Rehearsing (dry run)" if dry_run else "Applying"
        self.log.info(
            "%s the import of %d %s into %s", what, len(body[self.kind]), self.kind, hook.settings.host
        )
        try:
            # A dry run changes nothing, so it may be re-sent; an applied import may have landed: never.
            answer = hook.request(
                "POST", self.route, idempotent=dry_run, json={**body, "dry_run": dry_run}
            ).json()
        except ThoughtSpotTransientError as error:
            if dry_run or not error.server_may_have_acted:
                raise
            raise ThoughtSpotError(
                f"The {self.kind} import may have been received by ThoughtSpot before this failure "
                f"({error}); it was not re-sent, since repeating it could change {self.kind} twice. Check "
                f"{self.check_hint} before running the task again (a dry run shows what would still change)."
            ) from None
        result = {
            change: names(answer.get(f"{self.kind}_{change}")) for change in ("added", "updated", "deleted")
        }
        for change, changed in result.items():
            verb = "would be" if dry_run else "were"
            self.log.info(
                "%d %s %s %s%s", len(changed), self.kind, verb, change, f": {listed(changed)}" * bool(changed)
            )
        return result

    def _check_deletions(self, deleted: list[str], own_login: str) -> None:
        if self.kind == "users" and own_login in deleted:
            raise ThoughtSpotError(
                f"The users import would delete {own_login!r}, the user this connection logs in as; "
                f"nothing was changed. Fix: add {own_login!r} to the users (a sync list from HR rarely holds "
                "service accounts)."
            )
        if len(deleted) > self.max_deletions:
            raise ThoughtSpotError(
                f"The {self.kind} import would delete {len(deleted)} {self.kind} ({listed(deleted)}), more "
                f"than max_deletions={self.max_deletions}; nothing was changed. Fix: add the missing "
                f"{self.kind} to the list, or raise max_deletions if these deletions are intended."
            )


class ThoughtSpotUsersImportOperator(_ImportOperator):
    """Create and update ThoughtSpot users from a list; with ``delete_unspecified``, delete the others.

    Returns ``{"added", "updated", "deleted"}``: user names (on a dry run, what would change).

    :param users: Rows in ``/users/import``'s shape (``user_identifier``, ``display_name``, ``email``,
        ``group_identifiers``, ``password``...): a list, an upstream task's XCom, or the path/URI of a JSON
        (a list) or JSON Lines file.
    :param dry_run: Required. True rehearses (ThoughtSpot reports what it would do and changes nothing);
        False applies.
    :param delete_unspecified: Delete every user not listed (ThoughtSpot keeps tsadmin, guest, system, su).
        A dry run goes first, and the task fails before any change when it would delete more than
        ``max_deletions``.
    :param max_deletions: The most users a deleting sync may delete.
    :param default_password: Password for new users without one. Never templated, logged or returned.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session.
    """

    kind = "users"
    route = "/api/rest/2.0/users/import"
    identifier_field = "user_identifier"
    delete_field = "delete_unspecified_users"
    check_hint = "the users in ThoughtSpot (Admin > Users, or POST /api/rest/2.0/users/search)"
    # `users` may carry passwords: Airflow redacts the values of keys named like "password" when it stores
    # rendered fields, and execute() masks each one in logs. default_password is not templated at all.
    template_fields: Sequence[str] = (*ThoughtSpotBaseOperator.template_fields, "users")
    template_fields_renderers: ClassVar[dict[str, str]] = {"users": "json"}

    def __init__(self, *, users: Any, default_password: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.users = users
        self.default_password = default_password

    def extra_body(self) -> dict[str, Any]:
        """Add the default password, masked in every log from here on."""
        if not self.default_password:
            return {}
        mask_secret(self.default_password)
        return {"default_password": self.default_password}


class ThoughtSpotGroupsImportOperator(_ImportOperator):
    """Create and update ThoughtSpot groups from a list; with ``delete_unspecified``, delete the others.

    Returns ``{"added", "updated", "deleted"}``: group names (on a dry run, what would change).

    :param groups: Rows in ``/groups/import``'s shape (``group_identifier``, ``display_name``,
        ``description``, ``privileges``, ``sub_group_identifiers``, ``user_identifiers``...): a list, an
        upstream task's XCom, or the path/URI of a JSON or JSON Lines file.
    :param dry_run: Required. True rehearses; False applies.
    :param delete_unspecified: Delete every group not listed; a dry run goes first, and the task fails
        before any change when it would delete more than ``max_deletions``.
    :param max_deletions: The most groups a deleting sync may delete.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A ``ThoughtSpotLoginOperator``'s output, to reuse its session.
    """

    kind = "groups"
    route = "/api/rest/2.0/groups/import"
    identifier_field = "group_identifier"
    delete_field = "delete_unspecified_groups"
    check_hint = "the groups in ThoughtSpot (Admin > Groups, or POST /api/rest/2.0/groups/search)"
    template_fields: Sequence[str] = (*ThoughtSpotBaseOperator.template_fields, "groups")
    template_fields_renderers: ClassVar[dict[str, str]] = {"groups": "json"}

    def __init__(self, *, groups: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.groups = groups
