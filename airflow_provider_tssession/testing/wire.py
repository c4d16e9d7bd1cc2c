"""Request/response values and ThoughtSpot's error bodies, shared by the protocol and control planes.

Keeping these free of sockets lets the routing code be plain functions from a Request to a Response.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .records import Fault

JSON_TYPE = "application/json"

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


@dataclass
class Response:
    """A response to write; ``headers`` is a list so Set-Cookie can repeat."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


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


def v2_error(status: int, code: int, message: str) -> Response:
    """Build a v2 error in its most common nesting, ``{"error": {"message": {"code", "debug"}}}``."""
    return json_response(status, {"error": {"message": {"code": code, "debug": message}}})


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
