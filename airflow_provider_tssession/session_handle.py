"""Session handles: a login task's session, sealed for XCom so that only readers of the connection can use it.

The cookies (or bearer token) are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived
with HKDF-SHA256 from the secret the connection logs in with (its password, or its secret key for trusted
authentication and tokens minted with it) and bound to its id, host and login. A reader of XCom sees the
connection id, the host and the login time, never a usable cookie or token; any worker that can read the
connection derives the same key. Changing that secret makes earlier handles unreadable.
"""

from __future__ import annotations

import ast
import base64
import json
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from airflow_provider_tssession.exceptions import ThoughtSpotSessionHandleError

if TYPE_CHECKING:
    from airflow_provider_tssession.settings import ThoughtSpotSettings

KIND = "thoughtspot_session"
VERSION = 1
_SALT = b"airflow-provider-thoughtspot/session-handle/v1"
_MAX_HANDLE = 64 * 1024


def seal_handle(state: dict[str, Any], settings: ThoughtSpotSettings) -> dict[str, Any]:
    """Return the XCom-safe handle for a session state exported by the client."""
    plaintext = json.dumps({"state": state, "base_url": settings.base_url, "login": settings.login})
    sealed = _fernet(settings).encrypt(plaintext.encode("utf-8")).decode("ascii")
    return {
        "kind": KIND,
        "version": VERSION,
        "conn_id": settings.conn_id,
        "host": settings.host,
        "sealed": sealed,
    }


def open_handle(handle: object, settings: ThoughtSpotSettings) -> dict[str, Any]:
    """Return the session state inside a handle, or raise a clear error; never returns garbage cookies."""
    fields = _as_dict(handle)
    if (
        fields.get("kind") != KIND
        or fields.get("version") != VERSION
        or not isinstance(fields.get("sealed"), str)
    ):
        raise _invalid("it is not a session handle made by ThoughtSpotLoginOperator (or was truncated)")
    if fields.get("conn_id") != settings.conn_id or fields.get("host") != settings.host:
        raise _invalid(
            f"it was made for connection {str(fields.get('conn_id'))[:80]!r} "
            f"at {str(fields.get('host'))[:80]!r}, "
            f"but this hook uses {settings.conn_id!r} at {settings.host!r}"
        )
    try:
        payload = json.loads(_fernet(settings).decrypt(fields["sealed"].encode("ascii")))
    except (InvalidToken, UnicodeError, ValueError):
        raise _invalid(
            "it cannot be decrypted: it was altered or truncated, or the connection's password changed "
            "(or its secret key) since the login task ran"
        ) from None
    if payload.get("base_url") != settings.base_url or payload.get("login") != settings.login:
        raise _invalid("it belongs to another host or user than the connection now names")
    state = payload.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        raise _invalid("its contents are not a session")
    return state


def _fernet(settings: ThoughtSpotSettings) -> Fernet:
    info = "\0".join((settings.conn_id, settings.base_url, settings.login)).encode("utf-8", "surrogatepass")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(
        settings.login_secret.encode("utf-8", "surrogatepass")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _as_dict(handle: object) -> dict[str, Any]:
    """Accept the handle as XCom gives it (a dict) or as a Jinja template renders it (JSON or a repr)."""
    if isinstance(handle, dict):
        return handle
    if isinstance(handle, str) and len(handle) <= _MAX_HANDLE:
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(handle)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, dict):
                return value
    raise _invalid(f"expected the dict returned by ThoughtSpotLoginOperator, got {type(handle).__name__}")


def _invalid(reason: str) -> ThoughtSpotSessionHandleError:
    return ThoughtSpotSessionHandleError(
        f"Unusable ThoughtSpot session handle: {reason}. Pass the login task's output unchanged "
        "(session_handle=login.output), or re-run the login task."
    )
