"""A hostile stand-in for the Vital API on loopback: every call the app makes, answered
well, except the one call a test points a fault at.

``HostileServer`` extends ``core.helpers.RawServer`` (raw sockets, so it can trickle, reset
mid-body or stall). It knows one patient (``UID`` / ``CLIENT_ID``), answers every route the
app uses with bodies the contract accepts, and, when ``arm(fault, call)`` is set, answers
that call with the fault instead. Every text a fault sends echoes the API key it was sent
(the canary), so a leak of a server's words is a leak of the key. Tokens and codes it
issues are kept in ``issued`` for the leak search.

``FAULTS`` names every fault; ``SERVER_FAULTS`` are those of the whole address (TLS, DNS,
refused), made by pointing the app at another URL rather than by this server. ``expected``
says which sentence (by its kind) each fault must end in for each call and surface.
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
import socket
import ssl
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from core.helpers import RawServer

# The canary: a well-formed sandbox key nobody else uses, searched for everywhere afterwards.
CANARY = "sk_us_FaultCanaryQRSTUVWXYZqrstuvwxyzMNOPkl"
UID = "4c6e1f2a-9b3d-4e5f-8a7b-1c2d3e4f5a6b"
NEW_UID = "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"
CLIENT_ID = "MRN-0042"
NEW_CLIENT_ID = "MRN-NEW-7"
REDIRECT = "https://clinic.example/done"
TIMEOUT = 1.0  # the client's overall deadline in these tests: delays and trickles end by then

# The calls the app makes, by the name the tests use.
CALLS = {
    "token": ("POST", re.compile(r"^/v2/link/token$")),
    "code": ("POST", re.compile(r"^/v2/link/code/create$")),
    "resolve": ("GET", re.compile(r"^/v2/user/resolve/[^/]+$")),
    "search": ("GET", re.compile(r"^/v2/team/users/search$")),
    "user": ("GET", re.compile(r"^/v2/user/(?!resolve/|providers/)[^/]+$")),
    "create": ("POST", re.compile(r"^/v2/user$")),
    "catalogue": ("GET", re.compile(r"^/v2/providers$")),
    "poll": ("GET", re.compile(r"^/v2/user/providers/[^/]+$")),
    "demo": ("POST", re.compile(r"^/v2/link/connect/demo$")),
}

# Faults this server answers with, for one call.
HTTP_FAULTS = (
    "400",
    "401",
    "403",
    "404",
    "422-list",
    "422-string",
    "422-object",
    "429",
    "429-retry-after",
    "500",
    "502-html",
    "503",
    "delay-30",
    "trickle",
    "reset",
    "invalid-json",
    "missing-fields",
    "huge",
    "gzip-bomb",
    "gzip-gzip-bomb",
    "redirect",
)
# Faults of the whole address: the app is pointed elsewhere.
SERVER_FAULTS = ("tls-plain", "tls-self-signed", "refused", "dns")
FAULTS = HTTP_FAULTS + SERVER_FAULTS

# The sentence each kind of failure ends in (a fragment every such sentence holds).
SENTENCES = {
    "key": "did not accept the API key",
    "refused": "Vital refused the request",
    "no-user": "Vital has no such user",
    "not-api": "answers like the Vital API",
    "invalid": "Vital rejected the request as invalid",
    "rate": "too many requests",
    "server": "Vital's servers had a problem",
    "timeout": "did not answer in time",
    "connect": "Could not connect to Vital",
    "garbled": "could not understand",
    "large": "far larger reply",
    "status": "unexpected status",
    "tls": "secure connection",
    "dns": "could not be found",
}

FAULT_KIND = {
    "400": "refused",
    "401": "key",
    "403": "key",
    "404": "not-api",
    "422-list": "invalid",
    "422-string": "invalid",
    "422-object": "invalid",
    "429": "rate",
    "429-retry-after": "rate",
    "500": "server",
    "502-html": "server",
    "503": "server",
    "delay-30": "timeout",
    "trickle": "timeout",
    "reset": "connect",
    "invalid-json": "garbled",
    "missing-fields": "garbled",
    "huge": "large",
    "gzip-bomb": "large",
    "gzip-gzip-bomb": "large",
    "redirect": "status",
    "tls-plain": "tls",
    "tls-self-signed": "tls",
    "refused": "connect",
    "dns": "dns",
}
# Endpoints where a Vital-shaped 404 means "no such user".
USER_CALLS = frozenset({"token", "code", "user", "resolve", "poll", "demo"})


def expected_kind(fault: str, call: str) -> str:
    """The kind of sentence ``fault`` on ``call`` must end in (a key of SENTENCES)."""
    if fault == "404" and call in USER_CALLS:
        return "no-user"
    return FAULT_KIND[fault]


def sentence(fault: str, call: str) -> str:
    return SENTENCES[expected_kind(fault, call)]


# ------------------------------------------------------------------ healthy answers


def _user(user_id: str = UID, client_user_id: str = CLIENT_ID) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "client_user_id": client_user_id,
        "team_id": "team-hostile",
        "created_on": "2026-01-05T10:00:00+00:00",
        "connected_sources": [],
    }


CATALOGUE = [
    {"slug": "oura", "name": "Oura", "description": "Ring", "auth_type": "oauth"},
    {"slug": "fitbit", "name": "Fitbit", "description": "Watch", "auth_type": "oauth"},
    {"slug": "apple_health_kit", "name": "Apple HealthKit", "description": "", "auth_type": "sdk"},
]


def _missing_fields(call: str) -> Any:
    """A reply of the right shape with the fields the app needs left out."""
    return {
        "search": [{"team_id": "t"}],
        "catalogue": [{"description": "no slug, no name"}],
        "poll": {"providers": [{"name": "Oura"}]},
    }.get(call, {"note": "nothing you need"})


@cache
def gzip_bomb() -> bytes:
    """64 MB of zeros in one gzip layer (about 64 KB on the wire)."""
    return gzip.compress(b"\0" * (64 << 20), compresslevel=9, mtime=0)


@cache
def layered_bomb() -> bytes:
    """256 MB of zeros in two gzip layers (a few KB on the wire)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    parts = [inner.compress(block) for _ in range(256)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), compresslevel=9, mtime=0)


# ------------------------------------------------------------------ the server


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def call(self) -> str | None:
        for name, (method, pattern) in CALLS.items():
            if method == self.method and pattern.match(self.path):
                return name
        return None


def read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    parts = urlsplit(target)
    return Request(method, unquote(parts.path), parse_qs(parts.query), headers, body)


def _head(status: int, reason: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
    lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(conn: socket.socket, status: int, body: bytes, reason: str = "X", **headers: str) -> None:
    fields = {"content-type": "application/json", "content-length": str(len(body))}
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})
    conn.sendall(_head(status, reason, fields) + body)


def _json(conn: socket.socket, status: int, value: Any, **headers: str) -> None:
    _send(conn, status, json.dumps(value).encode(), **headers)


class HostileServer(RawServer):
    """Every call answered; the armed call answered with the armed fault."""

    def __init__(self) -> None:
        super().__init__(lambda conn, server: self._answer(conn))
        self.fault: str | None = None
        self.call: str | None = None
        self.seen: list[tuple[str | None, str, str]] = []  # (call, method, path)
        self.issued: list[str] = []  # every token and code handed out
        self.demo_connected: set[str] = set()
        self.redirect_to = ""  # the other host a redirect names
        self._lock = threading.Lock()
        self._closing = threading.Event()

    def arm(self, fault: str | None, call: str | None) -> None:
        self.fault, self.call = fault, call

    def reset(self) -> None:
        self.arm(None, None)
        self.seen.clear()
        self.demo_connected.clear()

    def calls_seen(self) -> list[str | None]:
        return [call for call, _, _ in self.seen]

    def stop(self) -> None:
        self._closing.set()
        super().stop()

    # -------------------------------------------------------------- answering

    def _answer(self, conn: socket.socket) -> None:
        request = read_request(conn)
        if request is None:
            return
        call = request.call
        with self._lock:
            self.seen.append((call, request.method, request.path))
        key = request.headers.get("x-vital-api-key", "")
        if call is not None and call == self.call and self.fault is not None:
            self._fault(conn, self.fault, call, key, request.path)
        else:
            self._healthy(conn, request, call)

    def _healthy(self, conn: socket.socket, request: Request, call: str | None) -> None:
        if call == "token":
            token = "hostile-token-" + secrets.token_hex(16)
            self.issued.append(token)
            url = f"https://link.hostile.example/?token={token}"
            _json(conn, 200, {"link_token": token, "link_web_url": url})
        elif call == "code":
            code = "skus" + secrets.token_hex(4) + secrets.token_hex(6)
            self.issued.append(code)
            expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            exchange = f"tryvital://tryvital?code={code}"
            _json(conn, 200, {"code": code, "exchange_url": exchange, "expires_at": expires})
        elif call == "resolve":
            wanted = request.path.rsplit("/", 1)[1]
            if wanted == CLIENT_ID:
                _json(conn, 200, _user())
            else:
                _json(conn, 404, {"detail": {"error_type": "USER_NOT_FOUND"}})
        elif call == "search":
            wanted = request.query.get("query_id", [""])[0]
            _json(conn, 200, [_user()] if wanted == CLIENT_ID else [])
        elif call == "user":
            wanted = request.path.rsplit("/", 1)[1]
            if wanted in (UID, NEW_UID):
                _json(conn, 200, _user(wanted))
            else:
                _json(conn, 404, {"detail": {"error_type": "USER_NOT_FOUND"}})
        elif call == "create":
            client_id = json.loads(request.body or b"{}").get("client_user_id", "")
            _json(conn, 200, _user(NEW_UID, client_id))
        elif call == "catalogue":
            _json(conn, 200, CATALOGUE)
        elif call == "poll":
            now = "2026-01-05T10:00:00+00:00"
            providers = [
                {"slug": slug, "name": slug.title(), "status": "connected", "created_on": now}
                for slug in sorted(self.demo_connected)
            ]
            _json(conn, 200, {"providers": providers})
        elif call == "demo":
            slug = json.loads(request.body or b"{}").get("provider", "")
            self.demo_connected.add(slug)
            _json(conn, 200, {"success": True, "detail": "demo connection made"})
        else:
            _json(conn, 404, {"detail": "Not Found"})

    def _fault(self, conn: socket.socket, fault: str, call: str, key: str, path: str) -> None:
        echo = f"(you sent {key})"  # a server that quotes the key back: it must never show
        if fault == "400":
            _json(conn, 400, {"detail": f"Bad request {echo}"})
        elif fault in ("401", "403"):
            _json(conn, int(fault), {"detail": f"Invalid API key {echo}"})
        elif fault == "404":
            # Vital-shaped on every call: on user calls it means "no such user".
            _json(conn, 404, {"detail": {"error_type": "USER_NOT_FOUND", "message": echo}})
        elif fault == "422-list":
            detail = [{"loc": ["body", "user_id"], "msg": f"bad value {echo}", "type": "x"}]
            _json(conn, 422, {"detail": detail})
        elif fault == "422-string":
            _json(conn, 422, {"detail": f"invalid request {echo}"})
        elif fault == "422-object":
            _json(conn, 422, {"detail": {"error_message": f"nope {echo}", "code": 7}})
        elif fault == "429":
            _json(conn, 429, {"detail": f"slow down {echo}"})
        elif fault == "429-retry-after":
            # Longer than any retry cap: the client says how long, and does not wait.
            _json(conn, 429, {"detail": "slow down"}, retry_after="120")
        elif fault == "500":
            _json(conn, 500, {"detail": f"Internal error {echo}"})
        elif fault == "502-html":
            page = f"<html><body><h1>502 Bad Gateway</h1><p>{echo}</p></body></html>"
            _send(conn, 502, page.encode(), content_type="text/html")
        elif fault == "503":
            _json(conn, 503, {"detail": "maintenance"})
        elif fault == "delay-30":
            self._sleep(30)
            _json(conn, 200, {})
        elif fault == "trickle":
            reply = _head(200, "OK", {"content-type": "application/json"}) + b"{}" * 50
            for byte in reply:
                conn.sendall(bytes([byte]))
                if self._sleep(1):
                    return
        elif fault == "reset":
            head = _head(200, "OK", {"content-type": "application/json", "content-length": "5000"})
            conn.sendall(head + b'{"link_token": "' + b"x" * 100)
            time.sleep(0.05)
            # SO_LINGER 0: close() sends a RST, not a FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif fault == "invalid-json":
            _send(conn, 200, b'{"link_token": "abc", oops' + echo.encode())
        elif fault == "missing-fields":
            _json(conn, 200, _missing_fields(call))
        elif fault == "huge":
            # 20 MB, no length announced: only counting what arrives can stop it.
            conn.sendall(_head(200, "OK", {"content-type": "application/json"}))
            piece = b'"' + b"a" * 65534 + b'"'
            conn.sendall(b"[")
            for _ in range(320):
                conn.sendall(piece + b",")
            conn.sendall(b"0]")
        elif fault == "gzip-bomb":
            _send(conn, 200, gzip_bomb(), content_encoding="gzip")
        elif fault == "gzip-gzip-bomb":
            _send(conn, 200, layered_bomb(), content_encoding="gzip, gzip")
        elif fault == "redirect":
            _json(conn, 307, {"detail": "moved"}, location=self.redirect_to + path)
        else:
            raise AssertionError(f"unknown fault {fault}")

    def _sleep(self, seconds: float) -> bool:
        """Sleep, or stop early when the server closes; True when it closed."""
        return self._closing.wait(seconds)


class PlainTcpServer(RawServer):
    """Speaks plain HTTP to whoever connects: an https client gets no TLS handshake."""

    def __init__(self) -> None:
        super().__init__(self._answer)

    @staticmethod
    def _answer(conn: socket.socket, server: RawServer) -> None:
        conn.recv(65536)
        server.note("connected")
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")


class CountingServer(RawServer):
    """Another host, for redirects: it only counts who came (nobody should)."""

    def __init__(self) -> None:
        super().__init__(self._answer)

    @staticmethod
    def _answer(conn: socket.socket, server: RawServer) -> None:
        data = conn.recv(65536)
        if data:
            server.note("request")
            _json(conn, 200, {})


class SelfSignedServer:
    """A healthy-looking HTTPS server whose certificate nobody trusts."""

    def __init__(self, cert: Path, key: Path) -> None:
        class Handler(BaseHTTPRequestHandler):
            timeout = 5

            def do_GET(self) -> None:
                body = b"{}"
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client refusing the certificate is the point, not news

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._httpd = Quiet(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # The handshake in each handler's thread, not in the accept loop: a client that
        # gives up mid-handshake must not hold up the next one.
        self._httpd.socket = context.wrap_socket(
            self._httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        self.base_url = f"https://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Servers:
    """What a whole test module shares: the hostile server and the other addresses."""

    hostile: HostileServer
    other_host: CountingServer
    plain_tcp: PlainTcpServer
    self_signed: SelfSignedServer
    refused_port: int

    def base_url(self, fault: str | None) -> str:
        """Where the app is pointed for ``fault`` (server faults need another address)."""
        if fault == "tls-plain":
            return f"https://127.0.0.1:{self.plain_tcp.port}"
        if fault == "tls-self-signed":
            return self.self_signed.base_url
        if fault == "refused":
            return f"http://127.0.0.1:{self.refused_port}"
        if fault == "dns":
            return "https://vital-api.hostile.invalid"
        return self.hostile.base_url

    def arm(self, fault: str | None, call: str) -> None:
        self.hostile.reset()
        if fault in HTTP_FAULTS:
            self.hostile.arm(fault, call)


def near_echoes(secret: str) -> list[str]:
    """The secret in the forms a leak takes: as is, any case, without its prefix."""
    bare = secret.split("_", 2)[-1] if secret.startswith(("sk_", "pk_")) else secret
    forms = {secret, secret.lower(), secret.upper(), bare, bare.lower()}
    return [form for form in forms if len(form) >= 12]


def holds_secret(text: str, secrets_: list[str]) -> list[str]:
    """The secrets (first characters) ``text`` holds in any near form."""
    return [s[:12] for s in secrets_ if any(form in text for form in near_echoes(s))]


def files_holding(root: Path, secrets_: list[str]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for secret in secrets_:
            if any(form.encode() in data for form in near_echoes(secret)):
                found.append(f"{path.relative_to(root)} holds {secret[:12]}…")
    return found
