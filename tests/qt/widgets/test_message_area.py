"""The message strip: server text shown literally, wrapping, reachable and readable by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.qt.widgets.message_area import MessageArea

from .conftest import Host

HTML = "<h1>big</h1><img src=x width=30000>"
LONG_WORD = "https://api.example.com/" + "x" * 3000


@pytest.fixture
def area(host: Host) -> MessageArea:
    widget = MessageArea()
    host(widget)
    return widget


def _server_error(message: str, server_message: str = HTML) -> VitalError:
    return VitalError(
        ErrorKind.SERVER_ERROR,
        message,
        status=500,
        endpoint="POST /v2/link/token",
        server_message=server_message,
    )


@pytest.mark.parametrize("message", [HTML, LONG_WORD, f"The server said {HTML} {LONG_WORD}"])
def test_server_text_is_literal_and_never_widens_the_window(
    qtbot: Any, area: MessageArea, message: str
) -> None:
    window = area.window()
    before = window.minimumSizeHint().width()
    area.show_error(_server_error(message))
    qtbot.waitUntil(area.isVisible)
    assert area.text() == message  # exactly as given, tags and all
    label = area.findChild(QWidget, "messageText")
    assert "<img src=x width=30000>" in label.text() or message == LONG_WORD
    assert area.minimumSizeHint().width() < 800
    assert area.sizeHint().width() < 800
    assert window.minimumSizeHint().width() < max(800, before + 1)
    # It wraps rather than running off: taller than one line at the window's width.
    qtbot.waitUntil(lambda: label.height() > 2 * label.fontMetrics().height())


def test_details_are_plain_and_wrap(qtbot: Any, area: MessageArea) -> None:
    area.show_error(_server_error("The Vital server had a problem.", f"{HTML} {LONG_WORD}"))
    assert HTML in area.details_text()
    details = area.findChild(QWidget, "messageDetails")
    area.findChild(QWidget, "messageDetailsButton").click()
    qtbot.waitUntil(details.isVisible)
    assert details.horizontalScrollBar().maximum() == 0  # long lines wrap inside the box
    assert area.minimumSizeHint().width() < 800


def test_details_and_dismiss_work_from_the_keyboard(qtbot: Any, host: Host) -> None:
    page = QWidget()
    before = QLineEdit(page)
    area = MessageArea(page)
    layout = QVBoxLayout(page)
    layout.addWidget(before)
    layout.addWidget(area)
    host(page)
    message = "Vital could not make the link; try again in a minute."
    area.show_error(_server_error(message, "HTTP 503 from upstream"))
    text = area.findChild(QWidget, "messageText")
    details_button = area.findChild(QWidget, "messageDetailsButton")
    details = area.findChild(QWidget, "messageDetails")

    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    # Tab reaches the sentence itself, so it can be read and selected without a mouse ...
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    qtbot.waitUntil(text.hasFocus)
    qtbot.keyClick(text, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert text.selectedText() == message
    # ... then the Details disclosure, which Space opens and closes.
    qtbot.keyClick(text, Qt.Key.Key_Tab)
    qtbot.waitUntil(details_button.hasFocus)
    qtbot.keyClick(details_button, Qt.Key.Key_Space)
    qtbot.waitUntil(details.isVisible)
    assert details_button.accessibleName() == "Hide technical details"
    assert details.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    qtbot.keyClick(details_button, Qt.Key.Key_Space)
    qtbot.waitUntil(details.isHidden)
    assert details_button.accessibleName() == "Show technical details"
    assert details_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    dismiss = area.findChild(QWidget, "messageDismissButton")
    assert dismiss.focusPolicy() & Qt.FocusPolicy.TabFocus
    dismiss.setFocus()
    with qtbot.waitSignal(area.dismissed, timeout=1000):
        qtbot.keyClick(dismiss, Qt.Key.Key_Space)
    assert area.isHidden() and area.text() == ""


def test_a_note_has_no_details(qtbot: Any, area: MessageArea) -> None:
    area.show_note(HTML)
    assert area.text() == HTML
    assert area.findChild(QWidget, "messageDetailsButton").isHidden()
    assert area.minimumSizeHint().width() < 800


def test_details_box_is_made_by_the_first_message_with_details(qtbot: Any, host: Host) -> None:
    page = QWidget()
    area = MessageArea(page)
    after = QLineEdit(page)
    layout = QVBoxLayout(page)
    layout.addWidget(area)
    layout.addWidget(after)
    host(page)
    assert area.findChild(QWidget, "messageDetails") is None  # not made at start
    area.show_note("A note has no details.")
    assert area.findChild(QWidget, "messageDetails") is None
    assert area.details_text() == ""
    dismiss = area.findChild(QWidget, "messageDismissButton")
    assert dismiss.nextInFocusChain() is after
    area.show_error(_server_error("The Vital server had a problem.", "HTTP 500 from upstream"))
    details = area.findChild(QWidget, "messageDetails")
    assert details is not None and details.isHidden()
    assert "HTTP 500 from upstream" in area.details_text()
    # In the tab order where it always was: after Dismiss, before what follows the strip.
    assert dismiss.nextInFocusChain() is details
    following = details.nextInFocusChain()
    while details.isAncestorOf(following):  # its own viewport and scroll bars
        following = following.nextInFocusChain()
    assert following is after
    area.findChild(QWidget, "messageDetailsButton").click()
    qtbot.waitUntil(details.isVisible)
    # A later note empties and hides it; the button goes.
    area.show_note("Saved.")
    assert area.details_text() == "" and details.isHidden()
    assert area.findChild(QWidget, "messageDetailsButton").isHidden()
