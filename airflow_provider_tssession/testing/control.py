"""The stand-in's own control plane under ``/_fake/``, so another process can drive it like the Python API.

Control requests need no auth and no X-Requested-By, are never faulted and never enter the request log
(``/_fake/users`` carries passwords that a client under test never sent).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from .catalog import MetadataObject, Visualization
from .datasets import DataSet
from .limits import RATE_LIMITS, RateLimits
from .records import FAULT_KINDS, Fault
from .state import FakeState
from .wire import Request, Response, json_response

CONTROL_PREFIX = "/_fake/"

_Handler = Callable[[FakeState, Request], Response]


class _BadControlRequest(ValueError):
    """A control request the stand-in cannot act on; answered with 400 and the reason."""


def handle_control(state: FakeState, request: Request) -> Response:
    """Answer one ``/_fake/...`` request."""
    methods = _ROUTES.get(request.path)
    if methods is None:
        return json_response(404, {"error": f"unknown control path {request.path}"})
    handler = methods.get(request.method)
    if handler is None:
        response = json_response(405, {"error": f"{request.method} not allowed on {request.path}"})
        response.headers.append(("Allow", ", ".join(sorted(methods))))
        return response
    try:
        return handler(state, request)
    except (ValueError, TypeError) as exc:  # _BadControlRequest, or a Fault that failed validation
        return json_response(400, {"error": str(exc)})


def _json_object(request: Request) -> dict[str, object]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise _BadControlRequest(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _BadControlRequest("body must be a JSON object")
    return data


def _optional_str(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _BadControlRequest(f"{key} must be a string or null")
    return value


def _number(data: dict[str, object], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadControlRequest(f"{key} must be a number")
    return float(value)


def _stats(state: FakeState, request: Request) -> Response:
    return json_response(200, state.stats())


def _requests(state: FakeState, request: Request) -> Response:
    records = [
        {
            "method": r.method,
            "path": r.path,
            "query": r.query,
            "status": r.status,
            "session_id": r.session_id,
            "headers": r.headers,
            "body": r.body.decode("utf-8", errors="replace"),
            "time": r.time,
        }
        for r in state.records()
    ]
    return json_response(200, records)


def _reset(state: FakeState, request: Request) -> Response:
    state.reset()
    return Response(204)


def _expire(state: FakeState, request: Request) -> Response:
    state.expire_all()
    return Response(204)


def _faults(state: FakeState, request: Request) -> Response:
    data = _json_object(request)
    kind = FAULT_KINDS.get(str(data.get("kind", "status")))
    if kind is None:
        raise _BadControlRequest(f"kind must be one of {sorted(FAULT_KINDS)}")
    times = data.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int):
        raise _BadControlRequest("times must be an integer")
    status = _number(data, "status", 0)
    if status != int(status):
        raise _BadControlRequest("status must be an integer")
    body = _optional_str(data, "body")
    headers = data.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise _BadControlRequest("headers must be an object of strings")
    fault = Fault(
        kind=kind,
        status=int(status),
        seconds=_number(data, "seconds", 0.0),
        retry_after=_optional_str(data, "retry_after"),
        body=None if body is None else body.encode(),
        content_type=_optional_str(data, "content_type"),
        headers=tuple(headers.items()),
    )
    state.add_fault(_optional_str(data, "path"), fault, times)
    return Response(204)


def _user(state: FakeState, request: Request) -> Response:
    data = _json_object(request)
    name, password = data.get("name"), data.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise _BadControlRequest("name and password must be strings")
    state.add_user(name, password)
    return Response(204)


def _lock(state: FakeState, request: Request) -> Response:
    name = _json_object(request).get("name")
    if not isinstance(name, str):
        raise _BadControlRequest("name must be a string")
    state.lock_user(name)
    return Response(204)


def _data(spec: dict[str, object], where: str) -> DataSet | None:
    """Read ``columns`` plus ``rows`` (a count: generated rows) or ``data`` (explicit rows)."""
    columns = spec.get("columns")
    if columns is None:
        return None
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise _BadControlRequest(f"{where}columns must be a list of strings")
    rows = spec.get("data")
    if rows is not None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _BadControlRequest(f"{where}data must be a list of rows (lists)")
        return DataSet.from_rows(columns, rows)
    count = spec.get("rows", 10)
    if isinstance(count, bool) or not isinstance(count, int):
        raise _BadControlRequest(f"{where}rows must be an integer")
    return DataSet.generated(columns, count)


def _strings(data: dict[str, object], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _BadControlRequest(f"{key} must be a list of strings")
    return tuple(value)


def _object(state: FakeState, request: Request) -> Response:
    """Add a catalog object: ``type``, ``name`` and optional fields of MetadataObject (see ``catalog``)."""
    data = _json_object(request)
    vizzes = data.get("visualizations", [])
    if not isinstance(vizzes, list) or not all(
        isinstance(v, dict) and isinstance(v.get("name"), str) for v in vizzes
    ):
        raise _BadControlRequest("visualizations must be a list of objects with a name")
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise _BadControlRequest("properties must be an object")
    texts = {
        key: _optional_str(data, key) for key in ("type", "name", "guid", "owner", "subtype", "description")
    }
    obj = MetadataObject(
        type=texts["type"] or "",
        name=texts["name"] or "",
        guid=texts["guid"] or "",
        owner=texts["owner"] or "tsadmin",
        subtype=texts["subtype"],
        description=texts["description"] or "",
        visualizations=tuple(Visualization(str(v["name"]), _data(v, "visualizations[].")) for v in vizzes),
        data=_data(data, ""),
        tables=_strings(data, "tables"),
        connection=_optional_str(data, "connection"),
        tags=_strings(data, "tags"),
        properties=properties,
        hidden=bool(data.get("hidden", False)),
        export_error=_optional_str(data, "export_error"),
    )
    state.catalog.add(obj)
    return json_response(200, {"guid": obj.guid, "visualizations": [v.guid for v in obj.visualizations]})


def _limits(state: FakeState, request: Request) -> Response:
    """Switch rate limits (``true``, ``false``/``null`` or RateLimits fields) and set ``latency`` per path."""
    data = _json_object(request)
    if "rate_limits" in data:
        raw = data["rate_limits"]
        if raw is True:
            state.limits.set_rate_limits(RATE_LIMITS)
        elif raw is None or raw is False:
            state.limits.set_rate_limits(None)
        elif isinstance(raw, dict):
            state.limits.set_rate_limits(RateLimits(**raw))  # TypeError (400) names an unknown field
        else:
            raise _BadControlRequest("rate_limits must be true, false, null or an object")
    latency = data.get("latency", {})
    if not isinstance(latency, dict):
        raise _BadControlRequest('latency must be an object of path (or "*") -> seconds')
    for path in latency:
        state.limits.set_latency(None if path == "*" else path, _number(latency, path, 0.0))
    return Response(204)


def _knobs(state: FakeState, request: Request) -> Response:
    """Set ``async_import_seconds`` (or ``async_queued_seconds``), ``data_row_cap``, ``report_bytes``."""
    data = _json_object(request)
    imports = state.imports
    if "async_import_seconds" in data:
        total = _number(data, "async_import_seconds", 0.0)
        imports.set_phases(total / 2, total / 2)
    if "async_queued_seconds" in data:
        imports.set_phases(_number(data, "async_queued_seconds", 0.0), imports.running_for)
    if "data_row_cap" in data:
        state.set_data_row_cap(int(_number(data, "data_row_cap", 0)))
    if "report_bytes" in data:
        raw = data["report_bytes"]
        state.set_report_bytes(None if raw is None else int(_number(data, "report_bytes", 0)))
    return Response(204)


def _show_knobs(state: FakeState, request: Request) -> Response:
    """Report every knob's current value (limits and latency included)."""
    rates = state.limits.rate_limits
    return json_response(
        200,
        {
            "async_queued_seconds": state.imports.queued_for,
            "async_running_seconds": state.imports.running_for,
            "data_row_cap": state.data_row_cap,
            "report_bytes": state.report_bytes,
            "rate_limits": None if rates is None else dataclasses.asdict(rates),
            "latency": {path or "*": seconds for path, seconds in state.limits.latency().items()},
        },
    )


_ROUTES: dict[str, dict[str, _Handler]] = {
    "/_fake/stats": {"GET": _stats},
    "/_fake/requests": {"GET": _requests},
    "/_fake/reset": {"POST": _reset},
    "/_fake/expire": {"POST": _expire},
    "/_fake/faults": {"POST": _faults},
    "/_fake/users": {"POST": _user},
    "/_fake/lock": {"POST": _lock},
    "/_fake/objects": {"POST": _object},
    "/_fake/limits": {"POST": _limits},
    "/_fake/knobs": {"POST": _knobs, "GET": _show_knobs},
}
