"""Fixtures for the link window: a real stand-in server on loopback, a real window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from vital_desktop.core.client import ClientSettings
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.options import AppOptions
from vital_desktop.sandbox import SandboxServer

# Short timeouts and no retries, so every failure shows within a second or two.
FAST = ClientSettings(
    connect_timeout=2.0, read_timeout=3.0, max_retries=0, retry_after_cap=0.2, backoff=0.05
)

WindowFactory = Callable[..., LinkWindow]


@pytest.fixture
def practice_server() -> Iterator[SandboxServer]:
    server = SandboxServer(host="127.0.0.1", port=0, link_ttl=600.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def patient_id(practice_server: SandboxServer) -> str:
    return str(practice_server.state.create_user("qt-test-patient")["user_id"])


@pytest.fixture
def open_window(qtbot: Any) -> Iterator[WindowFactory]:
    """Build a shown LinkWindow from AppOptions keywords (fast client, no real env)."""
    windows: list[LinkWindow] = []

    def factory(**overrides: Any) -> LinkWindow:
        settings: dict[str, Any] = {
            "catalogue_delay_ms": 0,
            "client_settings": FAST,
            "environ": {},
        }
        seams = overrides.pop("controller_seams", {})
        settings.update(overrides)
        window = LinkWindow(AppOptions(**settings), **seams)
        window.resize(1120, 780)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # shortcuts (Escape, Ctrl+Enter) need the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.shutdown()
        assert window.controller.service.wait_for_done(15_000), "a worker outlived its timeout"
        # Delete on the GUI thread now, so a garbage collection that happens to run in a
        # worker thread later never destroys Qt objects there.
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def connect_env(practice_server: SandboxServer) -> dict[str, str]:
    """VITAL_API_KEY and VITAL_BASE_URL pointing at the stand-in."""
    return {"VITAL_API_KEY": practice_server.demo_key, "VITAL_BASE_URL": practice_server.base_url}


@pytest.fixture
def window(open_window: WindowFactory, connect_env: dict[str, str]) -> LinkWindow:
    """A window connected to the stand-in through the environment variables."""
    return open_window(environ=connect_env)
