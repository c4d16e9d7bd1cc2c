"""The one route registry every protocol module adds to, and the dispatch from a Request to its handler.

Route modules (``protocol``, ``protocol_v2``, ``routes_*``) call ``add_routes`` at import and import only
this module and the value modules (``wire``, ``state``...), never each other. Dispatch answers routing errors
in the right dialect: v1 paths get flat errors, v2 paths get the nesting chosen by ``v2_error_nesting``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .paths import V1, V2
from .wire import CODE_AUTH_FAILED, CODE_BAD_REQUEST, HttpError, Request, Response, flat_error, v2_error

if TYPE_CHECKING:
    from .state import FakeState, SessionView

__all__ = ["ROUTES", "V1", "V2", "Handler", "Route", "add_routes", "authenticate", "fail", "handle"]

Handler = Callable[["FakeState", Request], Response]


@dataclass(frozen=True)
class Route:
    """The handlers of one path by method; ``v2`` routes need no X-Requested-By and answer v2 errors."""

    methods: Mapping[str, Handler]
    v2: bool = False


ROUTES: dict[str, Route] = {}


def add_routes(routes: Mapping[str, Route]) -> None:
    """Register routes; a path registered twice is a bug in the stand-in, so it fails loudly."""
    clash = sorted(set(routes) & set(ROUTES))
    if clash:
        raise ValueError(f"routes registered twice: {clash}")
    ROUTES.update(routes)


def v2_failure(state: FakeState, status: int, code: int, message: str) -> Response:
    """Build a v2 error in the nesting this stand-in is configured for (clusters send all three)."""
    return v2_error(state.trust.v2_error_nesting, status, code, message)


def fail(state: FakeState, status: int, code: int, message: str) -> HttpError:
    """Return (for ``raise``) a v2 error answer."""
    return HttpError(v2_failure(state, status, code, message))


def is_v2(path: str) -> bool:
    """Whether ``path`` is under the REST v2 base (and so answers v2 errors)."""
    return path.startswith(V2 + "/")


def authenticate(state: FakeState, request: Request, *, v2: bool = False) -> SessionView:
    """Resolve the caller's live session (cookie or bearer token), else 401 in the route's dialect."""
    session = state.authenticate(request.session_id)
    if session is None:
        raise HttpError(_error(state, v2, 401, CODE_AUTH_FAILED, "Not logged in or the session has expired"))
    return session


def _error(state: FakeState, v2: bool, status: int, code: int, message: str) -> Response:
    return v2_failure(state, status, code, message) if v2 else flat_error(status, code, message)


def handle(state: FakeState, request: Request) -> Response:
    """Answer one protocol request: 404 unknown path, 405 wrong method, 400 without X-Requested-By (v1)."""
    v2 = is_v2(request.path)

    def error(status: int, message: str) -> Response:
        return _error(state, v2, status, CODE_BAD_REQUEST, message)

    limited = state.limits.admit(request.path, request.client)
    if limited is not None:
        response = error(429, limited.message)
        response.headers.append(("Retry-After", str(limited.retry_after)))
        return response
    route = ROUTES.get(request.path)
    if route is None:
        return error(404, f"No resource found at {request.path}")
    handler = route.methods.get("GET" if request.method == "HEAD" else request.method)
    if handler is None:
        response = error(405, f"Method {request.method} is not allowed on {request.path}")
        response.headers.append(("Allow", ", ".join(sorted(route.methods))))
        return response
    if not route.v2 and "x-requested-by" not in request.headers:
        return flat_error(400, CODE_BAD_REQUEST, "Missing required header X-Requested-By")
    state.limits.wait(request.path)
    state.imports.settle()
    try:
        return handler(state, request)
    except HttpError as exc:
        return exc.response
