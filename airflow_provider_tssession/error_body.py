"""Read ThoughtSpot's error bodies: the flat v1 object and all three v2 nestings, or anything else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_MAX_MESSAGE = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CODE = re.compile(r"^[0-9]{1,9}\Z")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ErrorDetails:
    """What an error body says: ThoughtSpot's error code, incident id and a one-line message."""

    code: int | None = None
    incident_id: str | None = None
    message: str | None = None


def parse_error_body(body: str) -> ErrorDetails:
    """Return the details of any error body; never raises, whatever the body holds."""
    text = body.strip()
    if not text:
        return ErrorDetails()
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return ErrorDetails(message=_describe_non_json(text))
    if isinstance(document, dict):
        return _from_object(document, depth=0)
    return ErrorDetails(message=_one_line(_join_debug(document)))


def _from_object(obj: dict[str, Any], depth: int) -> ErrorDetails:
    """Walk `{"error": {"message": {...}}}` and `{"debug": {...}}` nestings; outer values win."""
    inner = ErrorDetails()
    nested = _nested(obj)
    if nested is not None and depth < 5:
        inner = _from_object(nested, depth + 1)
    debug, incident = obj.get("debug"), obj.get("incident_id_guid") or obj.get("incident_id")
    message = None if isinstance(debug, dict) else _join_debug(debug)
    if not message and isinstance(obj.get("message"), str):
        message = obj["message"]
    return ErrorDetails(
        code=_as_code(obj.get("code")) or inner.code,
        incident_id=_one_line(incident if isinstance(incident, str) else None) or inner.incident_id,
        message=_one_line(message) or inner.message,
    )


def _nested(obj: dict[str, Any]) -> dict[str, Any] | None:
    error = obj.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        return message if isinstance(message, dict) else error
    debug = obj.get("debug")
    return debug if isinstance(debug, dict) else None


def _join_debug(debug: object) -> str | None:
    """`debug` is usually a JSON-encoded list of strings; accept a plain string or a list as well."""
    if isinstance(debug, str):
        try:
            decoded = json.loads(debug)
        except (ValueError, RecursionError):
            return debug
        return debug if isinstance(decoded, dict) else _join_debug(decoded)
    if isinstance(debug, list):
        parts = [str(item) for item in debug if isinstance(item, str | int | float)]
        return "; ".join(parts) or None
    if isinstance(debug, int | float) and not isinstance(debug, bool):
        return str(debug)
    return None


def _describe_non_json(text: str) -> str:
    if text[:200].lstrip().lower().startswith(("<!doctype html", "<html")) or "<body" in text[:2000].lower():
        title = _HTML_TITLE.search(text[:5000])
        suffix = f" titled {_one_line(title.group(1))!r}" if title else ""
        return f"an HTML page{suffix} instead of a JSON error"
    return _one_line(text) or ""


def _one_line(text: str | None) -> str | None:
    if not text:
        return None
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 3] + "..."


def _as_code(value: object) -> int | None:
    if isinstance(value, str) and _CODE.match(value.strip()):
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None
