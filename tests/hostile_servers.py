"""Small hostile HTTP servers for the security tests: each on 127.0.0.1, on a free port, standard library only.

A test gives a `respond(request, writer)` function: it sees what the hook sent and answers however it
likes, well-formed (``writer.reply``) or not (raw bytes, an endless body, one byte at a time). Every
request is recorded, so a test can show what a host received.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@dataclass(frozen=True)
class Seen:
    """One request as the hostile server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")


class Writer:
    """What a `respond` function writes with: a whole answer, or raw bytes as slowly as it likes."""

    def __init__(self, handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        self._handler = handler
        self.stop = stop

    def reply(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, reason: str = ""
    ) -> None:
        head = f"HTTP/1.1 {status} {reason or 'Hostile'}\r\n"
        all_headers = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
        head += "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
        self.raw(head.encode("latin-1") + body)

    def raw(self, data: bytes) -> None:
        self._handler.wfile.write(data)
        self._handler.wfile.flush()

    def drip(self, head: bytes, chunk: bytes, pause: float) -> None:
        """Send `head`, then `chunk` every `pause` seconds until the client goes away or the test ends."""
        with contextlib.suppress(OSError):
            self.raw(head)
            while not self.stop.is_set():
                self.raw(chunk)
                if pause:
                    self.stop.wait(pause)


@dataclass
class HostileServer:
    """A server on 127.0.0.1 whose every answer comes from `respond`; `url` is its base URL."""

    respond: Callable[[Seen, Writer], None]
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                server.seen.append(seen)
                with contextlib.suppress(OSError):
                    server.respond(seen, Writer(self, server._stop))
                self.close_connection = True

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._http.shutdown()
        self._http.server_close()


@contextlib.contextmanager
def hostile(respond: Callable[[Seen, Writer], None]) -> Iterator[HostileServer]:
    """Run a hostile server for the duration of a `with` block."""
    with HostileServer(respond) as server:
        yield server


def logged_in(seen: Seen, writer: Writer, cookie: str = "JSESSIONID=hostile-jsession-0123456789") -> bool:
    """Answer a v1 or v2 session login with 204 and a session cookie; False for any other request."""
    if not seen.path.endswith(("/session/login", "/auth/session/login")):
        return False
    writer.reply(204, headers={"Set-Cookie": f"{cookie}; Path=/"})
    return True


def monotonic_deadline(seconds: float) -> float:
    """A deadline for loops in servers (never for assertions)."""
    return time.monotonic() + seconds
