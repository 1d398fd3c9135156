"""The overall deadline and real cancellation, against raw loopback servers.

A server that trickles its reply a byte at a time never trips a per-read timeout; only the
overall deadline ends the call. A cancelled call shuts its socket down at once: the server
sees the connection closed and the worker thread is gone within a second.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from vital_desktop.core.cancel import Cancelled, CancelToken, running
from vital_desktop.core.errors import ErrorKind, VitalError

from .helpers import KEY, RawServer, client_for, read_request_head

BODY = b"[" + b" " * 200 + b"]"
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(
    BODY
)
STEP = 0.2  # seconds between two trickled bytes: far under any read timeout below


def _trickle(data: bytes, conn: socket.socket) -> None:
    for index in range(len(data)):
        conn.sendall(data[index : index + 1])
        time.sleep(STEP)


@pytest.fixture
def trickle_headers() -> Iterator[RawServer]:
    def handle(conn: socket.socket, server: RawServer) -> None:
        read_request_head(conn)
        server.note("request")
        _trickle(HEAD + BODY, conn)

    server = RawServer(handle)
    yield server
    server.stop()


@pytest.fixture
def trickle_body() -> Iterator[RawServer]:
    def handle(conn: socket.socket, server: RawServer) -> None:
        read_request_head(conn)
        conn.sendall(HEAD)  # headers at once, then the body a byte at a time
        _trickle(BODY, conn)

    server = RawServer(handle)
    yield server
    server.stop()


@pytest.mark.parametrize("fixture", ["trickle_headers", "trickle_body"])
def test_trickling_server_ends_in_timeout_within_the_deadline(
    request: pytest.FixtureRequest, fixture: str
) -> None:
    server: RawServer = request.getfixturevalue(fixture)
    with client_for(server.base_url, read_timeout=2.0, overall_timeout=1.0) as client:
        start = time.monotonic()
        with pytest.raises(VitalError) as info:
            client.providers()
        elapsed = time.monotonic() - start
    err = info.value
    assert err.kind is ErrorKind.TIMEOUT
    assert err.message == (
        f"Vital (127.0.0.1:{server.port}) did not answer in time. Check the network and try again."
    )
    # The whole reply would take over 40 s at this pace; each byte comes well within 2 s.
    assert 0.9 <= elapsed < 2.0


def test_overall_timeout_default() -> None:
    from vital_desktop.core.client import ClientSettings

    assert ClientSettings().overall_timeout == 30.0


def test_retry_wait_that_would_pass_the_deadline_is_not_taken() -> None:
    def handle(conn: socket.socket, server: RawServer) -> None:
        read_request_head(conn)
        server.note("request")
        conn.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
            b"retry-after: 3\r\ncontent-length: 2\r\n\r\n{}"
        )

    server = RawServer(handle)
    slept: list[float] = []
    try:
        base = client_for(server.base_url, retry_after_cap=10, overall_timeout=1.0)
        from vital_desktop.core.client import VitalClient

        with VitalClient(KEY, base.target, base.settings, sleep=slept.append) as client:
            with pytest.raises(VitalError) as info:
                client.providers()
    finally:
        server.stop()
    assert slept == []  # a 3 s wait cannot fit in a 1 s deadline: report the 503 now
    assert info.value.kind is ErrorKind.SERVER_ERROR
    assert "Try again in about 3 seconds." in info.value.message


# ------------------------------------------------------------------ cancel


@pytest.fixture
def silent() -> Iterator[RawServer]:
    """Reads the request, never answers, and notes when the client closes the socket."""

    def handle(conn: socket.socket, server: RawServer) -> None:
        read_request_head(conn)
        server.note("request")
        conn.settimeout(30)
        while True:
            try:
                data = conn.recv(4096)
            except TimeoutError:
                return
            except OSError:
                data = b""
            if not data:
                server.note("closed")
                return

    server = RawServer(handle)
    yield server
    server.stop()


def test_cancel_shuts_the_socket_at_once(silent: RawServer) -> None:
    token = CancelToken()
    outcome: list[BaseException] = []

    with client_for(silent.base_url, read_timeout=20.0, overall_timeout=30.0) as client:

        def work() -> None:
            with running(token):
                try:
                    client.providers()
                except BaseException as exc:
                    outcome.append(exc)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        assert silent.wait_for("request", 5) is not None
        cancelled_at = time.monotonic()
        token.cancel()
        closed_at = silent.wait_for("closed", 1.0)
        worker.join(1.0)
        assert closed_at is not None, "the server never saw the connection closed"
        assert closed_at - cancelled_at < 1.0
        assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert not isinstance(outcome[0], VitalError)


def test_a_call_on_a_cancelled_token_sends_nothing(silent: RawServer) -> None:
    token = CancelToken()
    token.cancel()
    with client_for(silent.base_url) as client, running(token):
        with pytest.raises(Cancelled):
            client.providers()
    assert silent.wait_for("request", 0.2) is None
