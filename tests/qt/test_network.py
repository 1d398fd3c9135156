"""The window on the network as clinics have it: proxies, trickling servers, odd clocks."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from core.helpers import RawServer
from core.tiny_proxy import ProxyProcess

from vital_desktop.core.client import ClientSettings
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child, token_claims, wait_for_demo, wait_for_link, wait_for_message

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


@pytest.fixture
def proxy() -> Iterator[ProxyProcess]:
    server = ProxyProcess()
    yield server
    server.stop()


def test_demo_mode_works_behind_a_proxy_and_never_sends_it_loopback_traffic(
    qtbot: Any, open_window: WindowFactory, proxy: ProxyProcess
) -> None:
    environ = {name: proxy.url for name in PROXY_VARIABLES}
    window = open_window(environ=environ)
    wait_for_demo(qtbot, window)
    qtbot.waitUntil(lambda: bool(child(window, "userIdEdit").text()), timeout=5000)
    window.controller.generate()
    link = wait_for_link(qtbot, window)
    assert token_claims(link)["user_id"] == child(window, "userIdEdit").text()
    assert proxy.seen == []
    assert proxy.client_bytes == b""


def _trickle(conn: socket.socket, server: RawServer) -> None:
    """Accept a request, then answer one byte a second, forever."""
    conn.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{}":
        conn.sendall(bytes([byte]))
        time.sleep(1)  # the hostile server's pace, not the test's wait


def test_a_trickling_server_ends_in_a_timeout_sentence_within_the_deadline(
    qtbot: Any, open_window: WindowFactory, patient_id: str
) -> None:
    server = RawServer(_trickle)
    try:
        settings = ClientSettings(
            connect_timeout=2, read_timeout=5, max_retries=0, overall_timeout=2.0
        )
        env = {"VITAL_API_KEY": "sk_us_" + "k" * 32, "VITAL_BASE_URL": server.base_url}
        window = open_window(environ=env, client_settings=settings, catalogue_delay_ms=60_000)
        child(window, "userIdEdit").setText(patient_id)
        started = time.monotonic()
        window.controller.generate()
        message = wait_for_message(qtbot, window, timeout=6000)
        assert time.monotonic() - started < 4.5
        assert "did not answer in time" in message
        assert not window.controller.busy
        assert child(window, "linkUrlEdit").text() == ""
    finally:
        server.stop()


@pytest.mark.parametrize("offset", [-3600.0, 0.0, 3600.0])
def test_a_shorter_server_lifetime_counts_right_whatever_the_servers_clock(
    qtbot: Any, open_window: WindowFactory, offset: float
) -> None:
    with SandboxServer(link_ttl=120.0, clock_offset=offset) as server:
        patient = str(server.state.create_user("short-lived")["user_id"])
        env = {"VITAL_API_KEY": server.demo_key, "VITAL_BASE_URL": server.base_url}
        window = open_window(environ=env, link_ttl=600.0)
        child(window, "userIdEdit").setText(patient)
        window.controller.generate()
        wait_for_link(qtbot, window)
        text = child(window, "countdownLabel").text()
        minutes, seconds = map(int, re.match(r"(\d\d):(\d\d) left", text).groups())  # type: ignore[union-attr]
        assert 115 <= minutes * 60 + seconds <= 120, text
        window.shutdown()
