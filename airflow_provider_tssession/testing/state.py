"""Everything the stand-in remembers (users, sessions, lockouts, counters, faults, log) behind one lock.

One lock keeps every snapshot consistent and every handler thread honest; each operation under it is O(1)
(except the explicit snapshots), so the lock never becomes the bottleneck.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .catalog import Catalog, default_objects, user_object
from .limits import Limits
from .tasks import AsyncImports
from .trust import TrustStore
from .vcs import GitRepo

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .records import Fault, RequestRecord

REMEMBER_ME_SECONDS = 14 * 24 * 3600.0
"""Idle timeout of a session opened with ``rememberme=true`` (ThoughtSpot: days, not minutes)."""

DATA_ROW_CAP = 100_000
"""The most rows the data APIs return for one query (DOCS: raisable only by ThoughtSpot Support)."""

LoginOutcome = Literal["ok", "bad", "locked"]


@dataclass
class _Session:
    user: str
    remember: bool
    last_seen: float  # time.monotonic()
    org_id: int = 0
    deadline: float | None = None  # time.monotonic() at which a bearer token expires, however active


@dataclass(frozen=True)
class SessionView:
    """What a handler needs to know about the session a request authenticated with."""

    user: str
    expires_at: float  # wall clock (time.time()) at which the session expires if left idle
    org_id: int = 0


class LogSlot:
    """Place in the request log reserved at arrival, so the log keeps arrival order under concurrency."""

    __slots__ = ("record",)

    def __init__(self) -> None:
        self.record: RequestRecord | None = None


class FakeState:
    """Thread-safe state of one stand-in server."""

    def __init__(
        self,
        users: Mapping[str, str] | None,
        *,
        session_idle_timeout: float,
        lockout_threshold: int,
        lockout_seconds: float,
    ) -> None:
        if not session_idle_timeout > 0:
            raise ValueError("session_idle_timeout must be > 0")
        if lockout_threshold < 1:
            raise ValueError("lockout_threshold must be >= 1")
        if not lockout_seconds >= 0:
            raise ValueError("lockout_seconds must be >= 0")
        self.session_idle_timeout = float(session_idle_timeout)
        self.lockout_threshold = lockout_threshold
        self.lockout_seconds = float(lockout_seconds)
        self._lock = threading.Lock()
        self.trust = TrustStore()
        self.limits = Limits()
        self._users: dict[str, str] = dict(users or {})
        self.catalog = Catalog(default_objects())
        self.imports = AsyncImports(self.catalog)
        self.git = GitRepo()
        self.data_row_cap = DATA_ROW_CAP
        self.report_bytes: int | None = None
        self._imports_submitted = 0
        for name in self._users:
            self._catalog_user(name)
        self._sessions: dict[str, _Session] = {}
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._calls: dict[str, int] = {}
        self._faults: dict[str | None, deque[Fault]] = {}
        self._log: list[LogSlot] = []
        self._logins = 0
        self._failed_logins = 0
        self._logouts = 0
        self._per_route: dict[str, int] = {}
        self._in_flight = 0
        self._max_in_flight = 0

    # users -------------------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        """Add or replace a local user."""
        if not name:
            raise ValueError("a user needs a non-empty name")
        with self._lock:
            self._users[name] = password
        self._catalog_user(name)

    def remove_user(self, name: str) -> None:
        """Delete a local user (its sessions end at their next request)."""
        with self._lock:
            self._users.pop(name, None)
            for session_id in [sid for sid, s in self._sessions.items() if s.user == name]:
                del self._sessions[session_id]

    def _catalog_user(self, name: str) -> None:
        if self.catalog.get(name, "USER") is None:
            self.catalog.add(user_object(name, groups=("Administrator",) if name == "tsadmin" else ()))

    def user_names(self) -> list[str]:
        """Return the sorted user names (never the passwords)."""
        with self._lock:
            return sorted(self._users)

    def lock_user(self, name: str) -> None:
        """Lock ``name`` out as if it had hit the failed-login threshold."""
        with self._lock:
            self._locked_until[name] = time.monotonic() + self.lockout_seconds
            self._failures.pop(name, None)

    # sessions ----------------------------------------------------------------------------------------
    def login(
        self,
        name: str,
        password: str | None,
        remember: bool,
        *,
        org_id: int = 0,
        lifetime: float | None = None,
    ) -> tuple[LoginOutcome, str]:
        """Check credentials and lockout; on success open a session and return its JSESSIONID.

        ``password=None``: a secret key or login token already vouched for the user (trusted auth).
        ``lifetime``: open a bearer token instead, which expires that many seconds from now, however active.
        """
        now = time.monotonic()
        with self._lock:
            until = self._locked_until.get(name)
            if until is not None:
                if now < until:
                    self._failed_logins += 1
                    return "locked", ""
                del self._locked_until[name]
                self._failures.pop(name, None)
            if name not in self._users or (password is not None and self._users[name] != password):
                self._failed_logins += 1
                if name in self._users:
                    failures = self._failures.get(name, 0) + 1
                    if failures >= self.lockout_threshold:
                        self._locked_until[name] = now + self.lockout_seconds
                        failures = 0
                    self._failures[name] = failures
                return "bad", ""
            self._failures.pop(name, None)
            session_id = str(uuid.uuid4())
            deadline = None if lifetime is None else now + lifetime
            self._sessions[session_id] = _Session(name, remember, now, org_id, deadline)
            self._logins += 1
            return "ok", session_id

    def logout(self, session_id: str | None) -> bool:
        """End a live session; False when there was none (expired sessions count as none)."""
        if session_id is None:
            return False
        with self._lock:
            if self._live(session_id, time.monotonic()) is None:
                return False
            del self._sessions[session_id]
            self._logouts += 1
            return True

    def authenticate(self, session_id: str | None) -> SessionView | None:
        """Resolve a live session for a work call: refresh its idle clock and count the call."""
        if session_id is None:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._live(session_id, now)
            if session is None:
                return None
            session.last_seen = now
            self._calls[session_id] = self._calls.get(session_id, 0) + 1
            return self._view(session, now)

    def describe(self, session_id: str | None) -> SessionView | None:
        """Resolve a live session without counting a call (session management: logout, revoke, org switch)."""
        now = time.monotonic()
        with self._lock:
            session = None if session_id is None else self._live(session_id, now)
            return None if session is None else self._view(session, now)

    def switch_org(self, session_id: str, org_id: int) -> bool:
        """Move a live session into another org; False when there is no such session."""
        with self._lock:
            session = self._live(session_id, time.monotonic())
            if session is not None:
                session.org_id = org_id
            return session is not None

    def reject_login(self) -> None:
        """Count a login refused before any user check (a wrong secret key)."""
        with self._lock:
            self._failed_logins += 1

    def _view(self, session: _Session, now: float) -> SessionView:
        # caller holds the lock
        left = self._timeout(session) if session.deadline is None else session.deadline - now
        return SessionView(user=session.user, expires_at=time.time() + left, org_id=session.org_id)

    def expire_all(self) -> None:
        """Forget every session, as a cluster restart or an admin would."""
        with self._lock:
            self._sessions.clear()

    def active_sessions(self) -> int:
        """Count sessions that are still live (expired ones are pruned on the way)."""
        with self._lock:
            return self._prune()

    def _timeout(self, session: _Session) -> float:
        return REMEMBER_ME_SECONDS if session.remember else self.session_idle_timeout

    def _prune(self) -> int:
        # caller holds the lock
        now = time.monotonic()
        for session_id in list(self._sessions):
            self._live(session_id, now)
        return len(self._sessions)

    def _live(self, session_id: str, now: float) -> _Session | None:
        # caller holds the lock
        session = self._sessions.get(session_id)
        if session is None:
            return None
        if session.deadline is not None:
            expired = now >= session.deadline
        else:
            expired = now - session.last_seen > self._timeout(session)
        if expired:
            del self._sessions[session_id]
            return None
        return session

    # faults ------------------------------------------------------------------------------------------
    def add_fault(self, path: str | None, fault: Fault, times: int) -> None:
        """Queue ``times`` copies of ``fault`` for ``path`` (None: any path)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.setdefault(path, deque()).extend([fault] * times)

    def begin(self, path: str) -> tuple[LogSlot, Fault | None]:
        """Reserve the request's log slot and take the fault it must suffer, if any (path-specific first)."""
        slot = LogSlot()
        with self._lock:
            self._log.append(slot)
            self._per_route[path] = self._per_route.get(path, 0) + 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            fault = None
            if self._faults:
                for key in (path, None):
                    queue = self._faults.get(key)
                    if queue:
                        fault = queue.popleft()
                        if not queue:
                            del self._faults[key]
                        break
        return slot, fault

    def finish(self, slot: LogSlot, record: RequestRecord) -> None:
        """Fill the log slot; done before answering, so a client can never outrun its own log entry."""
        with self._lock:
            slot.record = record
            self._in_flight -= 1

    # introspection -----------------------------------------------------------------------------------
    def records(self) -> list[RequestRecord]:
        """Copy the finished requests in arrival order."""
        with self._lock:
            return [slot.record for slot in self._log if slot.record is not None]

    def count(self, path: str, method: str | None = None) -> int:
        """Count finished requests to ``path`` (optionally with ``method``)."""
        wanted = None if method is None else method.upper()
        return sum(1 for r in self.records() if r.path == path and (wanted is None or r.method == wanted))

    def calls_per_session(self) -> dict[str, int]:
        """Copy JSESSIONID -> authenticated work calls served with it."""
        with self._lock:
            return dict(self._calls)

    @property
    def logins(self) -> int:
        """Successful logins."""
        with self._lock:
            return self._logins

    @property
    def failed_logins(self) -> int:
        """Logins rejected with 401 or 403."""
        with self._lock:
            return self._failed_logins

    @property
    def logouts(self) -> int:
        """Successful logouts."""
        with self._lock:
            return self._logouts

    def stats(self) -> dict[str, object]:
        """Return a JSON-able summary for the control plane and for test failure messages."""
        with self._lock:
            return {
                "logins": self._logins,
                "failed_logins": self._failed_logins,
                "logouts": self._logouts,
                "active_sessions": self._prune(),
                "calls_per_session": dict(self._calls),
                "requests": sum(1 for slot in self._log if slot.record is not None),
                "requests_per_route": dict(self._per_route),
                "max_in_flight": self._max_in_flight,
                "rate_limited": self.limits.rate_limited,
                "imports_submitted": self._imports_submitted,
                "status_polls": dict(self.imports.polls),
            }

    def set_data_row_cap(self, rows: int) -> None:
        """Return at most ``rows`` rows per data query (clusters: 100,000)."""
        if rows < 1:
            raise ValueError("data_row_cap must be >= 1")
        self.data_row_cap = rows

    def set_report_bytes(self, size: int | None) -> None:
        """Make every report ``size`` bytes of filler after the real signature (None: real small files)."""
        if size is not None and size < 0:
            raise ValueError("report_bytes must be >= 0 or None")
        self.report_bytes = size

    def count_import(self) -> None:
        """Count one TML import accepted (sync or async)."""
        with self._lock:
            self._imports_submitted += 1

    @property
    def imports_submitted(self) -> int:
        """TML imports accepted (sync and async) since the last reset."""
        with self._lock:
            return self._imports_submitted

    def requests_per_route(self) -> dict[str, int]:
        """Copy path -> requests received (faulted and dropped ones too; control plane excluded)."""
        with self._lock:
            return dict(self._per_route)

    @property
    def max_in_flight(self) -> int:
        """The most protocol requests being answered at the same moment since the last reset."""
        with self._lock:
            return self._max_in_flight

    def reset(self) -> None:
        """Forget counters, log, sessions, faults and lockouts; keep the users."""
        with self._lock:
            self._sessions.clear()
            self._failures.clear()
            self._locked_until.clear()
            self._calls.clear()
            self._faults.clear()
            self._log = []
            self._logins = self._failed_logins = self._logouts = 0
            self._per_route.clear()
            self._max_in_flight = self._in_flight
            self._imports_submitted = 0
        self.trust.reset()
        self.limits.reset()
        self.imports.reset()
