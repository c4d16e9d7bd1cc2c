"""Public value types: what the stand-in was asked (RequestRecord) and what it was told to break (Fault)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["status", "drop", "delay", "slow_body", "truncate"]

FAULT_KINDS: dict[str, FaultKind] = {
    "status": "status",
    "drop": "drop",
    "delay": "delay",
    "slow_body": "slow_body",
    "truncate": "truncate",
}


@dataclass(frozen=True)
class RequestRecord:
    """One request exactly as received, so tests (and a secrets audit) can inspect what a client really sent.

    ``status`` is the status answered, or 0 when the connection was dropped on purpose. ``session_id`` is the
    bearer token or else the ``JSESSIONID`` cookie the request carried (valid or not). ``time`` is the
    arrival time (``time.time()``).
    """

    method: str
    path: str
    query: str
    status: int
    session_id: str | None
    headers: dict[str, str]
    body: bytes
    time: float


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; each queued copy is consumed by exactly one matching request.

    ``status``: answer ``status`` (with ``retry_after``/``body``/``content_type`` if given) instead of the
    real thing. ``drop``: close the connection without answering. ``delay``: sleep ``seconds``, then answer
    normally (slow headers). ``slow_body``: send the head and half the body, sleep ``seconds``, send the rest.
    ``truncate``: send the head (with the full Content-Length) and half the body, then close. The last two
    break the real answer, or the ``status``/``body`` answer when ``status`` is given. ``headers`` are added
    to a ``status`` answer (e.g. ``Location`` for a redirect).
    """

    kind: FaultKind
    status: int = 0
    seconds: float = 0.0
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        """Reject faults that could not be served, so the mistake shows up where the fault is queued."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if (self.kind == "status" or self.status) and not 200 <= self.status <= 599:
            raise ValueError(f"an injected status must be within 200..599, got {self.status}")
        if self.kind in ("delay", "slow_body") and not (math.isfinite(self.seconds) and self.seconds >= 0):
            raise ValueError(f"a delay must be a finite number of seconds >= 0, got {self.seconds}")
        texts = [self.retry_after, self.content_type, *(text for pair in self.headers for text in pair)]
        if any(text is not None and ("\r" in text or "\n" in text) for text in texts):
            raise ValueError("retry_after, content_type and headers must not contain line breaks")
        if any(not name or ":" in name for name, _ in self.headers):
            raise ValueError("a header name must be non-empty and without ':'")
