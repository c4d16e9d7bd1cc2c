"""The ThoughtSpot REST routes the stand-in speaks: the v1 session calls, a few v1 work calls, one v2 call.

Behaviour follows the documented protocol (see the package docstring); everything here is a plain function
from a Request to a Response so it can be read without thinking about sockets.
"""

from __future__ import annotations

import codecs
import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, parse_qsl

from .state import FakeState, SessionView
from .wire import (
    CODE_AUTH_FAILED,
    CODE_BAD_REQUEST,
    CODE_LOCKED,
    HttpError,
    Request,
    Response,
    flat_error,
    json_response,
    v2_error,
)

V1 = "/callosum/v1/tspublic/v1"
V2 = "/api/rest/2.0"
LOGIN_PATH = f"{V1}/session/login"
LOGOUT_PATH = f"{V1}/session/logout"
INFO_PATH = f"{V1}/session/info"
METADATA_LIST_PATH = f"{V1}/metadata/list"
USER_LIST_PATH = f"{V1}/user/list"
ASSIGN_TAG_PATH = f"{V1}/metadata/assigntag"
V2_USER_PATH = f"{V2}/auth/session/user"

FORM_TYPE = "application/x-www-form-urlencoded"
PRIVILEGES = ["AUTHORING", "USERDATAUPLOADING", "DATADOWNLOADING"]
_GUID_NAMESPACE = uuid.UUID("5b0c2f9e-7c1a-4a53-9d6e-3f1f8c0b7a21")

Handler = Callable[[FakeState, Request], Response]
ErrorBuilder = Callable[[int, int, str], Response]


@dataclass(frozen=True)
class _Route:
    methods: Mapping[str, Handler]
    v2: bool = False


def user_guid(name: str) -> str:
    """Give each user a stable GUID so repeated runs compare equal."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"user:{name}"))


def handle(state: FakeState, request: Request) -> Response:
    """Answer one protocol request: 404 unknown path, 405 wrong method, 400 without X-Requested-By (v1)."""
    route = _routes().get(request.path)
    error = v2_error if request.path.startswith(V2 + "/") else flat_error
    if route is None:
        return error(404, CODE_BAD_REQUEST, f"No resource found at {request.path}")
    handler = route.methods.get("GET" if request.method == "HEAD" else request.method)
    if handler is None:
        response = error(405, CODE_BAD_REQUEST, f"Method {request.method} is not allowed on {request.path}")
        response.headers.append(("Allow", ", ".join(sorted(route.methods))))
        return response
    if not route.v2 and "x-requested-by" not in request.headers:
        return flat_error(400, CODE_BAD_REQUEST, "Missing required header X-Requested-By")
    try:
        return handler(state, request)
    except HttpError as exc:
        return exc.response


# helpers ---------------------------------------------------------------------------------------------
def _form(request: Request) -> dict[str, str]:
    """Decode a form body; anything but form-urlencoded is 415, as on a real cluster."""
    content_type = request.headers.get("content-type", "")
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() != FORM_TYPE:
        raise HttpError(flat_error(415, CODE_BAD_REQUEST, f"Unsupported content type; expected {FORM_TYPE}"))
    charset = "utf-8"
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"')
    try:
        codecs.lookup(charset)
    except LookupError:
        raise HttpError(flat_error(415, CODE_BAD_REQUEST, f"Unsupported charset {charset}")) from None
    text = request.body.decode(charset, errors="replace")
    form: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, encoding=charset, errors="replace"):
        form.setdefault(key, value)
    return form


def _bad_request(message: str) -> HttpError:
    return HttpError(flat_error(400, CODE_BAD_REQUEST, message))


def _authenticate(state: FakeState, request: Request, error: ErrorBuilder = flat_error) -> SessionView:
    session = state.authenticate(request.session_id)
    if session is None:
        raise HttpError(error(401, CODE_AUTH_FAILED, "Not logged in or the session has expired"))
    return session


# v1 session ------------------------------------------------------------------------------------------
def _login(state: FakeState, request: Request) -> Response:
    form = _form(request)
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


def logged_in(session_id: str) -> Response:
    """Answer a successful session login: 204 and the session cookies."""
    return Response(
        204,
        headers=[
            ("Set-Cookie", f"JSESSIONID={session_id}; Path=/; HttpOnly"),
            ("Set-Cookie", f"clientId={uuid.uuid4()}; Path=/; Secure; HttpOnly"),
        ],
    )


def _logout(state: FakeState, request: Request) -> Response:
    if not state.logout(request.session_id):
        return flat_error(401, CODE_AUTH_FAILED, "Logout failed: no active session")
    return Response(204)


def _info(state: FakeState, request: Request) -> Response:
    session = _authenticate(state, request)
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
    _authenticate(state, request)
    object_type = parse_qs(request.query).get("type", ["QUESTION_ANSWER_BOOK"])[0]
    headers = [
        {
            "id": str(uuid.uuid5(_GUID_NAMESPACE, f"{object_type}:{index}")),
            "name": f"Sample {object_type.lower()} {index}",
            "type": object_type,
        }
        for index in range(1, 4)
    ]
    return json_response(200, {"headers": headers, "isLastBatch": True})


def _user_list(state: FakeState, request: Request) -> Response:
    _authenticate(state, request)
    names = state.user_names()
    users = [{"id": user_guid(name), "name": name, "displayName": name.title()} for name in names]
    return json_response(200, users)


def _assign_tag(state: FakeState, request: Request) -> Response:
    _authenticate(state, request)
    form = _form(request)
    if not form.get("id"):
        raise _bad_request("Missing required parameter id")
    if not (form.get("tag") or form.get("tagname") or form.get("tagid")):
        raise _bad_request("Missing required parameter tag (or tagname/tagid)")
    return Response(204)


# v2 --------------------------------------------------------------------------------------------------
def _v2_user(state: FakeState, request: Request) -> Response:
    session = _authenticate(state, request, v2_error)
    user = session.user
    org = {"id": session.org_id, "name": state.trust.orgs.get(session.org_id, "")}
    return json_response(
        200, {"id": user_guid(user), "name": user, "display_name": user.title(), "current_org": org}
    )


_ROUTES: dict[str, _Route] = {
    LOGIN_PATH: _Route({"POST": _login}),
    LOGOUT_PATH: _Route({"POST": _logout}),
    INFO_PATH: _Route({"GET": _info}),
    METADATA_LIST_PATH: _Route({"GET": _metadata_list}),
    USER_LIST_PATH: _Route({"GET": _user_list}),
    ASSIGN_TAG_PATH: _Route({"POST": _assign_tag}),
    V2_USER_PATH: _Route({"GET": _v2_user}, v2=True),
}


@functools.cache
def _routes() -> dict[str, _Route]:
    """Every route: this module's, and the v2 session, token, trusted-auth and org routes."""
    from .protocol_v2 import ROUTES  # imported late: protocol_v2 builds on the helpers above

    return {**_ROUTES, **ROUTES}
