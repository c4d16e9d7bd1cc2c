"""Public value types: what the stand-in was asked (RequestRecord) and what it was told to break (Fault)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["status", "drop", "delay"]

FAULT_KINDS: dict[str, FaultKind] = {"status": "status", "drop": "drop", "delay": "delay"}


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
    normally.
    """

    kind: FaultKind
    status: int = 0
    seconds: float = 0.0
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None

    def __post_init__(self) -> None:
        """Reject faults that could not be served, so the mistake shows up where the fault is queued."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if self.kind == "status" and not 200 <= self.status <= 599:
            raise ValueError(f"an injected status must be within 200..599, got {self.status}")
        if self.kind == "delay" and not (math.isfinite(self.seconds) and self.seconds >= 0):
            raise ValueError(f"a delay must be a finite number of seconds >= 0, got {self.seconds}")
        if self.retry_after is not None and ("\r" in self.retry_after or "\n" in self.retry_after):
            raise ValueError("retry_after must not contain line breaks")
        if self.content_type is not None and ("\r" in self.content_type or "\n" in self.content_type):
            raise ValueError("content_type must not contain line breaks")
