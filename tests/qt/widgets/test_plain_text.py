"""Text typed by a person or sent by a server is shown as the characters it is, never as HTML."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from vital_desktop.core.environments import ApiTarget
from vital_desktop.qt import theme
from vital_desktop.qt.widgets.connection_panel import ConnectionState, Mode
from vital_desktop.qt.widgets.environment_banner import EnvironmentBanner
from vital_desktop.qt.widgets.user_id_field import UserIdField
from vital_desktop.qt.widgets.validated_field import ValidatedField

from .conftest import Host

HTML = "<h1>big</h1><img src=x width=30000>"


def test_breakable_only_touches_very_long_words() -> None:
    sentence = "Enter the patient's Vital user ID, e.g. “1b4e28ba-2fa1-41d2-883f-0016d3cca427”."
    assert theme.breakable(sentence) == sentence  # a quoted UUID stays whole
    assert theme.breakable("short words stay") == "short words stay"
    broken = theme.breakable("y" * 100)
    assert broken.replace("\u200b", "") == "y" * 100
    assert max(len(part) for part in broken.split("\u200b")) <= theme.BREAK_EVERY


def test_plain_tooltip_escapes() -> None:
    tip = theme.plain_tooltip(HTML)
    assert "<h1>" not in tip and "&lt;h1&gt;big&lt;/h1&gt;" in tip
    assert theme.plain_tooltip("") == ""


def test_validation_hint_quotes_typed_text_literally(qtbot: Any, host: Host) -> None:
    field = ValidatedField(
        lambda text: f"“{text}” is not an address" if text else None,
        object_name="redirectUrlEdit",
        accessible_name="Redirect",
    )
    window = host(field)
    qtbot.keyClicks(field.edit, HTML)
    assert field.hint.isVisible()
    assert field.hint.textFormat() == Qt.TextFormat.PlainText
    assert HTML in field.hint.text()
    assert field.minimumSizeHint().width() < 800
    assert window.minimumSizeHint().width() < 800


def test_user_id_hint_is_plain(qtbot: Any, host: Host) -> None:
    field = UserIdField()
    host(field)
    qtbot.keyClicks(field.edit, "<b>not-a-uuid</b>")
    assert field.hint.isVisible()
    hint = field.findChild(QLabel, "userIdHint")
    assert hint is field.hint
    assert hint.textFormat() == Qt.TextFormat.PlainText


def test_banner_shows_a_custom_address_literally(qtbot: Any, host: Host) -> None:
    banner = EnvironmentBanner()
    window = host(banner)
    address = "https://" + "a" * 400 + ".example/<b>bold</b>"
    state = ConnectionState(
        mode=Mode.CUSTOM,
        target=ApiTarget(address),
        api_key="",
        key_info=None,
        problem=None,
    )
    banner.show_state(state)
    assert banner.textFormat() == Qt.TextFormat.PlainText
    assert address in banner.text().replace("\u200b", "")
    assert banner.accessibleDescription() == f"Custom API address {address}"
    assert banner.minimumSizeHint().width() < 800
    assert window.minimumSizeHint().width() < 800
