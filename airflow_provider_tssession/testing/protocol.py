"""The v1 session calls, a few v1 work calls and v2 ``auth/session/user``, added to the route registry.

Behaviour follows the documented protocol (see the package docstring); everything here is a plain function
from a Request to a Response so it can be read without thinking about sockets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from .catalog import stable_guid, user_guid
from .registry import V1, V2, Route, add_routes, authenticate
from .wire import (
    CODE_AUTH_FAILED,
    CODE_BAD_REQUEST,
    CODE_LOCKED,
    HttpError,
    Request,
    Response,
    flat_error,
    form_body,
    json_response,
    logged_in,
)

if TYPE_CHECKING:
    from .state import FakeState

LOGIN_PATH = f"{V1}/session/login"
LOGOUT_PATH = f"{V1}/session/logout"
INFO_PATH = f"{V1}/session/info"
METADATA_LIST_PATH = f"{V1}/metadata/list"
USER_LIST_PATH = f"{V1}/user/list"
ASSIGN_TAG_PATH = f"{V1}/metadata/assigntag"
V2_USER_PATH = f"{V2}/auth/session/user"

PRIVILEGES = ["AUTHORING", "USERDATAUPLOADING", "DATADOWNLOADING"]


def _bad_request(message: str) -> HttpError:
    return HttpError(flat_error(400, CODE_BAD_REQUEST, message))


# v1 session ------------------------------------------------------------------------------------------
def _login(state: FakeState, request: Request) -> Response:
    form = form_body(request)
    remember_raw = form.get("rememberme", "false").lower()
    if remember_raw not in ("true", "false"):
        raise _bad_request("Invalid value for parameter rememberme; expected true or false")
    username = form.get("username", "")
    password = form.get("password", "")
    if not username or not password:
        raise _bad_request("Missing required parameter username or password")
    outcome, session_id = state.login(username, password, remember_raw == "true")
    if outcome == "locked":
        return flat_error(403, CODE_LOCKED, f"Account locked for user {username}: too many failed logins")
    if outcome == "bad":
        return flat_error(401, CODE_AUTH_FAILED, f"Authentication failed for user {username}")
    return logged_in(session_id)


def _logout(state: FakeState, request: Request) -> Response:
    if not state.logout(request.session_id):
        return flat_error(401, CODE_AUTH_FAILED, "Logout failed: no active session")
    return Response(204)


def _info(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request)
    return json_response(
        200,
        {
            "userName": session.user,
            "userGUID": user_guid(session.user),
            "userDisplayName": session.user.title(),
            "privileges": PRIVILEGES,
            "expirationTime": int(session.expires_at * 1000),
        },
    )


# v1 work calls ---------------------------------------------------------------------------------------
def _metadata_list(state: FakeState, request: Request) -> Response:
    authenticate(state, request)
    object_type = parse_qs(request.query).get("type", ["QUESTION_ANSWER_BOOK"])[0]
    headers = [
        {
            "id": stable_guid(object_type, str(index)),
            "name": f"Sample {object_type.lower()} {index}",
            "type": object_type,
        }
        for index in range(1, 4)
    ]
    return json_response(200, {"headers": headers, "isLastBatch": True})


def _user_list(state: FakeState, request: Request) -> Response:
    authenticate(state, request)
    names = state.user_names()
    users = [{"id": user_guid(name), "name": name, "displayName": name.title()} for name in names]
    return json_response(200, users)


def _assign_tag(state: FakeState, request: Request) -> Response:
    authenticate(state, request)
    form = form_body(request)
    if not form.get("id"):
        raise _bad_request("Missing required parameter id")
    if not (form.get("tag") or form.get("tagname") or form.get("tagid")):
        raise _bad_request("Missing required parameter tag (or tagname/tagid)")
    return Response(204)


# v2 --------------------------------------------------------------------------------------------------
def _v2_user(state: FakeState, request: Request) -> Response:
    session = authenticate(state, request, v2=True)
    user = session.user
    org = {"id": session.org_id, "name": state.trust.orgs.get(session.org_id, "")}
    return json_response(
        200, {"id": user_guid(user), "name": user, "display_name": user.title(), "current_org": org}
    )


add_routes(
    {
        LOGIN_PATH: Route({"POST": _login}),
        LOGOUT_PATH: Route({"POST": _logout}),
        INFO_PATH: Route({"GET": _info}),
        METADATA_LIST_PATH: Route({"GET": _metadata_list}),
        USER_LIST_PATH: Route({"GET": _user_list}),
        ASSIGN_TAG_PATH: Route({"POST": _assign_tag}),
        V2_USER_PATH: Route({"GET": _v2_user}, v2=True),
    }
)
