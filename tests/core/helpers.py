"""Helpers for the core tests: real loopback HTTP servers, never mocks.

``scripted`` is a tiny HTTP server whose reply each test sets (status, headers, raw body);
it records every request with its headers. ``tls_server`` is the same server behind a
self-signed certificate made with the ``openssl`` command. ``closed_port`` is a loopback
port nobody listens on. ``RawServer`` hands each accepted loopback connection to a test
function, for servers that trickle bytes or never answer.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from contract import validate_request

from vital_desktop.core.client import ClientSettings, VitalClient
from vital_desktop.core.environments import custom_target

KEY = "sk_us_Zx9secretKEYvalue0123456789abcdef"
UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    chunked: bool = False  # send the body in chunks, without a content-length
    drop: bool = False  # close the connection without answering


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Seen], Reply]


class ScriptedServer:
    """A real HTTP/1.1 server on 127.0.0.1 that answers what the test tells it to."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.reply: Reply | Responder = Reply()
        self.requests: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                owner.requests.append(seen)
                reply = owner.reply(seen) if callable(owner.reply) else owner.reply
                if reply.drop:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                headers = {k.lower(): v for k, v in reply.headers.items()}
                for name, value in headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("transfer-encoding", "chunked")
                elif "content-length" not in headers:
                    self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                if not reply.chunked:
                    self.wfile.write(reply.body)
                    return
                try:
                    for start in range(0, len(reply.body), 8192):
                        piece = reply.body[start : start + 8192]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:  # the client stopped reading: that is the point
                    self.close_connection = True

            do_GET = do_POST = do_DELETE = do_PUT = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if context is not None:
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        scheme = "https" if context is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def set(self, status: int = 200, body: bytes | str = b"{}", **headers: str) -> None:
        raw = body.encode() if isinstance(body, str) else body
        hdrs = {"content-type": "application/json"}
        hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
        self.reply = Reply(status, raw, hdrs)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


def fast_settings(**overrides: float) -> ClientSettings:
    values: dict[str, float] = {
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_retries": 2,
        "retry_after_cap": 0.2,
        "backoff": 0.01,
    }
    values.update(overrides)
    return ClientSettings(**values)  # type: ignore[arg-type]


def client_for(base_url: str, key: str = KEY, **settings: float) -> VitalClient:
    return VitalClient(key, custom_target(base_url), fast_settings(**settings))


def assert_sent_by_contract(log: Iterable[Any]) -> int:
    """Validate every request a stand-in recorded against the contract; return how many."""
    count = 0
    for entry in log:
        validate_request(entry.method, entry.path, entry.query or None, entry.body)
        count += 1
    return count


class RawServer:
    """A loopback TCP server that runs ``handle(conn, server)`` for each connection.

    ``events`` collects what handlers report (with ``note``), and ``changed`` wakes tests
    waiting for a condition with ``wait_for``.
    """

    def __init__(self, handle: Callable[[socket.socket, RawServer], None]) -> None:
        self._handle = handle
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.events: list[tuple[str, float]] = []
        self.changed = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self._handle(conn, self)
            except OSError:
                self.note("server socket error")

    def note(self, event: str) -> None:
        with self.changed:
            self.events.append((event, time.monotonic()))
            self.changed.notify_all()

    def wait_for(self, event: str, timeout: float) -> float | None:
        """The monotonic time ``event`` was noted, waiting up to ``timeout`` for it."""

        def found() -> float | None:
            return next((at for name, at in self.events if name == event), None)

        with self.changed:
            self.changed.wait_for(lambda: found() is not None, timeout)
            return found()

    def stop(self) -> None:
        self._stopped = True
        # close() does not wake a thread blocked in accept(); a last connection does.
        with socket.create_connection(("127.0.0.1", self.port), timeout=2):
            pass
        self._thread.join(5)
        self._listener.close()


def read_request_head(conn: socket.socket) -> bytes:
    """Read up to the end of a request's headers (enough for bodiless GETs)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
