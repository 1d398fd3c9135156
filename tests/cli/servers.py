"""Tiny loopback HTTP servers for what the stand-in will not do: trickle, or send tampered text.

Each is a real server on a real socket; the CLI under test talks to it over HTTP exactly as
it would to Vital.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _read_request(conn: socket.socket) -> bytes:
    """Read the request head and a Content-Length body (enough for the CLI's one POST)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


class _Server:
    """Accept loop on a daemon thread; ``answer(conn)`` handles one connection."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                _read_request(conn)
                self.requests += 1
                self.answer(conn)
            except OSError:
                pass  # the client gave up: that is what several tests want

    def answer(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()
        self._thread.join(5)


class TrickleServer(_Server):
    """Sends a valid 200 reply one byte a second: every read succeeds, the whole never ends.

    ``head_first`` sends the status line and headers at once and trickles only the body.
    After ``give_up_after`` bytes it hangs up, so a client without an overall deadline
    fails its test in seconds rather than hanging until the suite's timeout.
    """

    def __init__(self, head_first: bool, give_up_after: int = 10) -> None:
        super().__init__()
        self.head_first = head_first
        self.give_up_after = give_up_after

    def answer(self, conn: socket.socket) -> None:
        body = json.dumps({"link_token": "t" * 200, "link_web_url": "https://x.example/"})
        reply = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()
        if self.head_first:
            head, _, rest = reply.partition(b"\r\n\r\n")
            conn.sendall(head + b"\r\n\r\n")
            reply = rest
        for index in range(min(len(reply), self.give_up_after)):
            conn.sendall(reply[index : index + 1])
            if self.stopping.wait(1.0):
                return


class CannedServer(_Server):
    """Answers every request with one fixed status and JSON body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__()
        self.status = status
        self.body = json.dumps(body).encode()

    def answer(self, conn: socket.socket) -> None:
        conn.sendall(
            f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n".encode()
            + self.body
        )


@contextmanager
def running(server: _Server) -> Iterator[Any]:
    """Start ``server``; stop it after the block."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
