"""A server that takes 30 s to answer never freezes the window, and Cancel really cancels."""

from __future__ import annotations

import itertools
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer

from vital_desktop.core.client import ClientSettings
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child

PATIENT_WAIT = ClientSettings(connect_timeout=2, read_timeout=60, max_retries=0)


def _slow_window(
    open_window: WindowFactory, connect_env: dict[str, str], server: SandboxServer, user_id: str
) -> LinkWindow:
    window = open_window(environ=connect_env, client_settings=PATIENT_WAIT)
    server.faults.add("POST /v2/link/token=slow=30")
    child(window, "userIdEdit").setText(user_id)
    return window


def _assert_nothing_arrives_later(qtbot: Any, window: LinkWindow, server: SandboxServer) -> None:
    server.stop()  # ends the slow answer: the worker now finishes with an error
    qtbot.waitUntil(lambda: window.calls.active_count() == 0, timeout=10_000)
    qtbot.wait(100)  # let any queued outcome reach the GUI thread
    assert child(window, "messageArea").isHidden()
    assert child(window, "linkUrlEdit").text() == ""
    assert child(window, "generateButton").text() == "&Generate link"


def test_event_loop_keeps_running_during_a_30_second_request_and_cancel_works(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.monotonic()))
    heartbeat.start()
    button = child(window, "generateButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.text() == "Cancel"
    assert window.busy.isVisible()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    qtbot.wait(1500)
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 50
    assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.3f} s"
    assert window.requester.busy

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # Cancel
    assert button.text() == "&Generate link"
    assert not window.busy.isVisible()
    assert not window.requester.busy
    _assert_nothing_arrives_later(qtbot, window, practice_server)


def test_escape_cancels_a_request_in_flight(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    window.generate()
    assert window.requester.busy
    qtbot.keyClick(child(window, "userIdEdit"), Qt.Key.Key_Escape)
    assert not window.requester.busy
    assert child(window, "generateButton").text() == "&Generate link"
    _assert_nothing_arrives_later(qtbot, window, practice_server)


def test_a_new_request_after_cancel_gets_its_own_answer(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = open_window(environ=connect_env, client_settings=PATIENT_WAIT)
    practice_server.faults.add("POST /v2/link/token=slow=30,times=1")
    child(window, "userIdEdit").setText(patient_id)
    window.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    window.cancel()
    window.generate()  # the fault is used up: this one answers at once
    qtbot.waitUntil(lambda: bool(child(window, "linkUrlEdit").text()), timeout=5000)
    assert child(window, "messageArea").isHidden()
