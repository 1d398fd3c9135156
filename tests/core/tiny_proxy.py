"""A tiny HTTP proxy on 127.0.0.1 (stdlib sockets only) that records what it saw.

``CONNECT host:port`` opens a tunnel to 127.0.0.1:port, whatever the host (so names that
never resolve, like ``api.vital-proxy.test``, reach a local test server); any other method
is forwarded in absolute form to 127.0.0.1. ``seen`` keeps each request line and
``client_bytes`` every byte a client sent, tunnels included, so a test can check that the
API key never crossed it in clear.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit


class TinyProxy:
    """A CONNECT/forward proxy that runs in threads until ``stop()``."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: list[str] = []
        self.client_bytes = bytearray()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if self._stopped:
                conn.close()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _record(self, data: bytes) -> None:
        with self._lock:
            self.client_bytes.extend(data)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            self._record(head)
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            with self._lock:
                self.seen.append(line)
            method, target, _ = line.split(" ", 2)
            if method == "CONNECT":
                port = int(target.rsplit(":", 1)[1])
                with socket.create_connection(("127.0.0.1", port), timeout=10) as upstream:
                    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    self._pump(conn, upstream)
                return
            parts = urlsplit(target)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            rest = head.split(b"\r\n", 1)[1]
            request = f"{method} {path} HTTP/1.1\r\n".encode("latin-1") + rest
            with socket.create_connection(("127.0.0.1", parts.port or 80), timeout=10) as upstream:
                upstream.sendall(request)
                self._pump(conn, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy both ways until either side closes; record what the client sends."""

        def client_to_upstream() -> None:
            try:
                while data := client.recv(65536):
                    self._record(data)
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    upstream.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        forward = threading.Thread(target=client_to_upstream, daemon=True)
        forward.start()
        try:
            while data := upstream.recv(65536):
                client.sendall(data)
        except OSError:
            pass
        forward.join(10)

    def stop(self) -> None:
        self._stopped = True
        # close() does not wake a thread blocked in accept(); a last connection does.
        with socket.create_connection(("127.0.0.1", self.port), timeout=2):
            pass
        self._thread.join(5)
        self._listener.close()
