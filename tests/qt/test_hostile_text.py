"""Text from a hostile server is shown as the characters it is, and cannot move the window."""

from __future__ import annotations

import json
from typing import Any

from core.helpers import KEY, Reply, ScriptedServer, Seen
from PySide6.QtWidgets import QLabel

from vital_desktop.core.connection import Mode

from .conftest import WindowFactory
from .helpers import child, wait_for_message

HTML = '<h1>Big</h1><img src="x" width="30000" height="30000">'
UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"


def _hostile(seen: Seen) -> Reply:
    if seen.path.startswith("/v2/providers"):
        names = [{"slug": "oura", "name": "Oura" + HTML, "description": HTML}]
        names += [{"slug": f"html_{n}", "name": HTML * 3, "description": ""} for n in range(3)]
        return Reply(200, json.dumps(names).encode())
    detail = [{"loc": ["body", "user_id"], "msg": HTML, "type": "value_error"}]
    return Reply(422, json.dumps({"detail": detail}).encode())


def test_server_html_shows_literally_everywhere_and_the_window_keeps_its_size(
    qtbot: Any, open_window: WindowFactory
) -> None:
    server = ScriptedServer()
    server.reply = _hostile
    try:
        env = {"VITAL_API_KEY": KEY, "VITAL_BASE_URL": server.base_url}
        window = open_window(environ=env)
        assert window.connection.mode() is Mode.CUSTOM
        before = window.minimumSizeHint()
        qtbot.waitUntil(
            lambda: window.controller.catalogue.current.get("html_0") is not None, timeout=5000
        )
        child(window, "userIdEdit").setText(UID)
        window.provider_picker.select_slug("oura")
        window.controller.generate()
        message = wait_for_message(qtbot, window)
        assert "<h1>Big</h1>" in message  # shown as the characters the server sent
        assert "<img" in window.message_area.details_text()
        after = window.minimumSizeHint()
        assert after.width() <= max(before.width(), 1280)
        assert after.height() <= max(before.height(), 800)
        for label in window.findChildren(QLabel):
            if "<" in label.text():
                assert label.textFormat().name == "PlainText", label.objectName()
    finally:
        server.stop()
