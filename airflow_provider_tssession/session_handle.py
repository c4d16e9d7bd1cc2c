"""Session handles: a login task's session, sealed for XCom so that only readers of the connection can use it.

The cookies (or bearer token) are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key is stretched
from the secret the connection logs in with (its password, or its secret key for trusted authentication
and tokens minted with it) by scrypt (memory-hard, 32 MiB) with a random salt per handle, then bound with
HKDF-SHA256 to the connection id, host and login and to Airflow's ``[core] fernet_key`` when one is set.
An XCom reader therefore cannot test password guesses cheaply offline: each guess costs one scrypt
(see ``bench/handle_guess.py``), and with a Fernet key configured no guess works without that key too.
Any worker that can read the connection (and shares the Fernet key) derives the same key. Changing the
secret, or the Fernet key, makes earlier handles unreadable.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import json
import os
import threading
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from airflow_provider_tssession.exceptions import ThoughtSpotSessionHandleError

if TYPE_CHECKING:
    from airflow_provider_tssession.settings import ThoughtSpotSettings

KIND = "thoughtspot_session"
VERSION = 2
"""Version 1 (before 0.2) keyed handles with HKDF alone: a cheap offline password oracle, now refused."""
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""32 MiB and tens of milliseconds per derivation: paid once per handle and process, and per guess."""
_SALT_BYTES = 16
_MAX_HANDLE = 64 * 1024
_CACHE_SIZE = 32
_cache: dict[bytes, bytes] = {}
_cache_lock = threading.Lock()


def seal_handle(state: dict[str, Any], settings: ThoughtSpotSettings) -> dict[str, Any]:
    """Return the XCom-safe handle for a session state exported by the client."""
    plaintext = json.dumps({"state": state, "base_url": settings.base_url, "login": settings.login})
    salt = os.urandom(_SALT_BYTES)
    pepper = airflow_fernet_key()
    sealed = _fernet(settings, salt, pepper).encrypt(plaintext.encode("utf-8")).decode("ascii")
    return {
        "kind": KIND,
        "version": VERSION,
        "conn_id": settings.conn_id,
        "host": settings.host,
        "salt": base64.urlsafe_b64encode(salt).decode("ascii"),
        "fernet_key": pepper is not None,
        "sealed": sealed,
    }


def open_handle(handle: object, settings: ThoughtSpotSettings) -> dict[str, Any]:
    """Return the session state inside a handle, or raise a clear error; never returns garbage cookies."""
    fields = _as_dict(handle)
    if fields.get("kind") != KIND or not isinstance(fields.get("sealed"), str):
        raise _invalid("it is not a session handle made by ThoughtSpotLoginOperator (or was truncated)")
    version = fields.get("version")
    if version != VERSION:
        made_by = "an earlier" if isinstance(version, int) and version < VERSION else "another"
        raise _invalid(
            f"it has format version {str(version)[:20]}, made by {made_by} release of "
            f"airflow-provider-thoughtspot; this one reads version {VERSION} only (version 1 handles let "
            "XCom readers test password guesses offline)"
        )
    if fields.get("conn_id") != settings.conn_id or fields.get("host") != settings.host:
        raise _invalid(
            f"it was made for connection {str(fields.get('conn_id'))[:80]!r} "
            f"at {str(fields.get('host'))[:80]!r}, "
            f"but this hook uses {settings.conn_id!r} at {settings.host!r}"
        )
    salt = _salt(fields.get("salt"))
    pepper = airflow_fernet_key()
    if fields.get("fernet_key") is not (pepper is not None):
        where = "was" if fields.get("fernet_key") else "was not"
        here = "is" if pepper is not None else "is not"
        raise _invalid(
            f"Airflow's [core] fernet_key {where} set where it was made and {here} set here: give every "
            "worker the same fernet_key"
        )
    try:
        payload = json.loads(_fernet(settings, salt, pepper).decrypt(fields["sealed"].encode("ascii")))
    except (InvalidToken, UnicodeError, ValueError):
        raise _invalid(
            "it cannot be decrypted: it was altered or truncated, or the connection's password changed "
            "(or its secret key, or Airflow's [core] fernet_key) since the login task ran"
        ) from None
    if payload.get("base_url") != settings.base_url or payload.get("login") != settings.login:
        raise _invalid("it belongs to another host or user than the connection now names")
    state = payload.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        raise _invalid("its contents are not a session")
    return state


def airflow_fernet_key() -> bytes | None:
    """Airflow's current ``[core] fernet_key`` (the first of a rotation list), or None when it is not set."""
    from airflow_provider_tssession._compat import conf  # imported here: reading config is for tasks only

    value = str(conf.get("core", "fernet_key", fallback="") or "").split(",")[0].strip()
    if not value or value.startswith("{"):  # "{FERNET_KEY}": an unexpanded template, i.e. not set
        return None
    return value.encode("utf-8")


def derive_key(secret: str, salt: bytes, pepper: bytes | None, binding: bytes) -> bytes:
    """Stretch the login secret with scrypt, then bind it to the connection (and pepper) with HKDF."""
    stretched = hashlib.scrypt(
        secret.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=pepper, info=binding).derive(stretched)


def _fernet(settings: ThoughtSpotSettings, salt: bytes, pepper: bytes | None) -> Fernet:
    fields = (settings.conn_id, settings.base_url, settings.login)
    binding = "\0".join(fields).encode("utf-8", "surrogatepass")
    secret = settings.login_secret
    # One scrypt per handle and process: a task that opens its handle in many hooks pays once.
    material = b"\0".join((salt, pepper or b"", binding, secret.encode("utf-8", "surrogatepass")))
    cache_key = hashlib.sha256(material).digest()
    with _cache_lock:
        key = _cache.get(cache_key)
    if key is None:
        key = derive_key(secret, salt, pepper, binding)
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[cache_key] = key
    return Fernet(base64.urlsafe_b64encode(key))


def _salt(value: object) -> bytes:
    try:
        salt = base64.urlsafe_b64decode(value.encode("ascii")) if isinstance(value, str) else b""
    except (binascii.Error, UnicodeError, ValueError):
        salt = b""
    if len(salt) != _SALT_BYTES:
        raise _invalid("its salt is missing or altered")
    return salt


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
