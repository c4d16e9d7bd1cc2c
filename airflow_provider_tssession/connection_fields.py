"""The connection's extra fields, declared once: settings read them, and the UI form is built from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExtraField:
    """One extra of the `thoughtspot` connection: its name in `Connection.extra`, type, default and label."""

    name: str
    label: str
    description: str
    type: str  # JSON-schema type: "boolean", "number", "integer" or "string"
    default: Any
    secret: bool = False


EXTRA_FIELDS: tuple[ExtraField, ...] = (
    ExtraField("verify", "Verify TLS", "true, false, or the path of a CA bundle file", "string", True),
    ExtraField(
        "timeout", "Timeout (seconds)", "Seconds for every call (per-call override possible)", "number", 30.0
    ),
    ExtraField("remember_me", "Remember me", "Ask ThoughtSpot for a long-lived session", "boolean", False),
    ExtraField("retry_limit", "Retry limit", "Attempts per call, including the first", "integer", 3),
    ExtraField("retry_delay", "Retry delay (seconds)", "Base of the exponential backoff", "number", 1.0),
    ExtraField(
        "retry_max_wait",
        "Longest retry wait (seconds)",
        "Cap on any wait between attempts, whatever the server's Retry-After asks",
        "number",
        60.0,
    ),
)

DEFAULTS: dict[str, Any] = {field.name: field.default for field in EXTRA_FIELDS}
