"""After the hand-off the desk sees the connection arrive, and the link retire as used."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child, decode_qr, nothing_scannable, wait_for_link

FAST_POLL = 0.2


@pytest.fixture
def watched(open_window: WindowFactory, connect_env: dict[str, str]) -> LinkWindow:
    return open_window(environ=connect_env, poll_seconds=FAST_POLL)


def _status(window: LinkWindow) -> str:
    return str(child(window, "connectionStatusLabel").text())


def _generate(qtbot: Any, window: LinkWindow, user_id: str, provider: str | None) -> str:
    child(window, "userIdEdit").setText(user_id)
    window.provider_picker.select_slug(provider)
    window.controller.generate()
    link = wait_for_link(qtbot, window)
    qtbot.waitUntil(lambda: "Waiting" in _status(window), timeout=3000)
    # The watcher has its baseline once it has polled once.
    return link


def _connect_through_widget(server: SandboxServer, link: str, provider: str) -> None:
    token = parse_qs(urlsplit(link).query)["token"][0]
    reply = httpx.post(
        f"{server.base_url}/link/connect",
        data={"token": token, "provider": provider},
        follow_redirects=False,
    )
    assert reply.status_code in (200, 303), reply.text


def _assert_retired_as_connected(window: LinkWindow) -> None:
    assert child(window, "linkUrlEdit").text() == ""
    assert not child(window, "copyLinkButton").isEnabled()
    assert nothing_scannable(child(window, "qrCode"))
    assert window.result.qr.retired_reason == "Connected"


def test_a_connection_through_the_widget_is_announced_and_the_link_retires(
    qtbot: Any, watched: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    link = _generate(qtbot, watched, patient_id, "oura")
    _connect_through_widget(practice_server, link, "oura")
    qtbot.waitUntil(lambda: "Oura connected" in _status(watched), timeout=5000)
    assert re.search(r"connected at \d\d:\d\d", _status(watched))
    _assert_retired_as_connected(watched)
    assert "Oura connected" in child(watched, "resultTitle").text()


def test_a_demo_connection_is_announced(
    qtbot: Any, watched: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    _generate(qtbot, watched, patient_id, None)
    reply = httpx.post(
        f"{practice_server.base_url}/v2/link/connect/demo",
        json={"user_id": patient_id, "provider": "fitbit"},
        headers={"x-vital-api-key": practice_server.demo_key},
    )
    assert reply.status_code == 200, reply.text
    qtbot.waitUntil(lambda: "Fitbit connected" in _status(watched), timeout=5000)
    _assert_retired_as_connected(watched)


def test_a_reconnection_of_a_provider_the_patient_had_is_announced(
    qtbot: Any, watched: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    practice_server.state.connect(patient_id, "oura")
    link = _generate(qtbot, watched, patient_id, "oura")
    _connect_through_widget(practice_server, link, "oura")
    # "again" when the baseline poll answered before the hand-off; if it answered only after
    # (a loaded machine), the reconnection is still news, by its time.
    qtbot.waitUntil(lambda: "Oura connected" in _status(watched), timeout=5000)
    _assert_retired_as_connected(watched)


def test_a_provider_in_error_shows_what_to_do(
    qtbot: Any, watched: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    practice_server.state.connect(patient_id, "oura")
    _generate(qtbot, watched, patient_id, "oura")
    practice_server.state.set_connection_error(
        patient_id, "oura", "provider_credential_error", "bad password"
    )
    qtbot.waitUntil(lambda: "password" in _status(watched).lower(), timeout=5000)
    assert child(watched, "linkUrlEdit").text()  # the link itself is still good


def test_polling_failures_show_one_quiet_line_and_recover(
    qtbot: Any, watched: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    link = _generate(qtbot, watched, patient_id, "oura")
    practice_server.faults.add("GET /v2/user/providers/{user_id}=500,times=2")
    qtbot.waitUntil(lambda: "trying again" in _status(watched).lower(), timeout=5000)
    assert child(watched, "messageArea").isHidden()  # no error box for a background poll
    assert child(watched, "generateButton").isEnabled()
    qtbot.waitUntil(lambda: "Waiting" in _status(watched), timeout=10_000)
    _connect_through_widget(practice_server, link, "oura")
    qtbot.waitUntil(lambda: "Oura connected" in _status(watched), timeout=10_000)


def test_a_link_that_expires_unused_says_so_and_offers_a_new_one(
    qtbot: Any, open_window: WindowFactory, connect_env: dict[str, str], patient_id: str
) -> None:
    window = open_window(environ=connect_env, poll_seconds=FAST_POLL, link_ttl=1.5)
    _generate(qtbot, window, patient_id, "oura")
    qtbot.waitUntil(lambda: "expired without a connection" in _status(window), timeout=5000)
    assert window.result.regenerate_button.isVisible()
    assert patient_id[:8] in window.result.regenerate_button.text()


def test_apple_health_makes_a_phone_app_code(
    qtbot: Any, watched: LinkWindow, patient_id: str
) -> None:
    child(watched, "userIdEdit").setText(patient_id)
    watched.provider_picker.select_slug("apple_health_kit")
    assert child(watched, "codeLifetimeCombo").isVisible()
    assert "code" in child(watched, "generateButton").text().lower()
    watched.controller.generate()
    code_label = child(watched, "linkCodeLabel")
    qtbot.waitUntil(lambda: bool(code_label.text()), timeout=5000)
    code = code_label.text()
    assert re.fullmatch(r"(sk|pk)(eu|us)[0-9a-f]{8}", code)
    exchange = child(watched, "linkUrlEdit").text()
    assert exchange.startswith("tryvital://") and code in exchange
    assert decode_qr(child(watched, "qrCode").grab()) == [exchange]
    assert "phone app" in child(watched, "resultInstructions").text()
    countdown = child(watched, "countdownLabel").text()
    assert countdown in ("1:00:00 left", "59:59 left", "59:58 left"), countdown
    assert not child(watched, "openBrowserButton").isEnabled()


def test_a_provider_needing_the_clinics_own_app_warns_before_generate(
    qtbot: Any, window: LinkWindow
) -> None:
    warning = child(window, "providerWarningLabel")
    window.provider_picker.select_slug("strava")
    assert warning.isVisible() and "own" in warning.text()
    window.provider_picker.select_slug("oura")
    assert not warning.isVisible()
