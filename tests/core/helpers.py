"""Helpers for the core tests: real loopback HTTP servers, never mocks.

``scripted`` is a tiny HTTP server whose reply each test sets (status, headers, raw body);
it records every request with its headers. ``tls_server`` is the same server behind a
self-signed certificate made with the ``openssl`` command. ``closed_port`` is a loopback
port nobody listens on.
"""

from __future__ import annotations

import ssl
import threading
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
