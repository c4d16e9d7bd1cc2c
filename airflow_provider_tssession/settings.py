"""Turn an Airflow Connection into validated settings: the one place that knows the connection's fields."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_tssession.connection_fields import DEFAULTS
from airflow_provider_tssession.exceptions import ThoughtSpotConfigError, ThoughtSpotRequestError

if TYPE_CHECKING:
    from airflow_provider_tssession._compat import Connection

V1_PREFIX = "/callosum/v1"
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PORT = re.compile(r"^[0-9]{1,5}\Z")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class ThoughtSpotSettings:
    """Validated connection settings; `password` stays out of `repr()`."""

    conn_id: str
    base_url: str
    login: str
    password: str = field(repr=False)
    verify: bool | str = True
    verify_explicit: bool = False
    timeout: float = 30.0
    remember_me: bool = False
    retry_limit: int = 3
    retry_delay: float = 1.0
    retry_max_wait: float = 60.0
    ignored_extras: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        """The host (and port) requests go to, for log lines and error messages."""
        return urlsplit(self.base_url).netloc

    def url_for(self, endpoint: str) -> str:
        """Map a documented resource path (or a full URL on this host) to the URL to call."""
        if "://" in endpoint:
            return self._same_origin(endpoint)
        path = "/" + endpoint.lstrip("/")
        if path.startswith("/tspublic/"):
            path = V1_PREFIX + path
        return self.base_url + path

    def _same_origin(self, url: str) -> str:
        if origin(url) != origin(self.base_url):
            raise ThoughtSpotRequestError(
                f"Refusing to call {urlsplit(url).netloc or url[:60]!r}: the session of connection "
                f"{self.conn_id!r} belongs to {self.base_url}, and its cookies never go to another host. "
                "Pass a path such as /tspublic/v1/... instead."
            )
        return url

    @classmethod
    def from_connection(cls, conn: Connection) -> ThoughtSpotSettings:
        """Validate every field; each problem raises an error that names the field and the fix."""
        conn_id = conn.conn_id
        reader = _ExtraReader(conn_id, _extras(conn))
        verify = reader.verify()
        return cls(
            conn_id=conn_id,
            base_url=_base_url(conn),
            login=_required(conn_id, "login", conn.login, "set Login to the ThoughtSpot username"),
            password=_required(conn_id, "password", conn.password, "set Password to the user's password"),
            verify=verify,
            verify_explicit="verify" in reader.extras,
            timeout=reader.number("timeout", minimum=0.001, maximum=3600),
            remember_me=reader.boolean("remember_me"),
            retry_limit=int(reader.number("retry_limit", minimum=1, maximum=100, integer=True)),
            retry_delay=reader.number("retry_delay", minimum=0, maximum=600),
            retry_max_wait=reader.number("retry_max_wait", minimum=0, maximum=3600),
            ignored_extras=tuple(sorted(set(reader.extras) - set(DEFAULTS))),
        )


def origin(url: str) -> tuple[str, str | None, int] | None:
    """Scheme, host and port of a URL (default ports filled in); None for a relative or unreadable URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    return scheme, parts.hostname, port or (80 if scheme == "http" else 443)


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


def _extras(conn: Connection) -> dict[str, Any]:
    raw: object = conn.extra
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return dict(raw)
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
    return parsed


def _base_url(conn: Connection) -> str:
    conn_id = conn.conn_id
    host = _required(
        conn_id, "host", conn.host, "set Host to your cluster, e.g. my.thoughtspot.cloud"
    ).strip()
    fix = "set Host to a name such as my.thoughtspot.cloud or https://my.thoughtspot.cloud, nothing after it"
    schema = (conn.schema or "").lower()
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
    if parts.path.rstrip("/") not in ("", V1_PREFIX) or parts.query or parts.fragment or "@" in parts.netloc:
        raise ThoughtSpotConfigError(conn_id, "host", f"{shown(host)} has a path, query or user part", fix)
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
        return ThoughtSpotConfigError(
            self.conn_id, f"extra.{name}", f"{shown(value)} is not {expected}", f"set {expected}"
        )

    def boolean(self, name: str) -> bool:
        value = self.extras.get(name, DEFAULTS[name])
        parsed = _parse_bool(value)
        if parsed is None:
            raise self._fail(name, value, "true or false")
        return parsed

    def number(self, name: str, *, minimum: float, maximum: float, integer: bool = False) -> float:
        value = self.extras.get(name, DEFAULTS[name])
        expected = f"{'a whole number' if integer else 'a number'} >= {minimum:g} and <= {maximum:g}"
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise self._fail(name, value, expected) from None
        if not minimum <= number <= maximum or (integer and not number.is_integer()):
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
