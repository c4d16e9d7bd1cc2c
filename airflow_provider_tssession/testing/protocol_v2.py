"""The stand-in's REST v2 session, bearer token, trusted authentication (v1) and org routes.

Plain functions from a Request to a Response, like ``protocol``, added to the same route registry.
A bearer token is a session (see ``state``) with a deadline fixed at minting; ``server`` resolves
``Authorization: Bearer`` to it, so every authenticated route accepts a token as well as the cookie.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import user_guid
from .registry import V1, V2, Route, add_routes, fail
from .v2body import json_object
from .wire import (
    CODE_AUTH_FAILED,
    CODE_BAD_REQUEST,
    CODE_INTERNAL,
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
    from collections.abc import Mapping

    from .state import FakeState

V2_LOGIN_PATH = f"{V2}/auth/session/login"
V2_LOGOUT_PATH = f"{V2}/auth/session/logout"
TOKEN_FULL_PATH = f"{V2}/auth/token/full"
TOKEN_REVOKE_PATH = f"{V2}/auth/token/revoke"
TOKEN_VALIDATE_PATH = f"{V2}/auth/token/validate"
TRUSTED_TOKEN_PATH = f"{V1}/session/auth/token"
TOKEN_LOGIN_PATH = f"{V1}/session/login/token"
ORGS_PATH = f"{V1}/session/orgs"

CODE_V2_UNAUTHORIZED = 10097
DEFAULT_TOKEN_SECONDS = 300


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header (lower-cased header names), if any."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _text(state: FakeState, body: dict[str, object], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise fail(state, 400, CODE_BAD_REQUEST, f"Invalid value for {name}: expected a string")
    return value


def _flag(state: FakeState, value: object) -> bool:
    """Read a JSON boolean, or its text (``thoughtspot-rest-api`` sends "true")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise fail(state, 400, CODE_BAD_REQUEST, "Invalid value for remember_me: expected true or false")


def _org(state: FakeState, identifier: object) -> int:
    org = 0 if identifier is None else state.trust.org_for(identifier)
    if org is None:
        raise fail(state, 400, CODE_BAD_REQUEST, "The specified org is not a valid or accessible org.")
    return org


def _refused(state: FakeState, outcome: str, user: str) -> HttpError:
    if outcome == "locked":
        return fail(state, 403, CODE_LOCKED, f"User account {user} is inactive or locked.")
    return fail(state, 401, CODE_V2_UNAUTHORIZED, "Authentication failed. Verify the username and password.")


# v2 session ------------------------------------------------------------------------------------------
def _v2_login(state: FakeState, request: Request) -> Response:
    body = json_object(state, request)
    username, password = _text(state, body, "username"), _text(state, body, "password")
    if not username or not password:
        raise fail(state, 400, CODE_BAD_REQUEST, "username and password are required")
    remember = _flag(state, body.get("remember_me", False))
    org = _org(state, body.get("org_identifier"))
    outcome, session_id = state.login(username, password, remember, org_id=org)
    if outcome != "ok":
        raise _refused(state, outcome, username)
    return logged_in(session_id)


def _v2_logout(state: FakeState, request: Request) -> Response:
    if not state.logout(request.session_id):
        raise fail(state, 401, CODE_V2_UNAUTHORIZED, "No active session found. User is not logged in.")
    return Response(204)


# bearer tokens ---------------------------------------------------------------------------------------
def _token_full(state: FakeState, request: Request) -> Response:
    body = json_object(state, request)
    username = _text(state, body, "username")
    secret, password = _text(state, body, "secret_key"), _text(state, body, "password")
    validity = body.get("validity_time_in_sec", DEFAULT_TOKEN_SECONDS)
    if isinstance(validity, bool) or not isinstance(validity, int) or validity < 1:
        raise fail(state, 400, CODE_BAD_REQUEST, "validity_time_in_sec must be a positive integer")
    org = _org(state, body.get("org_id"))
    if not username or not (secret or password):
        raise fail(state, 400, CODE_BAD_REQUEST, "Either secret_key or password must be provided.")
    if secret:  # the secret key takes precedence over a password, as documented
        if state.trust.secret_key is None:
            state.reject_login()
            raise fail(state, 403, CODE_LOCKED, "Trusted authentication is not enabled for this cluster.")
        if not state.trust.secret_matches(secret):
            state.reject_login()
            raise fail(state, 401, CODE_V2_UNAUTHORIZED, "Invalid credentials: the secret key is incorrect.")
    outcome, token = state.login(username, None if secret else password, False, org_id=org, lifetime=validity)
    if outcome != "ok":
        raise _refused(state, outcome, username)
    minted = state.trust.remember_minted(token, username, validity, org)
    return json_response(
        200,
        {
            "token": token,
            "creation_time_in_millis": minted.created_ms,
            "expiration_time_in_millis": minted.expires_ms,
            "scope": {"access_type": "FULL", "org_id": org, "metadata_id": None},
            "valid_for_user_id": user_guid(username),
            "valid_for_username": username,
        },
    )


def _token_revoke(state: FakeState, request: Request) -> Response:
    caller = state.describe(request.session_id)
    if caller is None:
        raise fail(state, 401, CODE_V2_UNAUTHORIZED, "Authentication required to revoke a token.")
    target = _text(state, json_object(state, request, optional=True), "token") or request.session_id or ""
    owner = state.describe(target)
    if owner is not None and owner.user != caller.user:
        raise fail(state, 403, CODE_LOCKED, "Insufficient privileges to revoke tokens for another user.")
    if not state.logout(target):
        raise fail(state, 400, CODE_BAD_REQUEST, "The provided token is invalid, expired or revoked.")
    return Response(204)


def _token_validate(state: FakeState, request: Request) -> Response:
    if state.authenticate(request.session_id) is None:
        raise fail(state, 401, CODE_V2_UNAUTHORIZED, "Authentication required to validate a token.")
    token = _text(state, json_object(state, request), "token")
    minted = state.trust.minted(token)
    if minted is None:
        raise fail(state, 400, CODE_BAD_REQUEST, "The provided token is malformed and cannot be parsed.")
    if state.describe(token) is None:
        raise fail(state, 400, CODE_BAD_REQUEST, "The provided token has expired.")
    return json_response(
        200,
        {
            "creation_time_in_millis": minted.created_ms,
            "expiration_time_in_millis": minted.expires_ms,
            "scope": {"access_type": "FULL", "org_id": minted.org_id, "metadata_id": None},
            "valid_for_user_id": user_guid(minted.user),
            "token_type": "BEARER",
        },
    )


# v1 trusted authentication and orgs ------------------------------------------------------------------
def _trusted_token(state: FakeState, request: Request) -> Response:
    accept = request.headers.get("accept", "")
    if "text/plain" not in accept and "*/*" not in accept:
        return flat_error(406, CODE_BAD_REQUEST, "This call answers text/plain: send Accept: text/plain")
    form = form_body(request)
    username = form.get("username", "")
    if form.get("access_level", "FULL") not in ("FULL", "REPORT_BOOK_VIEW"):
        return flat_error(400, CODE_BAD_REQUEST, "Invalid value for parameter access_level")
    org = state.trust.org_for(form.get("orgid", "0"))
    if org is None:
        return flat_error(400, CODE_BAD_REQUEST, f"Org {form.get('orgid')} does not exist")
    # A real cluster answers 500 for every trusted-auth failure: off, wrong secret key, unknown user.
    if not state.trust.secret_matches(form.get("secret_key", "")) or username not in state.user_names():
        state.reject_login()
        return flat_error(500, CODE_INTERNAL, "Trusted authentication failed")
    token = state.trust.issue_login_token(username, org)
    return Response(200, token.encode(), [("Content-Type", "text/plain")])


def _token_login(state: FakeState, request: Request) -> Response:
    form = form_body(request)
    username = form.get("username", "")
    org = state.trust.redeem_login_token(form.get("auth_token", ""), username)
    if org is None:
        state.reject_login()
        return flat_error(401, CODE_AUTH_FAILED, "Invalid, expired or already used login token")
    outcome, session_id = state.login(username, None, False, org_id=org)
    if outcome == "locked":
        return flat_error(403, CODE_LOCKED, f"Account locked for user {username}")
    if outcome != "ok":
        return flat_error(401, CODE_AUTH_FAILED, f"Authentication failed for user {username}")
    response = logged_in(session_id)
    if form.get("no_url_redirection", "").lower() != "true":  # browsers are sent on to the app
        response.status = 302
        response.headers.append(("Location", form.get("redirect_url") or "/"))
    return response


def _switch_org(state: FakeState, request: Request) -> Response:
    if request.session_id is None or state.describe(request.session_id) is None:
        return flat_error(401, CODE_AUTH_FAILED, "Not logged in or the session has expired")
    raw = form_body(request).get("orgid", "")
    org = state.trust.org_for(raw) if raw.strip().isdigit() else None
    if org is None:
        return flat_error(400, CODE_BAD_REQUEST, f"Org {raw[:40]!r} does not exist")
    state.switch_org(request.session_id, org)
    return Response(204)


add_routes(
    {
        V2_LOGIN_PATH: Route({"POST": _v2_login}, v2=True),
        V2_LOGOUT_PATH: Route({"POST": _v2_logout}, v2=True),
        TOKEN_FULL_PATH: Route({"POST": _token_full}, v2=True),
        TOKEN_REVOKE_PATH: Route({"POST": _token_revoke}, v2=True),
        TOKEN_VALIDATE_PATH: Route({"POST": _token_validate}, v2=True),
        TRUSTED_TOKEN_PATH: Route({"POST": _trusted_token}),
        TOKEN_LOGIN_PATH: Route({"POST": _token_login}),
        ORGS_PATH: Route({"PUT": _switch_org}),
    }
)
