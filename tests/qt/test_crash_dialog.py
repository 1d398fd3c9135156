"""The crash window and Help > Copy diagnostics, on real widgets and the real clipboard."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QMenu

from vital_desktop.core.diagnostics import collect
from vital_desktop.qt import crash_guard
from vital_desktop.qt.crash_dialog import SENTENCE, CrashDialog, current_crash_dialog
from vital_desktop.qt.diagnostics_action import add_help_menu

KEY = "sk_us_Zx9secretKEYvalue0123456789abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZWFtX2lkIjoiY2xpbmljIn0.c2lnbmF0dXJlLXBhcnQ"


@pytest.fixture
def main_window(qtbot: Any) -> Iterator[QMainWindow]:
    window = QMainWindow()
    field = QLineEdit()
    field.setObjectName("typedField")
    window.setCentralWidget(field)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    dialog = current_crash_dialog()
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert current_crash_dialog() is None  # each test starts without one


@pytest.fixture
def guard(main_window: QMainWindow) -> Iterator[list[object]]:
    """The crash guard installed over ``main_window``; yields what show_error received."""
    received: list[object] = []
    previous = crash_guard.install(
        received.append, parent=main_window, diagnostics=lambda: "DIAGNOSTICS-TEXT"
    )
    yield received
    sys.excepthook = previous


def _raise_uncaught(error: BaseException) -> None:
    """Hand ``error`` to the excepthook with a real traceback, as PySide does for a slot."""
    try:
        raise error
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


def test_an_uncaught_error_opens_one_calm_window(
    guard: list[object], main_window: QMainWindow, qtbot: Any
) -> None:
    field = main_window.findChild(QLineEdit, "typedField")
    field.setText("MRN-0042")
    _raise_uncaught(KeyError("no such row"))
    dialog = main_window.findChild(CrashDialog, "crashDialog")
    assert dialog is not None and dialog is current_crash_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()
    assert dialog.sentence.text() == SENTENCE
    assert dialog.details.isReadOnly()
    details = dialog.details_text()
    assert details.startswith("What happened: KeyError: 'no such row'")
    assert "DIAGNOSTICS-TEXT" in details
    assert not dialog.details.isVisible()  # one click away
    dialog.details_toggle.click()
    assert dialog.details.isVisible()
    assert field.text() == "MRN-0042"
    assert len(guard) == 1  # the message area was told too, when the window passes one


def test_a_second_error_updates_the_window_instead_of_stacking(
    guard: list[object], main_window: QMainWindow, qtbot: Any
) -> None:
    _raise_uncaught(ValueError("first"))
    _raise_uncaught(RuntimeError("second"))
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog)]
    assert len([d for d in dialogs if d.isVisible()]) == 1
    dialog = dialogs[0]
    assert "RuntimeError: second" in dialog.details_text()
    assert dialog.repeats.isVisible() and "2 times" in dialog.repeats.text()
    dialog.close()
    _raise_uncaught(ValueError("after closing"))
    assert current_crash_dialog() is dialog and dialog.isVisible()
    assert not dialog.repeats.isVisible()  # a fresh start after Close


def test_copy_details_puts_them_on_the_clipboard(
    guard: list[object], main_window: QMainWindow, qtbot: Any
) -> None:
    _raise_uncaught(ZeroDivisionError("division"))
    dialog = current_crash_dialog()
    assert dialog is not None
    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.details_text()
    assert "ZeroDivisionError: division" in QGuiApplication.clipboard().text()
    assert dialog.copy_button.text() == "Copied"


def test_the_details_are_scrubbed_and_shown_as_plain_text(
    guard: list[object], main_window: QMainWindow
) -> None:
    _raise_uncaught(ValueError(f"<b>bold</b> key {KEY} link ?token={JWT}"))
    dialog = current_crash_dialog()
    assert dialog is not None
    details = dialog.details_text()
    assert "<b>bold</b>" in details  # shown as typed, never rendered
    assert KEY not in details and JWT not in details and "Zx9secretKEY" not in details


def test_without_diagnostics_the_window_collects_its_own(
    main_window: QMainWindow, tmp_path: Path
) -> None:
    previous = crash_guard.install(parent=main_window)
    try:
        _raise_uncaught(OSError("disk full"))
    finally:
        sys.excepthook = previous
    dialog = current_crash_dialog()
    assert dialog is not None
    details = dialog.details_text()
    assert "OSError: disk full" in details
    assert "App: vital-desktop" in details and "Qt: 6." in details


def test_keyboard_interrupt_is_not_a_crash(main_window: QMainWindow) -> None:
    seen: list[type[BaseException]] = []
    sys.excepthook = lambda kind, value, tb: seen.append(kind)
    previous = crash_guard.install(parent=main_window)
    try:
        _raise_uncaught(KeyboardInterrupt())
    finally:
        sys.excepthook = previous
    assert seen == [KeyboardInterrupt]
    dialog = current_crash_dialog()
    assert dialog is None or not dialog.isVisible()


# ------------------------------------------------------------------ Help > Copy diagnostics


def test_copy_diagnostics_puts_the_text_on_the_clipboard(
    main_window: QMainWindow, tmp_path: Path
) -> None:
    log = tmp_path / "vital-desktop.log"
    log.write_text(f"2025-01-01 INFO app: token {JWT}\n2025-01-01 INFO app: fine\n")

    def diagnostics() -> str:
        return collect(
            app_version="1.2.3",
            qt_version="6.11.3",
            environment_label="Sandbox · US",
            settings_non_default={"link_ttl": 30.0},
            log_path=log,
            last_error=f"bad key {KEY}",
        )

    action = add_help_menu(main_window, diagnostics)
    assert action.objectName() == "copyDiagnosticsAction"
    help_menu = main_window.menuBar().findChild(QMenu, "helpMenu")
    assert help_menu is not None and help_menu.title() == "&Help"
    assert action in help_menu.actions()
    assert main_window.findChild(type(action), "copyDiagnosticsAction") is action
    QGuiApplication.clipboard().clear()
    action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert "App: vital-desktop 1.2.3" in copied and "link_ttl = 30.0" in copied
    assert "INFO app: fine" in copied
    assert JWT not in copied and KEY not in copied


def test_the_help_menu_is_reused_and_a_failing_collector_still_copies(
    main_window: QMainWindow,
) -> None:
    first = add_help_menu(main_window, lambda: "one")

    def broken() -> str:
        raise RuntimeError("collector bug")

    second = add_help_menu(main_window, broken)
    menus = main_window.menuBar().findChildren(QMenu, "helpMenu")
    assert len(menus) == 1 and menus[0].actions() == [first, second]
    second.trigger()
    assert "could not be collected (RuntimeError)" in QGuiApplication.clipboard().text()
