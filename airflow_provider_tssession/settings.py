"""Turn an Airflow Connection into validated settings: the one place that knows the connection's fields."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import ssl
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_tssession.connection_fields import DEFAULTS, EXTRA_FIELDS
from airflow_provider_tssession.exceptions import ThoughtSpotConfigError
from airflow_provider_tssession.routing import V1_PREFIX

if TYPE_CHECKING:
    from airflow_provider_tssession._compat import Connection

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PORT = re.compile(r"^[0-9]{1,5}\Z")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_FIELDS = {extra.name: extra for extra in EXTRA_FIELDS}

DEFAULT_DEADLINE = 120.0
"""Seconds one attempt may take in all, unless the extra `deadline` (or 4 x `timeout`) says more."""


@dataclass(frozen=True)
class ThoughtSpotSettings:
    """Validated connection settings; `password` and `secret_key` stay out of `repr()`."""

    conn_id: str
    base_url: str
    login: str
    password: str = field(repr=False)
    verify: bool | str = DEFAULTS["verify"]
    verify_explicit: bool = False
    timeout: float = DEFAULTS["timeout"]
    remember_me: bool = DEFAULTS["remember_me"]
    retry_limit: int = DEFAULTS["retry_limit"]
    retry_delay: float = DEFAULTS["retry_delay"]
    retry_max_wait: float = DEFAULTS["retry_max_wait"]
    account_lock_seconds: float = DEFAULTS["account_lock_seconds"]
    deadline: float = DEFAULT_DEADLINE
    api_version: str = DEFAULTS["api_version"]
    auth_type: str = DEFAULTS["auth_type"]
    secret_key: str | None = field(default=None, repr=False)
    org_identifier: str | None = None
    org_id: int | None = None
    token_validity: int = DEFAULTS["token_validity"]
    token_renew_before: float = DEFAULTS["token_renew_before"]
    ignored_extras: tuple[str, ...] = ()

    @property
    def uses_secret_key(self) -> bool:
        """True when the login proves identity with the secret key instead of the password."""
        return self.auth_type == "trusted" or (self.auth_type == "token" and self.secret_key is not None)

    @property
    def login_secret(self) -> str:
        """The secret the login sends (secret key or password): it keys lockout memory and session handles."""
        return self.secret_key if self.uses_secret_key and self.secret_key else self.password

    @property
    def credential_fields(self) -> str:
        """The connection fields to fix when ThoughtSpot rejects the login."""
        return "Login or extra secret_key" if self.uses_secret_key else "Login or Password"

    @property
    def host(self) -> str:
        """The host (and port) requests go to, for log lines and error messages."""
        return urlsplit(self.base_url).netloc

    @classmethod
    def from_connection(cls, conn: Connection) -> ThoughtSpotSettings:
        """Validate every field; each problem raises an error that names the field and the fix."""
        conn_id = conn.conn_id
        reader = _ExtraReader(conn_id, _extras(conn))
        verify = reader.verify()
        settings = cls(
            conn_id=conn_id,
            base_url=_base_url(conn),
            login=_login(conn_id, conn.login),
            password="",
            verify=verify,
            verify_explicit="verify" in reader.extras,
            timeout=reader.number("timeout", minimum=0.001, maximum=3600),
            remember_me=reader.boolean("remember_me"),
            retry_limit=int(reader.number("retry_limit", minimum=1, maximum=100, integer=True)),
            retry_delay=reader.number("retry_delay", minimum=0, maximum=600),
            retry_max_wait=reader.number("retry_max_wait", minimum=0, maximum=3600),
            account_lock_seconds=reader.number("account_lock_seconds", minimum=0, maximum=7 * 86400),
            deadline=reader.number("deadline", minimum=0.001, maximum=86400)
            if "deadline" in reader.extras
            else 0.0,
            api_version=reader.choice("api_version"),
            auth_type=reader.choice("auth_type"),
            secret_key=reader.text("secret_key"),
            org_identifier=reader.text("org_identifier"),
            org_id=reader.optional_integer("org_id", minimum=0),
            token_validity=(validity := int(reader.number("token_validity", minimum=1, integer=True))),
            token_renew_before=reader.number("token_renew_before", minimum=0)
            if "token_renew_before" in reader.extras
            else min(DEFAULTS["token_renew_before"], validity / 5),  # a default must fit a short validity
            ignored_extras=tuple(sorted(set(reader.extras) - set(DEFAULTS))),
        )
        _check_auth_combination(settings)
        deadline = settings.deadline or max(DEFAULT_DEADLINE, 4 * settings.timeout)
        return replace(settings, password=_password(settings, conn.password), deadline=deadline)


def shown(value: object, limit: int = 120) -> str:
    """`repr()` of a value for an error message, shortened; never raises (huge ints cannot be printed)."""
    try:
        text = repr(value)
    except ValueError:
        text = f"<a huge {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _required(conn_id: str, name: str, value: str | None, fix: str) -> str:
    if value is None or not str(value).strip():
        raise ThoughtSpotConfigError(conn_id, name, "is empty", fix)
    text = str(value)
    if _CONTROL.search(text):
        raise ThoughtSpotConfigError(
            conn_id, name, "contains a line break, NUL or other control character", fix
        )
    try:
        text.encode("utf-8")
    except UnicodeError:
        problem = "contains characters that are not valid Unicode"
        raise ThoughtSpotConfigError(conn_id, name, problem, fix) from None
    return text


def _password(settings: ThoughtSpotSettings, value: str | None) -> str:
    """Require the password unless the login uses the secret key; the fix names the right field."""
    if settings.uses_secret_key and (value is None or not str(value).strip()):
        return ""
    if settings.auth_type == "token":
        fix = "set Password to the user's password, or set extra.secret_key to mint tokens with it"
    else:
        fix = (
            "set Password to the user's password (accounts with MFA cannot use one: set extra.auth_type "
            'to "trusted" or "token" and extra.secret_key)'
        )
    return _required(settings.conn_id, "password", value, fix)  # as typed: whitespace can be part of it


def _login(conn_id: str, value: str | None) -> str:
    """Strip the whitespace a paste adds; refuse it inside, where no ThoughtSpot user name has any."""
    login = _required(conn_id, "login", value, "set Login to the ThoughtSpot username").strip()
    if any(ch.isspace() for ch in login):
        problem = f"{shown(login)} contains whitespace, which no ThoughtSpot user name has"
        raise ThoughtSpotConfigError(conn_id, "login", problem, "set Login to the ThoughtSpot username")
    return login


def _check_auth_combination(s: ThoughtSpotSettings) -> None:
    """Refuse extras that contradict each other, naming both fields."""
    conn_id = s.conn_id
    if s.auth_type == "trusted" and s.secret_key is None:
        raise ThoughtSpotConfigError(
            conn_id,
            "extra.secret_key",
            "is empty, but extra.auth_type is 'trusted', which logs in with the secret key",
            "set extra.secret_key to the cluster's trusted authentication secret key, or set "
            'extra.auth_type to "session"',
        )
    if s.auth_type == "trusted" and s.api_version == "v2":
        raise ThoughtSpotConfigError(
            conn_id,
            "extra.auth_type",
            "'trusted' is the REST v1 trusted authentication flow, but extra.api_version is 'v2'",
            'for REST v2 set extra.auth_type to "token" (bearer tokens minted with extra.secret_key), '
            'or set extra.api_version to "v1"',
        )
    if s.org_identifier is not None and s.org_id is not None:
        raise ThoughtSpotConfigError(
            conn_id, "extra.org_id", "and extra.org_identifier are both set", "set only one of them"
        )
    if s.org_identifier is not None and (s.api_version, s.auth_type) != ("v2", "session"):
        raise ThoughtSpotConfigError(
            conn_id,
            "extra.org_identifier",
            f"is read only by REST v2 session logins, but extra.api_version is {s.api_version!r} "
            f"and extra.auth_type is {s.auth_type!r}",
            "set extra.org_id to the org's number instead",
        )
    if s.auth_type == "token" and s.token_renew_before >= s.token_validity:
        raise ThoughtSpotConfigError(
            conn_id,
            "extra.token_renew_before",
            f"{s.token_renew_before:g} is not below extra.token_validity ({s.token_validity})",
            "set it below the token validity, e.g. 60 with a validity of 300 seconds",
        )


def _extras(conn: Connection) -> dict[str, Any]:
    raw: object = conn.extra
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return _without_empty(raw)
    try:
        parsed = json.loads(str(raw))
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise ThoughtSpotConfigError(
            conn.conn_id,
            "extra",
            "is not a JSON object",
            'write it as JSON, e.g. {"verify": true, "timeout": 30}',
        )
    return _without_empty(parsed)


def _without_empty(extras: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: a field left empty in the UI (null or "") means its default."""
    return {
        name: value
        for name, value in extras.items()
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


def _base_url(conn: Connection) -> str:
    conn_id = conn.conn_id
    host = _required(
        conn_id, "host", conn.host, "set Host to your cluster, e.g. my.thoughtspot.cloud"
    ).strip()
    fix = "set Host to a name such as my.thoughtspot.cloud or https://my.thoughtspot.cloud, nothing after it"
    if "@" in host:  # user:password@host: never quote what precedes the '@'
        shown_host = shown(re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", r"\1***@", host, flags=re.DOTALL))
        raise ThoughtSpotConfigError(
            conn_id,
            "host",
            f"{shown_host} has a user part (before '@')",
            "put the user name in Login and the password in Password, and only the cluster's name in Host",
        )
    schema = (conn.schema or "").strip().lower()
    try:
        parts = urlsplit(
            host if "://" in host else f"{schema if schema in ('http', 'https') else 'https'}://{host}"
        )
        hostname, url_port = parts.hostname or "", parts.port
    except ValueError:
        problem = f"{shown(host)} has an invalid port or form"
        raise ThoughtSpotConfigError(conn_id, "host", problem, fix) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ThoughtSpotConfigError(
            conn_id, "host", f"has scheme {shown(parts.scheme)}", "use https:// or http://"
        )
    if parts.path.rstrip("/") not in ("", V1_PREFIX) or parts.query or parts.fragment:
        raise ThoughtSpotConfigError(conn_id, "host", f"{shown(host)} has a path or query", fix)
    if not _valid_hostname(hostname):
        raise ThoughtSpotConfigError(conn_id, "host", f"{shown(host)} is not a valid host name", fix)
    if url_port == 0:
        raise ThoughtSpotConfigError(conn_id, "host", f"{shown(host)} has port 0", fix)
    port = _port(conn_id, conn.port)
    if port is not None and url_port is not None and port != url_port:
        raise ThoughtSpotConfigError(
            conn_id,
            "port",
            f"{port} disagrees with the port {url_port} in Host",
            "keep the port in one place",
        )
    port = port or url_port
    name = f"[{hostname}]" if ":" in hostname else hostname
    return f"{parts.scheme.lower()}://{name}" + (f":{port}" if port else "")


def _valid_hostname(name: str) -> bool:
    """Accept a DNS name (labels of 1-63 letters, digits, '-' or '_'; 253 at most) or an IPv6 address."""
    if ":" in name:
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return False
        return True
    return len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def _port(conn_id: str, value: object) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not _PORT.match(text) or not 0 < int(text) < 65536:
        raise ThoughtSpotConfigError(
            conn_id, "port", f"{shown(value, 40)} is not a port number", "use 1-65535 or leave empty"
        )
    return int(text)


@dataclass
class _ExtraReader:
    """Read extras that arrive as JSON types (UI) or as strings (CLI, URIs) alike."""

    conn_id: str
    extras: dict[str, Any]

    def _fail(self, name: str, value: object, expected: str) -> ThoughtSpotConfigError:
        text = "its value" if _FIELDS[name].secret else shown(value)
        return ThoughtSpotConfigError(
            self.conn_id, f"extra.{name}", f"{text} is not {expected}", f"set {expected}"
        )

    def boolean(self, name: str) -> bool:
        value = self.extras.get(name, DEFAULTS[name])
        parsed = _parse_bool(value)
        if parsed is None:
            raise self._fail(name, value, "true or false")
        return parsed

    def choice(self, name: str) -> str:
        value = self.extras.get(name, DEFAULTS[name])
        choices = _FIELDS[name].choices
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in choices:
            raise self._fail(name, value, "one of " + ", ".join(repr(choice) for choice in choices))
        return text

    def text(self, name: str) -> str | None:
        """Read an optional string; empty means unset, and a number is taken as its text (an org id)."""
        value = self.extras.get(name, DEFAULTS[name])
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or any(ch in value for ch in "\r\n\x00"):
            raise self._fail(name, value, "a single line of text")
        return value.strip()

    def optional_integer(self, name: str, *, minimum: int) -> int | None:
        value = self.extras.get(name, DEFAULTS[name])
        if value is None or value == "":
            return None
        return int(self.number(name, minimum=minimum, integer=True))

    def number(self, name: str, *, minimum: float, maximum: float = math.inf, integer: bool = False) -> float:
        value = self.extras.get(name, DEFAULTS[name])
        expected = f"{'a whole number' if integer else 'a number'} >= {minimum:g}"
        if math.isfinite(maximum):
            expected += f" and <= {maximum:g}"
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise self._fail(name, value, expected) from None
        if not (math.isfinite(number) and minimum <= number <= maximum) or (
            integer and not number.is_integer()
        ):
            raise self._fail(name, value, expected)
        return number

    def verify(self) -> bool | str:
        value = self.extras.get("verify", DEFAULTS["verify"])
        parsed = _parse_bool(value)
        if parsed is not None:
            return parsed
        path = value.strip() if isinstance(value, str) else ""
        if path and os.path.isdir(path):
            return path  # a directory of hashed certificates, as requests accepts
        if path and os.path.isfile(path):
            try:
                ssl.create_default_context(cafile=path)
            except (ssl.SSLError, OSError, ValueError):
                raise self._fail("verify", value, "the path of a readable PEM CA bundle") from None
            return path
        raise self._fail("verify", value, "true, false, or the path of an existing CA bundle file")


def _parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None
