"""A server that takes 30 s to answer never freezes the window, and Cancel really cancels."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWidget

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
    qtbot.waitUntil(lambda: window.controller.service.active_count() == 0, timeout=10_000)
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
    assert button.text() == "Asking Vital…"  # not yet a Cancel button: see the double-click test
    assert window.busy.isVisible()
    qtbot.waitUntil(lambda: button.text() == "Cancel", timeout=3000)
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    qtbot.wait(1500)
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 50
    assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.3f} s"
    assert window.controller.busy

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # Cancel
    assert button.text() == "&Generate link"
    assert not window.busy.isVisible()
    assert not window.controller.busy
    _assert_nothing_arrives_later(qtbot, window, practice_server)


def test_escape_cancels_a_request_in_flight(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    window.controller.generate()
    assert window.controller.busy
    qtbot.keyClick(child(window, "userIdEdit"), Qt.Key.Key_Escape)
    assert not window.controller.busy
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
    window.controller.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    window.controller.cancel()
    window.controller.generate()  # the fault is used up: this one answers at once
    qtbot.waitUntil(lambda: bool(child(window, "linkUrlEdit").text()), timeout=5000)
    assert child(window, "messageArea").isHidden()


def test_a_double_click_sends_one_request_and_does_not_cancel_it(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    button = child(window, "generateButton")
    qtbot.mouseDClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # and a third, impatient click
    assert window.controller.busy
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    qtbot.wait(300)
    assert window.controller.busy, "a click of the double-click cancelled the request"
    assert len(practice_server.request_log.matching("POST", "/v2/link/token")) == 1
    # The deliberate ways to cancel still work at once: the separate Cancel control.
    cancel = child(window, "cancelButton")
    assert cancel.isVisible()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not window.controller.busy
    _assert_nothing_arrives_later(qtbot, window, practice_server)


def test_cancel_closes_the_connection_and_frees_the_worker_at_once(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    """The server holds the answer for 30 s; Cancel must not wait for it."""
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    window.controller.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    assert window.controller.service.active_count() >= 1
    started = time.monotonic()
    window.controller.cancel()
    # The socket is shut down under the worker: it returns within moments, not after 30 s.
    qtbot.waitUntil(lambda: window.controller.service.active_count() == 0, timeout=1500)
    assert time.monotonic() - started < 1.5
    assert threading.active_count() < 30
    assert not [t for t in threading.enumerate() if t.name == "vital-api"]


def test_the_waiting_state_appears_without_moving_anything_else(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    """Showing the progress bar, its sentence and Cancel on a click must not lay the window
    out again (a relayout of the whole window is a dropped frame at the click): every other
    widget keeps its place, and nothing jumps under the mouse."""
    window = _slow_window(open_window, connect_env, practice_server, patient_id)
    window.resize(window.minimumSizeHint())  # no slack anywhere to hide a relayout in
    qtbot.wait(50)
    # Generate itself changes its words ("Asking Vital…"), so its own width may change.
    waiting = (window.busy, window.busy_label, window.cancel_button, window.generate_button)
    others = [w for w in window.findChildren(QWidget) if w.isVisible() and w not in waiting]
    before = {id(w): w.geometry() for w in others}
    qtbot.mouseClick(child(window, "generateButton"), Qt.MouseButton.LeftButton)
    assert window.busy.isVisible() and window.cancel_button.isVisible()
    qtbot.wait(50)
    moved = [w.objectName() or type(w).__name__ for w in others if w.geometry() != before[id(w)]]
    assert moved == []
    window.controller.cancel()
    _assert_nothing_arrives_later(qtbot, window, practice_server)
