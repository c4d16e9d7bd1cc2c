"""The HTTP side of the stand-in: a keep-alive ThreadingHTTPServer and the FakeThoughtSpot handle tests use.

The handler only frames HTTP (body, cookies, faults, log); what a route answers lives in ``protocol`` and
``control``, and what is remembered lives in ``state``.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import (  # noqa: F401  (each adds its routes to the registry)
    protocol,
    protocol_v2,
    routes_data,
    routes_metadata,
    routes_report,
    routes_tml,
    routes_users,
    routes_vcs,
)
from .control import CONTROL_PREFIX, handle_control
from .limits import RATE_LIMITS, RateLimits
from .protocol_v2 import bearer_token
from .records import Fault, RequestRecord
from .registry import handle
from .state import FakeState
from .tasks import DEFAULT_ASYNC_IMPORT_SECONDS
from .wire import CODE_BAD_REQUEST, CODE_INTERNAL, Request, Response, fault_response, flat_error

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from email.message import Message
    from types import TracebackType

    from .catalog import Catalog, MetadataObject
    from .vcs import GitRepo

MAX_BODY_BYTES = 64 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    """Threaded server that can cut its keep-alive connections, so stop() is quick and really stops."""

    daemon_threads = True
    block_on_close = False  # server_close() must not wait for idle keep-alive threads
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], state: FakeState, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup, which can stall where there is no resolver."""
        TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection so close_connections() can reach it."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Speak TLS when serving HTTPS: the handshake runs here, in the connection's own thread."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_Handler.timeout)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):  # the client refused our certificate, or hung up
            return
        with self._connections_lock:
            self._connections.add(tls)
        try:
            super().finish_request(tls, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection once its handler thread is done with it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection down; handler threads then see EOF and end."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(connection, socket.SHUT_RDWR)  # also a TLS socket, without its TLS

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up; only report real bugs."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Frames one HTTP/1.1 request at a time on a keep-alive connection."""

    protocol_version = "HTTP/1.1"
    server_version = "ThoughtSpotStandIn/1.0"
    timeout = 30  # idle keep-alive connections end on their own
    wbufsize = -1  # buffer the head and body into one send ...
    disable_nagle_algorithm = True  # ... and send it now: no Nagle/delayed-ACK stalls on loopback
    server: _Server

    def version_string(self) -> str:
        """Name the server without the Python version (the base class would add a trailing space here)."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: the request log is the record, stderr noise only hides test output."""

    def _dispatch(self) -> None:
        arrived = time.time()
        target = self.path
        if not target.startswith("/"):  # absolute-form, as a client sends it through a proxy
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(flat_error(400, CODE_BAD_REQUEST, "Malformed request body framing"))
            return
        headers = _header_dict(self.headers)
        lower = {name.lower(): value for name, value in headers.items()}
        session_id = bearer_token(lower) or _cookie(lower.get("cookie"), "JSESSIONID")
        request = Request(self.command, path, query, lower, body, session_id, self.client_address[0])
        state = self.server.state
        if path.startswith(CONTROL_PREFIX):
            self._send(handle_control(state, request))
            return
        slot, fault = state.begin(path)
        if fault is not None and fault.kind == "drop":
            state.finish(slot, _record(request, headers, 0, arrived))
            self._drop()
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.status:
            response = fault_response(fault)
        else:
            try:
                response = handle(state, request)
            except Exception:  # a bug here must look like a server error, not a hung client
                response = flat_error(500, CODE_INTERNAL, "Internal error in the ThoughtSpot stand-in")
        state.finish(slot, _record(request, headers, response.status, arrived))
        if fault is not None and fault.kind in ("slow_body", "truncate"):
            self._send_broken(response, fault)
        else:
            self._send(response)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        length = int(raw)
        if not 0 <= length <= MAX_BODY_BYTES:
            raise ValueError(f"unacceptable Content-Length {length}")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(65537).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise ValueError("chunked body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, response: Response) -> None:
        empty = response.status in (204, 304)
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "0" if empty else str(_length(response)))
            self.end_headers()
            if not empty and self.command != "HEAD":
                for chunk in _chunks(response):
                    self.wfile.write(chunk)
            self.wfile.flush()
        except OSError:  # client went away (or stop() cut the connection)
            self.close_connection = True

    def _send_broken(self, response: Response, fault: Fault) -> None:
        """Send the head and half the body; then pause and finish (slow_body) or hang up (truncate)."""
        half = _length(response) // 2
        self.close_connection = True
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(_length(response)))
            self.end_headers()
            sent, paused = 0, False
            for chunk in _chunks(response):
                if not paused and sent + len(chunk) >= half:
                    self.wfile.write(chunk[: half - sent])
                    self.wfile.flush()
                    if fault.kind != "slow_body":
                        break
                    time.sleep(fault.seconds)
                    chunk, paused = chunk[half - sent :], True
                sent += len(chunk)
                self.wfile.write(chunk)
            self.wfile.flush()
        except OSError:
            return
        self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _length(response: Response) -> int:
    return response.length if response.stream is not None else len(response.body)


def _chunks(response: Response) -> Iterable[bytes]:
    return response.stream if response.stream is not None else (response.body,)


def _header_dict(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in message.items():
        if name in headers:
            headers[name] += ("; " if name.lower() == "cookie" else ", ") + value
        else:
            headers[name] = value
    return headers


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None


def _record(request: Request, headers: dict[str, str], status: int, arrived: float) -> RequestRecord:
    return RequestRecord(
        method=request.method,
        path=request.path,
        query=request.query,
        status=status,
        session_id=request.session_id,
        headers=headers,
        body=request.body,
        time=arrived,
    )


class FakeThoughtSpot:
    """A local ThoughtSpot stand-in on a real socket: start it, point a client at ``url``, inspect, stop.

    State (users, sessions, counters, log) survives stop()/start(); a restart rebinds the same port.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        session_idle_timeout: float = 1800.0,
        lockout_threshold: int = 4,
        lockout_seconds: float = 3600.0,
        ssl_context: ssl.SSLContext | None = None,
        secret_key: str | None = None,
        orgs: Mapping[int, str] | None = None,
        v2_error_nesting: int = 0,
        async_import_seconds: float = DEFAULT_ASYNC_IMPORT_SECONDS,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self._state = FakeState(
            users,
            session_idle_timeout=session_idle_timeout,
            lockout_threshold=lockout_threshold,
            lockout_seconds=lockout_seconds,
        )
        self._state.trust.configure(secret_key=secret_key, orgs=orgs, v2_error_nesting=v2_error_nesting)
        self.async_import_seconds = async_import_seconds
        self.set_rate_limits(rate_limits)
        self._lifecycle = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        """Show where it listens, never who may log in."""
        return f"FakeThoughtSpot(url={self.url!r}, running={self.running})"

    # lifecycle ---------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL without trailing slash, e.g. ``http://127.0.0.1:8080`` (port known after start())."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.ssl_context else 'http'}://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is currently accepting connections."""
        return self._server is not None

    def start(self) -> FakeThoughtSpot:
        """Bind and serve in a daemon thread; a no-op when already running."""
        with self._lifecycle:
            if self._server is None:
                server = _Server((self.host, self.port), self._state, self.ssl_context)
                self.port = int(server.server_address[1])
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"fake-thoughtspot-{self.port}",
                    daemon=True,
                )
                thread.start()
                self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop accepting, cut open keep-alive connections and free the port; idempotent."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeThoughtSpot:
        """Start on entry."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop on exit."""
        self.stop()

    # users -------------------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        """Add (or replace) a local user."""
        self._state.add_user(name, password)

    def lock_user(self, name: str) -> None:
        """Lock ``name`` out for ``lockout_seconds`` as if it had failed too many logins."""
        self._state.lock_user(name)

    def expire_all_sessions(self) -> None:
        """End every session: the next call with an old cookie gets 401."""
        self._state.expire_all()

    # content ---------------------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The content model (see ``testing.catalog``): ``get``, ``objects``, ``add``, ``remove``."""
        return self._state.catalog

    @property
    def git(self) -> GitRepo:
        """The Git repository behind ``/vcs/git/...``: ``push(branch, files, comment)``, ``branch(name)``."""
        return self._state.git

    @property
    def data_row_cap(self) -> int:
        """The most rows a data query returns (default 100,000, as clusters; raise it per test)."""
        return self._state.data_row_cap

    @data_row_cap.setter
    def data_row_cap(self, rows: int) -> None:
        self._state.set_data_row_cap(rows)

    @property
    def report_bytes(self) -> int | None:
        """None (default: real small files), or the size every report answer has, streamed in chunks."""
        return self._state.report_bytes

    @report_bytes.setter
    def report_bytes(self, size: int | None) -> None:
        self._state.set_report_bytes(size)

    def add_object(self, obj: MetadataObject) -> MetadataObject:
        """Add a catalog object (or replace the one with its GUID); return it (its GUID is filled in)."""
        return self._state.catalog.add(obj)

    @property
    def async_import_seconds(self) -> float:
        """How long an async TML import task takes (IN_QUEUE, then IN_PROGRESS); applies to new tasks."""
        return self._state.imports.queued_for + self._state.imports.running_for

    @async_import_seconds.setter
    def async_import_seconds(self, seconds: float) -> None:
        self.set_async_import_phases(seconds / 2, seconds / 2)

    def set_async_import_phases(self, queued: float, running: float) -> None:
        """Make new async import tasks spend ``queued`` seconds IN_QUEUE, then ``running`` IN_PROGRESS."""
        self._state.imports.set_phases(queued, running)

    # limits ----------------------------------------------------------------------------------------
    def set_rate_limits(self, limits: RateLimits | None = RATE_LIMITS) -> None:
        """Enforce ThoughtSpot's rate limits (default: as documented; None: off, the default) from now on."""
        self._state.limits.set_rate_limits(limits)

    def set_latency(self, path: str | None, seconds: float) -> None:
        """Answer every request to ``path`` (None: all paths) ``seconds`` late, until set to 0 or reset()."""
        self._state.limits.set_latency(path, seconds)

    # introspection -----------------------------------------------------------------------------------
    @property
    def logins(self) -> int:
        """Successful logins."""
        return self._state.logins

    @property
    def failed_logins(self) -> int:
        """Logins rejected with 401 or 403."""
        return self._state.failed_logins

    @property
    def logouts(self) -> int:
        """Successful logouts."""
        return self._state.logouts

    @property
    def active_sessions(self) -> int:
        """Sessions still live right now."""
        return self._state.active_sessions()

    @property
    def requests(self) -> list[RequestRecord]:
        """Copy of the log of every protocol request, in arrival order (control-plane calls excluded)."""
        return self._state.records()

    def calls_per_session(self) -> dict[str, int]:
        """JSESSIONID -> authenticated calls served with it (login and logout not counted)."""
        return self._state.calls_per_session()

    def count(self, path: str, method: str | None = None) -> int:
        """How many logged requests hit ``path`` (no query string), optionally only with ``method``."""
        return self._state.count(path, method)

    def requests_per_route(self) -> dict[str, int]:
        """Path -> requests received (faulted, dropped and refused ones too; control plane excluded)."""
        return self._state.requests_per_route()

    @property
    def max_in_flight(self) -> int:
        """The most protocol requests being answered at the same moment since the last reset."""
        return self._state.max_in_flight

    @property
    def rate_limited(self) -> int:
        """429s sent by the rate limits (not injected faults) since the last reset."""
        return self._state.limits.rate_limited

    @property
    def imports_submitted(self) -> int:
        """TML imports accepted, sync and async (refused ones not counted), since the last reset."""
        return self._state.imports_submitted

    def status_polls(self) -> dict[str, int]:
        """Async import task id -> times a status answer reported it."""
        return dict(self._state.imports.polls)

    def stats(self) -> dict[str, object]:
        """Summarize as JSON-able counters (the same as ``GET /_fake/stats``).

        Keys: logins, failed_logins, logouts, active_sessions, calls_per_session, requests,
        requests_per_route, max_in_flight, rate_limited, imports_submitted, status_polls.
        """
        return self._state.stats()

    def reset(self) -> None:
        """Clear counters, log, sessions, faults, lockouts, async tasks, rate limits and latency.

        Users, the catalog, the Git repository and the knobs (async_import_seconds, data_row_cap,
        report_bytes) stay.
        """
        self._state.reset()

    # faults ------------------------------------------------------------------------------------------
    def fail_next(
        self,
        path: str | None,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        body: str | bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests to ``path`` (None: any path) with ``status`` instead."""
        raw = body.encode() if isinstance(body, str) else body
        fault = Fault(
            "status",
            status=status,
            retry_after=retry_after,
            body=raw,
            content_type=content_type,
            headers=tuple((headers or {}).items()),
        )
        self._state.add_fault(path, fault, times)

    def drop_next(self, path: str | None, *, times: int = 1) -> None:
        """Close the connection of the next ``times`` requests to ``path`` without answering."""
        self._state.add_fault(path, Fault("drop"), times)

    def delay_next(self, path: str | None, seconds: float, *, times: int = 1) -> None:
        """Sleep ``seconds`` before answering the next ``times`` requests to ``path`` normally."""
        self._state.add_fault(path, Fault("delay", seconds=seconds), times)

    def slow_body_next(self, path: str | None, seconds: float, *, times: int = 1) -> None:
        """Send half of the next ``times`` answers to ``path``, pause ``seconds``, then the rest."""
        self._state.add_fault(path, Fault("slow_body", seconds=seconds), times)

    def truncate_next(self, path: str | None, *, times: int = 1) -> None:
        """Cut the next ``times`` answers to ``path`` off halfway through the body, then hang up."""
        self._state.add_fault(path, Fault("truncate"), times)
