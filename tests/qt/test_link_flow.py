"""Fill the form, generate against the stand-in, read the QR code back, count down."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from vital_desktop.qt import theme
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child, decode_qr, token_claims, wait_for_link


def _tick(window: LinkWindow, slugs: set[str]) -> None:
    window.filter_checklist.set_checked(slugs)


def test_qr_code_on_screen_decodes_to_the_link_the_server_issued(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    qtbot.keyClicks(child(window, "userIdEdit"), patient_id)
    window.provider_picker.select_slug("fitbit")
    _tick(window, {"fitbit", "oura"})
    qtbot.keyClicks(child(window, "redirectUrlEdit"), "https://clinic.example/done")
    qtbot.mouseClick(child(window, "generateButton"), Qt.MouseButton.LeftButton)

    link = wait_for_link(qtbot, window)
    assert decode_qr(child(window, "qrCode").grab()) == [link]
    assert decode_qr(window.result.qr.render_image()) == [link]  # Copy / Save image

    claims = token_claims(link)
    record = practice_server.state.token(claims["jti"])
    assert record is not None and record.user_id == patient_id
    assert record.provider == "fitbit"
    assert set(record.filter_on_providers or ()) == {"fitbit", "oura"}
    assert record.redirect_url == "https://clinic.example/done"
    assert link.startswith(practice_server.base_url)
    assert child(window, "linkUrlEdit").isReadOnly()
    assert child(window, "countdownLabel").text() in ("10:00 left", "09:59 left")


def test_no_filter_is_sent_when_nothing_is_ticked(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    child(window, "userIdEdit").setText(patient_id)
    qtbot.keyClick(child(window, "userIdEdit"), Qt.Key.Key_Return)  # Enter generates
    wait_for_link(qtbot, window)
    body = practice_server.request_log.matching("POST", "/v2/link/token")[-1].body
    assert body == {"user_id": patient_id}


def test_ctrl_enter_generates_and_copy_puts_the_link_on_the_clipboard(
    qtbot: Any, window: LinkWindow, patient_id: str
) -> None:
    child(window, "userIdEdit").setText(patient_id)
    window.filter_checklist.search.setFocus()
    qtbot.keyClick(
        window.filter_checklist.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    link = wait_for_link(qtbot, window)

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    qtbot.mouseClick(child(window, "copyLinkButton"), Qt.MouseButton.LeftButton)
    assert clipboard.text() == link

    clipboard.clear()
    qr: QWidget = child(window, "qrCode")
    qr.setFocus()
    qtbot.keyClick(qr, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == link

    clipboard.clear()
    edit = child(window, "linkUrlEdit")
    edit.setFocus()
    edit.deselect()
    qtbot.keyClick(edit, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == link

    qtbot.mouseClick(window.result.copy_qr_button, Qt.MouseButton.LeftButton)
    assert decode_qr(clipboard.image()) == [link]


def test_countdown_reaches_expiry_and_one_click_makes_a_new_link(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = open_window(environ=connect_env, link_ttl=1.5)
    child(window, "userIdEdit").setText(patient_id)
    window.provider_picker.select_slug("oura")
    window.controller.generate()
    first = wait_for_link(qtbot, window)
    countdown = child(window, "countdownLabel")
    assert countdown.text() == "00:02 left"
    assert child(window, "openBrowserButton").isEnabled()

    qtbot.waitUntil(lambda: countdown.text() == "Expired", timeout=4000)
    assert not child(window, "openBrowserButton").isEnabled()
    assert not child(window, "copyLinkButton").isEnabled()
    assert window.result.qr.expired
    assert not countdown.ticking  # the timer stops with nothing left to count
    assert "expired" in window.result.title.text().lower()
    regenerate = window.result.regenerate_button
    assert regenerate.isVisible()
    # The expired code is gone, not greyed: nothing on screen can be scanned any more.
    assert decode_qr(child(window, "qrCode").grab()) == []
    assert child(window, "linkUrlEdit").text() == ""

    # The new link is for what the form says now, and the button says whom it is for.
    other = str(practice_server.state.create_user("next-patient")["user_id"])
    window.user_id.edit.setText(other)
    assert other[:8] in regenerate.text()
    qtbot.mouseClick(regenerate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: child(window, "linkUrlEdit").text() not in ("", first), timeout=5000)
    second = child(window, "linkUrlEdit").text()
    assert child(window, "openBrowserButton").isEnabled()
    assert countdown.text().endswith("left")
    assert decode_qr(child(window, "qrCode").grab()) == [second]
    assert token_claims(second)["user_id"] == other
    assert other[-12:] in child(window, "linkPatientLabel").text()
    bodies = [r.body for r in practice_server.request_log.matching("POST", "/v2/link/token")]
    assert bodies == [
        {"user_id": patient_id, "provider": "oura"},
        {"user_id": other, "provider": "oura"},
    ]


def test_countdown_turns_to_warning_colour_in_the_last_part(
    qtbot: Any, open_window: WindowFactory, connect_env: dict[str, str], patient_id: str
) -> None:
    window = open_window(environ=connect_env, link_ttl=3)
    child(window, "userIdEdit").setText(patient_id)
    window.controller.generate()
    wait_for_link(qtbot, window)
    countdown = child(window, "countdownLabel")
    assert "color" not in countdown.styleSheet()
    warning = f"color: {theme.warning_colour(countdown)};"
    qtbot.waitUntil(lambda: countdown.styleSheet() == warning, timeout=3000)  # last 0.5 s
    assert countdown.text() == "00:01 left"


def test_open_in_browser_hands_the_link_to_the_desktop(
    qtbot: Any, window: LinkWindow, patient_id: str
) -> None:
    opened: list[str] = []

    class Catcher(QObject):
        @Slot(QUrl)
        def handle(self, url: QUrl) -> None:
            opened.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))

    catcher = Catcher()
    QDesktopServices.setUrlHandler("http", catcher, "handle")
    try:
        child(window, "userIdEdit").setText(patient_id)
        window.controller.generate()
        link = wait_for_link(qtbot, window)
        qtbot.mouseClick(child(window, "openBrowserButton"), Qt.MouseButton.LeftButton)
        assert opened == [link]
    finally:
        QDesktopServices.unsetUrlHandler("http")
