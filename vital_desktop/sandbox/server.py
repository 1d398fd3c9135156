"""HTTP plumbing of the stand-in: threads, request parsing, faults, routing, replies.

Each connection gets a daemon thread, so a handler stuck in a ``slow`` fault or writing to
a reader that went away never keeps the process alive. ``stop()`` wakes every ``slow``
wait, shuts the open sockets and returns without waiting for handler threads.
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vital_desktop.core.environments import KEY_PREFIXES, Environment, Region, describe
from vital_desktop.sandbox.api import VitalApi
from vital_desktop.sandbox.errors import ApiError
from vital_desktop.sandbox.faults import HUGE_BODY_BYTES, Fault, FaultKind, FaultPlan
from vital_desktop.sandbox.messages import Request, Response
from vital_desktop.sandbox.requestlog import LoggedRequest, RequestLog
from vital_desktop.sandbox.routing import Route, find
from vital_desktop.sandbox.state import SandboxState
from vital_desktop.sandbox.widget import Widget

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
MAX_BODY_BYTES = 1_000_000
IDLE_TIMEOUT = 30.0


def _error(status: int, error_type: str, message: str, **headers: str) -> Response:
    body = {"detail": {"error_type": error_type, "error_message": message}}
    return Response.json(body, status, headers)


LONG_LINK_CHARS = 5000


def fault_response(fault: Fault) -> Response:
    """The reply an injected fault (other than ``slow`` and ``drop``) stands for."""
    if fault.kind is FaultKind.INVALID_JSON:
        return Response(200, b"<html><body>Bad gateway (injected fault)</body></html>")
    if fault.kind is FaultKind.MISSING_FIELDS:
        return Response.json({"injected_fault": "missing-fields"})
    if fault.kind is FaultKind.LONG_LINK:
        # Everything a link reply should be, except that no QR code can carry the link.
        padding = "A" * (LONG_LINK_CHARS - 40)
        return Response.json(
            {
                "link_token": "x.y.z",
                "link_web_url": f"https://link.tryvital.io/?token={padding}&env=sandbox",
            }
        )
    if fault.kind is FaultKind.HUGE:
        filler = "x" * HUGE_BODY_BYTES
        return Response(200, ('{"padding": "' + filler + '"}').encode("ascii"))
    status = fault.status or 500
    try:
        error_type = HTTPStatus(status).name
        phrase = HTTPStatus(status).phrase
    except ValueError:
        error_type, phrase = "INJECTED_FAULT", f"HTTP {status}"
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    return _error(status, error_type, f"{phrase} (injected fault {fault.spec}).", **headers)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sandbox: SandboxServer

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily) -> None:
        self.address_family = family
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Cut keep-alive connections so nothing is answered after ``stop()``."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-reply (huge bodies, timeouts) is routine, not an error.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        log.exception("sandbox handler failed")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK
    # would hold every keep-alive reply back by ~40 ms.
    disable_nagle_algorithm = True
    server: _HttpServer
    timeout = IDLE_TIMEOUT
    server_version = "VitalSandbox/1"

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header tells clients the server's "now": take it from the state's clock
        # so a ``clock_offset`` shows in it, as a real server's wrong clock would.
        sandbox = self.server.sandbox
        return super().date_time_string(sandbox.state.now() if timestamp is None else timestamp)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "date" and not self.server.sandbox.date_header:
            return  # rehearse a proxy or server that strips Date
        super().send_header(keyword, value)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by design: the request log records requests, and stderr noise would hide
        # test output. Never log the raw request line either: it can carry secrets.
        return

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            body = None
        if body is None:
            self.close_connection = True
            self._send(_error(413, "REQUEST_TOO_LARGE", "The request body is too large."))
            return
        parts = urlsplit(self.path)
        request = Request(
            self.command,
            parts.path or "/",
            parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        response = self.server.sandbox.dispatch(request)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class SandboxServer:
    """A local stand-in for the Vital API, its hosted link widget and fault injection.

    ``start()`` binds and serves on a daemon thread; ``stop()`` (or leaving the ``with``
    block) ends it promptly, even during a ``slow`` fault.

    ``link_ttl`` is the lifetime of the link tokens it mints (their ``exp`` claim).
    ``clock_offset`` (seconds) runs its clock ahead (+) or behind (-) this computer's: the
    ``Date`` header and token ``iat``/``exp`` follow it. ``date_header=False`` leaves the
    ``Date`` header out of every reply.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        environment: Environment = Environment.SANDBOX,
        region: Region = Region.US,
        link_ttl: float = 600.0,
        faults: FaultPlan | None = None,
        clock_offset: float = 0.0,
        date_header: bool = True,
    ) -> None:
        self.host = host
        self.environment = Environment(environment)
        self.region = Region(region)
        self.state = SandboxState(clock_offset=clock_offset)
        self.date_header = date_header
        self.faults = faults if faults is not None else FaultPlan()
        self.request_log = RequestLog()
        self.demo_key = (
            f"{KEY_PREFIXES[(self.environment, self.region)]}demo_{secrets.token_hex(8)}"
        )
        secret = secrets.token_bytes(32)
        self.api = VitalApi(self.state, self.environment, self.region, link_ttl, secret)
        self.widget = Widget(self.state, secret, describe(self.environment, self.region))
        self._routes: list[Route] = self.api.routes() + self.widget.routes()
        self._control: list[Route] = [
            Route("GET", "/_sandbox/faults", self._list_faults, auth=False),
            Route("POST", "/_sandbox/faults", self._add_fault, auth=False),
            Route("DELETE", "/_sandbox/faults", self._clear_faults, auth=False),
            Route("GET", "/_sandbox/landing", self.widget.landing, auth=False),
        ]
        self._requested_port = port
        self._stopping = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle

    def start(self) -> SandboxServer:
        """Bind and serve in the background; returns once the socket is listening."""
        if self._httpd is not None:
            raise RuntimeError("This sandbox server is already started.")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        httpd = _HttpServer((self.host, self._requested_port), family)
        httpd.sandbox = self
        self._httpd = httpd
        self.api.base_url = self.base_url
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"vital-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_open_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        if self._httpd is None:
            raise RuntimeError("The sandbox server is not started.")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the API base URL to give a client."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # -------------------------------------------------------------- dispatch

    def dispatch(self, request: Request) -> Response:
        """Answer one request: control endpoints, then faults, routing, auth, handler."""
        if request.path.startswith(CONTROL_PREFIX):
            return self._route(self._control, request)
        self.request_log.append(LoggedRequest.from_request(request))
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            if fault.kind is FaultKind.DROP:
                return Response(0, drop=True)
            if fault.kind is FaultKind.SLOW:
                if self._stopping.wait(fault.seconds):
                    return Response(0, drop=True)
            else:
                return fault_response(fault)
        return self._route(self._routes, request)

    def _route(self, routes: list[Route], request: Request) -> Response:
        route, params, path_exists = find(routes, request.method, request.path)
        if route is None:
            if path_exists:
                return _error(405, "METHOD_NOT_ALLOWED", "Method Not Allowed")
            return _error(404, "NOT_FOUND", "Not Found")
        try:
            if route.auth:
                self.api.authorize(request)
            return route.handler(request, params)
        except ApiError as error:
            return Response.json(error.body, error.status, error.headers)
        except Exception:
            log.exception("sandbox handler for %s %s failed", request.method, route.template)
            return _error(500, "INTERNAL_SERVER_ERROR", "The sandbox stand-in failed.")

    # ------------------------------------------------------- control endpoint

    def _fault_list(self) -> Response:
        return Response.json({"faults": [f.spec for f in self.faults.active]})

    def _list_faults(self, _: Request, __: dict[str, str]) -> Response:
        return self._fault_list()

    def _add_fault(self, request: Request, _: dict[str, str]) -> Response:
        try:
            payload = json.loads(request.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
        spec = payload.get("spec") if isinstance(payload, dict) else None
        if not isinstance(spec, str):
            return _error(400, "INVALID_FAULT", 'Send a JSON body like {"spec": "/v2/user=503"}.')
        try:
            self.faults.add(spec)
        except ValueError as problem:
            return _error(400, "INVALID_FAULT", str(problem))
        return self._fault_list()

    def _clear_faults(self, _: Request, __: dict[str, str]) -> Response:
        self.faults.clear()
        return self._fault_list()
