"""The GUI thread keeps its share while a link is made: the QR code is encoded and turned into
an image in the worker, only after the window has painted the click, and workers hand the GIL
back within a millisecond."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from vital_desktop.qt import service
from vital_desktop.qt.controllers import link_controller
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.service import SWITCH_INTERVAL, ApiService, after_next_paint
from vital_desktop.qt.widgets import qr_widget
from vital_desktop.sandbox import SandboxServer

from .helpers import child, decode_qr, wait_for_link


@pytest.fixture
def switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def test_the_service_shortens_the_switch_interval(qapp: Any, switch_interval: None) -> None:
    sys.setswitchinterval(0.005)  # CPython's default: a GUI thread waits up to 5 ms
    made = ApiService()
    assert sys.getswitchinterval() <= SWITCH_INTERVAL
    made.shutdown()
    sys.setswitchinterval(0.0001)  # never lengthened
    ApiService().shutdown()
    assert sys.getswitchinterval() == pytest.approx(0.0001)


class _Updates(QObject):
    def __init__(self, watched: QObject) -> None:
        super().__init__(watched)
        self.count = 0
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.count += 1
        return False


def test_after_next_paint_waits_for_the_window_to_paint(qtbot: Any) -> None:
    label = QLabel("before")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(20)
    updates = _Updates(label)
    done = after_next_paint(label)
    label.setText("after")
    assert not done.is_set()  # nothing painted yet
    qtbot.waitUntil(done.is_set, timeout=2000)
    assert updates.count >= 1  # set only once the window has been painted


def test_after_next_paint_does_not_wait_for_a_window_not_on_screen(qapp: Any) -> None:
    hidden = QLabel("never shown")
    assert after_next_paint(hidden).is_set()
    hidden.deleteLater()


def test_after_next_paint_gives_up_when_nothing_is_painted(qtbot: Any) -> None:
    label = QLabel("still")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(20)
    done = after_next_paint(label)  # nothing changes, so no paint comes
    qtbot.waitUntil(done.is_set, timeout=int(service.PAINT_WAIT_SECONDS * 1000) + 2000)
    qtbot.wait(20)
    assert not label.findChildren(service._NextPaint)  # the watcher is gone too


def test_the_code_is_encoded_in_the_worker_after_the_window_painted_the_click(
    qtbot: Any, window: LinkWindow, patient_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates = _Updates(window)
    seen: list[tuple[str, bool, int]] = []
    real_matrix_for = link_controller._matrix_for
    real_module_image = link_controller.module_image

    def matrix_for(text: str) -> list[list[bool]]:
        on_gui = threading.current_thread() is threading.main_thread()
        seen.append(("encode", on_gui, updates.count))
        return real_matrix_for(text)

    def image_in_worker(matrix: list[list[bool]]) -> Any:
        seen.append(("image", threading.current_thread() is threading.main_thread(), 0))
        return real_module_image(matrix)

    def image_on_gui(matrix: list[list[bool]]) -> Any:
        seen.append(("image on the GUI thread", True, 0))
        return real_module_image(matrix)

    monkeypatch.setattr(link_controller, "_matrix_for", matrix_for)
    monkeypatch.setattr(link_controller, "module_image", image_in_worker)
    monkeypatch.setattr(qr_widget, "module_image", image_on_gui)
    child(window, "userIdEdit").setText(patient_id)
    updates.count = 0
    qtbot.mouseClick(child(window, "generateButton"), Qt.MouseButton.LeftButton)
    link = wait_for_link(qtbot, window)

    assert [kind for kind, _, _ in seen] == ["encode", "image"]
    assert not any(on_gui for _, on_gui, _ in seen)
    assert seen[0][2] >= 1  # the window had painted the busy state before the encode
    assert decode_qr(child(window, "qrCode").grab()) == [link]


def test_the_worker_holds_the_encode_until_the_window_has_painted(
    qtbot: Any,
    window: LinkWindow,
    patient_id: str,
    practice_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    painted = threading.Event()
    encoded: list[str] = []
    real_matrix_for = link_controller._matrix_for

    def matrix_for(text: str) -> list[list[bool]]:
        encoded.append(text)
        return real_matrix_for(text)

    monkeypatch.setattr(link_controller, "PAINT_WAIT_SECONDS", 30.0)
    monkeypatch.setattr(link_controller, "after_next_paint", lambda _widget: painted)
    monkeypatch.setattr(link_controller, "_matrix_for", matrix_for)
    child(window, "userIdEdit").setText(patient_id)
    window.controller.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    qtbot.wait(300)
    assert encoded == []  # the link is in, but the window has not painted yet
    assert window.controller.busy
    painted.set()
    link = wait_for_link(qtbot, window)
    assert encoded == [link]


def test_a_cancelled_request_does_not_hold_its_worker_for_the_paint(
    qtbot: Any, window: LinkWindow, patient_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel opens the wait for the paint at once (a hidden window never paints)."""
    monkeypatch.setattr(link_controller, "PAINT_WAIT_SECONDS", 30.0)
    monkeypatch.setattr(link_controller, "after_next_paint", lambda _widget: threading.Event())
    child(window, "userIdEdit").setText(patient_id)
    window.controller.generate()
    service_ = window.controller.service
    qtbot.waitUntil(lambda: service_.active_count() >= 1, timeout=2000)
    qtbot.wait(300)  # the answer is in; the worker now waits for a paint that never comes
    assert window.controller.busy
    window.controller.cancel()
    qtbot.waitUntil(lambda: service_.active_count() == 0, timeout=3000)
    assert window.result.qr.text() == ""


def test_a_new_code_of_the_same_size_leaves_the_layout_alone(qtbot: Any) -> None:
    """A new link relayouts the window only when its code needs another size."""
    parent = QWidget()
    qtbot.addWidget(parent)
    layout = QVBoxLayout(parent)
    code = qr_widget.QRCodeWidget(parent)
    layout.addWidget(code)
    parent.resize(400, 400)
    parent.show()
    qtbot.waitExposed(parent)
    first, second = "https://example.com/?t=aaaa", "https://example.com/?t=bbbb"
    code.set_text(first)
    qtbot.wait(20)
    requests = _Requests(parent)
    code.set_text(second)
    qtbot.wait(20)
    assert requests.count == 0
    assert decode_qr(code.grab()) == [second]
    code.set_text("https://example.com/?t=" + "c" * 300)  # a bigger code
    qtbot.wait(20)
    assert requests.count >= 1


class _Requests(QObject):
    def __init__(self, watched: QObject) -> None:
        super().__init__(watched)
        self.count = 0
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False
