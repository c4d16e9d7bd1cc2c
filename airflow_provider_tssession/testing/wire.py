"""Request/response values and ThoughtSpot's error bodies, shared by the protocol and control planes.

Keeping these free of sockets lets the routing code be plain functions from a Request to a Response.
"""

from __future__ import annotations

import codecs
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .records import Fault

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
BINARY_TYPE = "application/octet-stream"

CODE_INTERNAL = 10000
CODE_BAD_REQUEST = 10002
CODE_AUTH_FAILED = 10003
CODE_LOCKED = 10023


@dataclass(frozen=True)
class Request:
    """A parsed request; ``headers`` has lower-cased names (lookups only; the log keeps the originals)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    session_id: str | None
    client: str = ""  # the client's IP address (rate limits are per client IP)


@dataclass
class Response:
    """A response to write; ``headers`` is a list so Set-Cookie can repeat.

    ``stream``, when set, replaces ``body``: ``length`` bytes written chunk by chunk as they are generated,
    so a large report never sits in memory whole.
    """

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterable[bytes] | None = None
    length: int = 0


class HttpError(Exception):
    """Raised from deep inside a handler to answer with ``response`` straight away."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(status: int, payload: object) -> Response:
    """Serialize ``payload`` as a JSON response."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, [("Content-Type", JSON_TYPE)])


def flat_error(status: int, code: int, message: str) -> Response:
    """Build a v1 error: a flat object whose ``debug`` is a JSON-encoded list of strings, as clusters send."""
    return json_response(
        status,
        {
            "code": code,
            "incident_id_guid": str(uuid.uuid4()),
            "trace_id_guid": str(uuid.uuid4()),
            "debug": json.dumps([message]),
        },
    )


def v2_error(nesting: int, status: int, code: int, message: str) -> Response:
    """Build a v2 error in one of the three nestings clusters send (``v2_error_nesting``).

    0 ``{"error":{"message":{"code","incident_id_guid","trace_id_guid","debug"}}}``,
    1 ``{"error":{"message":{"debug"}}}``, 2 ``{"error":{"message":{"debug":{"code","debug"}}}}``.
    """
    inner: dict[str, object]
    if nesting == 0:
        ids = {"incident_id_guid": str(uuid.uuid4()), "trace_id_guid": str(uuid.uuid4())}
        inner = {"code": code, **ids, "debug": message}
    elif nesting == 1:
        inner = {"debug": message}
    else:
        inner = {"debug": {"code": code, "debug": message}}
    return json_response(status, {"error": {"message": inner}})


def logged_in(session_id: str) -> Response:
    """Answer a successful session login: 204 and the session cookies."""
    return Response(
        204,
        headers=[
            ("Set-Cookie", f"JSESSIONID={session_id}; Path=/; HttpOnly"),
            ("Set-Cookie", f"clientId={uuid.uuid4()}; Path=/; Secure; HttpOnly"),
        ],
    )


def form_body(request: Request) -> dict[str, str]:
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


def fault_response(fault: Fault) -> Response:
    """Turn an injected status fault into the response to send."""
    if fault.body is not None:
        response = Response(fault.status, fault.body, [("Content-Type", fault.content_type or "text/plain")])
    else:
        code = CODE_INTERNAL if fault.status >= 500 else CODE_BAD_REQUEST
        response = flat_error(fault.status, code, f"Injected fault: HTTP {fault.status}")
        if fault.content_type is not None:
            response.headers = [("Content-Type", fault.content_type)]
    if fault.retry_after is not None:
        response.headers.append(("Retry-After", fault.retry_after))
    response.headers.extend(fault.headers)
    return response
