"""``/users/import``, ``/groups/import`` and ``/users/search`` over the catalog's USER and USER_GROUP objects.

Imports change nothing unless ``dry_run`` is false: it defaults to true (spec), so a call without it only
reports what it would do. Listed users/groups that exist are "updated", the others "added";
``delete_unspecified_users``/``_groups`` deletes every unlisted one except tsadmin, guest, system, su
(users, as documented) and Administrator, All (groups [I]). An imported user with a ``password`` (or the
``default_password``) can log in. Groups and users an import names must exist (or be in the same import),
else 400 naming them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import SYSTEM_GROUPS, SYSTEM_USERS, MetadataObject, name_matches, user_guid
from .paths import GROUPS_IMPORT_PATH, USERS_IMPORT_PATH, USERS_SEARCH_PATH
from .registry import Route, add_routes, authenticate, fail
from .v2body import Body
from .wire import CODE_BAD_REQUEST, json_response

if TYPE_CHECKING:
    from .state import FakeState
    from .wire import Request, Response

ACCOUNT_TYPES = ("LOCAL_USER", "LDAP_USER", "SAML_USER", "OIDC_USER", "REMOTE_USER")
ACCOUNT_STATUSES = ("ACTIVE", "INACTIVE", "EXPIRED", "LOCKED", "PENDING", "SUSPENDED")
VISIBILITIES = ("SHARABLE", "NON_SHARABLE")
GROUP_TYPES = ("LOCAL_GROUP", "LDAP_GROUP", "TEAM_GROUP", "TENANT_GROUP")


def _ref(obj: MetadataObject) -> dict[str, object]:
    return {"id": obj.guid, "name": obj.name}


def _names(state: FakeState, identifiers: list[str], type_: str, field: str, also: set[str]) -> list[str]:
    """Resolve group/user identifiers (GUID or name) to names; unknown ones are a 400 naming them."""
    names = []
    for identifier in identifiers:
        if identifier in also:
            names.append(identifier)
            continue
        obj = state.catalog.get(identifier, type_)
        if obj is None:
            raise fail(state, 400, CODE_BAD_REQUEST, f"Invalid value in {field}: no {type_} {identifier!r}")
        names.append(obj.name)
    return names


def _users_import(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    items = body.objects("users", required=True)
    default_password = body.text("default_password")
    dry_run = body.flag("dry_run", True)
    delete_others = body.flag("delete_unspecified_users", False)
    planned: list[tuple[MetadataObject, str]] = []
    for item in items:
        name = item.text("user_identifier", required=True)
        props: dict[str, object] = {
            "display_name": item.text("display_name", required=True),
            "email": item.text("email"),
            "account_type": item.choice("account_type", ACCOUNT_TYPES, "LOCAL_USER"),
            "account_status": item.choice("account_status", ACCOUNT_STATUSES, "ACTIVE"),
            "visibility": item.choice("visibility", VISIBILITIES, "SHARABLE"),
            "groups": _names(
                state, item.strings("group_identifiers"), "USER_GROUP", "group_identifiers", set()
            ),
            "notify_on_share": item.flag("notify_on_share", True),
        }
        existing = state.catalog.get(name, "USER")
        obj = (
            existing.replace(properties=props) if existing else MetadataObject("USER", name, properties=props)
        )
        planned.append((obj, item.text("password") or default_password))
    listed = {obj.name for obj, _ in planned}
    added = [obj for obj, _ in planned if state.catalog.get(obj.name, "USER") is None]
    updated = [obj for obj, _ in planned if obj not in added]
    deleted = [
        u
        for u in state.catalog.objects("USER")
        if delete_others and u.name not in listed and u.name not in SYSTEM_USERS
    ]
    if not dry_run:
        for obj, password in planned:
            state.catalog.add(obj)
            if password:
                state.add_user(obj.name, password)
        for obj in deleted:
            state.catalog.remove(obj.guid)
            state.remove_user(obj.name)
    return json_response(
        200,
        {
            "users_added": [_ref(o) for o in added],
            "users_updated": [_ref(o) for o in updated],
            "users_deleted": [_ref(o) for o in deleted],
        },
    )


def _groups_import(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    items = body.objects("groups")
    dry_run = body.flag("dry_run", True)
    delete_others = body.flag("delete_unspecified_groups", False)
    listed = {item.text("group_identifier", required=True) for item in items}
    planned: list[MetadataObject] = []
    for item in items:
        name = item.text("group_identifier", required=True)
        props: dict[str, object] = {
            "display_name": item.text("display_name", required=True),
            "description": item.text("description"),
            "type": item.choice("type", GROUP_TYPES, "LOCAL_GROUP"),
            "visibility": item.choice("visibility", VISIBILITIES, "SHARABLE"),
            "privileges": item.strings("privileges"),
            "users": _names(state, item.strings("user_identifiers"), "USER", "user_identifiers", set()),
            "sub_groups": _names(
                state, item.strings("sub_group_identifiers"), "USER_GROUP", "sub_group_identifiers", listed
            ),
        }
        existing = state.catalog.get(name, "USER_GROUP")
        planned.append(
            existing.replace(properties=props)
            if existing
            else MetadataObject("USER_GROUP", name, properties=props)
        )
    added = [g for g in planned if state.catalog.get(g.guid) is None]
    updated = [g for g in planned if g not in added]
    deleted = [
        g
        for g in state.catalog.objects("USER_GROUP")
        if delete_others and g.name not in listed and g.name not in SYSTEM_GROUPS
    ]
    if not dry_run:
        for group in planned:
            state.catalog.add(group)
        for group in deleted:
            state.catalog.remove(group.guid)
    return json_response(
        200,
        {
            "groups_added": [_ref(g) for g in added],
            "groups_updated": [_ref(g) for g in updated],
            "groups_deleted": [_ref(g) for g in deleted],
        },
    )


def _prop(obj: MetadataObject, key: str, default: str = "") -> str:
    value = obj.properties.get(key)
    return str(value) if value else default


def _groups_of(obj: MetadataObject) -> list[str]:
    value = obj.properties.get("groups")
    return [str(name) for name in value] if isinstance(value, list) else []


def user_record(state: FakeState, user: MetadataObject) -> dict[str, object]:
    """Write a USER object as the ``User`` schema (required fields and the common optional ones)."""
    props = user.properties
    groups = [state.catalog.get(name, "USER_GROUP") for name in _groups_of(user)]
    org = {"id": 0, "name": state.trust.orgs.get(0, "Primary")}
    return {
        "id": user.guid,
        "name": user.name,
        "display_name": _prop(user, "display_name", user.name),
        "visibility": _prop(user, "visibility", "SHARABLE"),
        "author_id": user_guid("tsadmin"),
        "can_change_password": True,
        "complete_detail": True,
        "creation_time_in_millis": float(user.created_ms),
        "current_org": org,
        "deleted": False,
        "deprecated": False,
        "account_type": _prop(user, "account_type", "LOCAL_USER"),
        "account_status": _prop(user, "account_status", "ACTIVE"),
        "email": _prop(user, "email") or None,
        "external": False,
        "hidden": False,
        "modification_time_in_millis": float(user.modified_ms),
        "notify_on_share": bool(props.get("notify_on_share", True)),
        "orgs": [org],
        "owner_id": user_guid("tsadmin"),
        "parent_type": "USER",
        "privileges": ["ADMINISTRATION"] if user.name == "tsadmin" else ["AUTHORING"],
        "super_user": user.name == "tsadmin",
        "system_user": user.name in SYSTEM_USERS - {"tsadmin"},
        "tags": [],
        "user_groups": [_ref(g) for g in groups if g is not None],
        "user_inherited_groups": [],
    }


def _users_search(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request)
    identifier, display_name = body.text("user_identifier"), body.text("display_name")
    pattern, email = body.text("name_pattern"), body.text("email")
    visibility = body.choice("visibility", VISIBILITIES, None)
    account_type = body.choice("account_type", ACCOUNT_TYPES, None)
    account_status = body.choice("account_status", ACCOUNT_STATUSES, None)
    groups = set(_names(state, body.strings("group_identifiers"), "USER_GROUP", "group_identifiers", set()))
    offset = body.integer("record_offset", 0)
    size = body.integer("record_size", 10, minimum=-1)
    sort = body.mapping("sort_options")
    field = sort.choice("field_name", ("NAME", "DISPLAY_NAME", "AUTHOR", "CREATED", "MODIFIED"), "NAME")
    descending = sort.choice("order", ("ASC", "DESC"), "ASC") == "DESC"
    body.flag("include_favorite_metadata", False)
    found = [
        u
        for u in state.catalog.objects("USER")
        if (not identifier or identifier in (u.guid, u.name))
        and (not display_name or display_name == _prop(u, "display_name", u.name))
        and (not pattern or name_matches(pattern, u.name))
        and (not email or email == _prop(u, "email"))
        and (visibility is None or visibility == _prop(u, "visibility", "SHARABLE"))
        and (account_type is None or account_type == _prop(u, "account_type", "LOCAL_USER"))
        and (account_status is None or account_status == _prop(u, "account_status", "ACTIVE"))
        and (not groups or groups & set(_groups_of(u)))
    ]

    def key(user: MetadataObject) -> tuple[object, str]:
        if field in ("CREATED", "MODIFIED"):
            return (user.created_ms if field == "CREATED" else user.modified_ms), user.name
        return (_prop(user, "display_name", user.name) if field == "DISPLAY_NAME" else user.name), user.name

    found.sort(key=key, reverse=descending)
    page = found[offset:] if size == -1 else found[offset : offset + size]
    return json_response(200, [user_record(state, user) for user in page])


add_routes(
    {
        USERS_IMPORT_PATH: Route({"POST": _users_import}, v2=True),
        GROUPS_IMPORT_PATH: Route({"POST": _groups_import}, v2=True),
        USERS_SEARCH_PATH: Route({"POST": _users_search}, v2=True),
    }
)
