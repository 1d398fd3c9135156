"""A tiny HTTP proxy on 127.0.0.1 (stdlib sockets only) that records what it saw.

``CONNECT host:port`` opens a tunnel to 127.0.0.1:port, whatever the host (so names that
never resolve, like ``api.vital-proxy.test``, reach a local test server); any other method
is forwarded in absolute form to 127.0.0.1. ``seen`` keeps each request line and
``client_bytes`` every byte a client sent, tunnels included, so a test can check that the
API key never crossed it in clear.

``ProxyProcess`` runs the same proxy as a separate process (``python tiny_proxy.py DIR``),
which is how a clinic's proxy really sits beside the app; it writes what it saw into DIR.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit


class TinyProxy:
    """A CONNECT/forward proxy that runs in threads until ``stop()``."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self._log_dir = log_dir
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
            if self._log_dir is not None:
                with (self._log_dir / "bytes.bin").open("ab") as out:
                    out.write(data)

    def _saw(self, line: str) -> None:
        with self._lock:
            self.seen.append(line)
            if self._log_dir is not None:
                with (self._log_dir / "seen.txt").open("a", encoding="latin-1") as out:
                    out.write(line + "\n")

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
            self._saw(line)
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


class ProxyProcess:
    """``TinyProxy`` in a process of its own; ``seen`` and ``client_bytes`` as the class."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="tiny-proxy-"))
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(self._dir)], stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def seen(self) -> list[str]:
        path = self._dir / "seen.txt"
        return path.read_text("latin-1").splitlines() if path.exists() else []

    @property
    def client_bytes(self) -> bytes:
        path = self._dir / "bytes.bin"
        return path.read_bytes() if path.exists() else b""

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)
        if self._process.stdout is not None:
            self._process.stdout.close()


if __name__ == "__main__":
    proxy = TinyProxy(Path(sys.argv[1]))
    print(proxy.port, flush=True)
    threading.Event().wait()
