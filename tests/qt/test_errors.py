"""Every failure of the client shows as one plain sentence; nothing typed is lost."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt

from vital_desktop.core.client import ClientSettings
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child, wait_for_message

REDIRECT = "https://clinic.example/done"


def _fill(window: LinkWindow, user_id: str) -> None:
    child(window, "userIdEdit").setText(user_id)
    child(window, "redirectUrlEdit").setText(REDIRECT)
    window.provider_picker.select_slug("garmin")


def _assert_form_kept(window: LinkWindow, user_id: str) -> None:
    assert child(window, "userIdEdit").text() == user_id
    assert child(window, "redirectUrlEdit").text() == REDIRECT
    assert window.provider_picker.selected_slug() == "garmin"
    assert child(window, "generateButton").text() == "&Generate link"
    assert child(window, "linkUrlEdit").text() == ""


FAULTS = [
    ("500", "Vital's servers had a problem (error 500)"),
    ("503", "Vital's servers had a problem (error 503)"),
    ("422", "Vital rejected the request as invalid"),
    ("401", "Vital did not accept the API key"),
    ("invalid-json", "Vital sent a reply the app could not understand"),
    ("missing-fields", "Vital sent a reply the app could not understand"),
    ("huge", "Vital sent a far larger reply than expected"),
    ("drop", "Could not connect to Vital at 127.0.0.1"),
]


@pytest.mark.parametrize(("action", "sentence"), FAULTS, ids=[a for a, _ in FAULTS])
def test_server_fault_shows_its_sentence(
    qtbot: Any,
    window: LinkWindow,
    practice_server: SandboxServer,
    patient_id: str,
    action: str,
    sentence: str,
) -> None:
    practice_server.faults.add(f"POST /v2/link/token={action}")
    _fill(window, patient_id)
    qtbot.mouseClick(child(window, "generateButton"), Qt.MouseButton.LeftButton)
    assert wait_for_message(qtbot, window).startswith(sentence)
    assert "Traceback" not in window.message_area.details_text()
    assert "Endpoint: POST /v2/link/token" in window.message_area.details_text()
    _assert_form_kept(window, patient_id)


def test_wrong_key_is_refused_in_words(
    qtbot: Any, open_window: WindowFactory, practice_server: SandboxServer, patient_id: str
) -> None:
    # The stand-in serves sandbox US; a custom address cannot tell an EU key is wrong.
    environ = {
        "VITAL_API_KEY": "sk_eu_not_the_right_one",
        "VITAL_BASE_URL": practice_server.base_url,
    }
    window = open_window(environ=environ)
    _fill(window, patient_id)
    window.controller.generate()
    message = wait_for_message(qtbot, window)
    assert message.startswith("Vital did not accept the API key.")
    assert "not_the_right_one" not in message + window.message_area.details_text()
    assert "HTTP status: 401" in window.message_area.details_text()
    _assert_form_kept(window, patient_id)


def test_unknown_user_is_explained(qtbot: Any, window: LinkWindow) -> None:
    stranger = str(uuid.uuid4())
    _fill(window, stranger)
    window.controller.generate()
    assert wait_for_message(qtbot, window).startswith("Vital has no such user in this environment")
    assert "HTTP status: 404" in window.message_area.details_text()
    _assert_form_kept(window, stranger)


def test_rate_limit_after_retries(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    settings = ClientSettings(read_timeout=3, max_retries=2, retry_after_cap=0.5, backoff=0.01)
    window = open_window(environ=connect_env, client_settings=settings)
    practice_server.faults.add("POST /v2/link/token=429,retry-after=0.1")
    _fill(window, patient_id)
    window.controller.generate()
    message = wait_for_message(qtbot, window)
    assert message.startswith("Vital is receiving too many requests right now.")
    assert len(practice_server.request_log.matching("POST", "/v2/link/token")) == 3
    assert "Retry-After: 0.1 s" in window.message_area.details_text()
    _assert_form_kept(window, patient_id)


def test_timeout_is_explained(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
    patient_id: str,
) -> None:
    window = open_window(environ=connect_env, client_settings=ClientSettings(read_timeout=0.5))
    practice_server.faults.add("POST /v2/link/token=slow=10")
    _fill(window, patient_id)
    window.controller.generate()
    assert wait_for_message(qtbot, window).startswith("Vital (127.0.0.1:")
    assert "did not answer in time" in window.message_area.text()
    _assert_form_kept(window, patient_id)


def test_stopped_server_means_cannot_connect(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    _fill(window, patient_id)
    practice_server.stop()
    window.controller.generate()
    assert wait_for_message(qtbot, window).startswith("Could not connect to Vital at 127.0.0.1")
    _assert_form_kept(window, patient_id)


def test_details_disclosure_and_dismiss(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    practice_server.faults.add("POST /v2/link/token=503,times=1")
    _fill(window, patient_id)
    window.controller.generate()
    wait_for_message(qtbot, window)
    area = child(window, "messageArea")
    details = window.message_area._details
    assert details.isHidden()
    qtbot.mouseClick(window.message_area._details_button, Qt.MouseButton.LeftButton)
    assert details.isVisible()
    assert "HTTP status: 503" in details.toPlainText()
    assert "Server said:" in details.toPlainText()
    qtbot.mouseClick(window.message_area._dismiss_button, Qt.MouseButton.LeftButton)
    assert area.isHidden()
    # The next try works and leaves no stale error behind.
    window.controller.generate()
    qtbot.waitUntil(lambda: bool(child(window, "linkUrlEdit").text()), timeout=5000)
    assert area.isHidden()


def test_local_validation_error_highlights_the_field(qtbot: Any, window: LinkWindow) -> None:
    edit = child(window, "userIdEdit")
    edit.setText("not-a-uuid")
    window.controller.generate()
    message = child(window, "messageArea").text()
    assert message.startswith("A Vital user ID looks like")
    assert window.user_id.flagged
    assert "border" in edit.styleSheet()
    assert edit.hasFocus()
    assert edit.text() == "not-a-uuid"
    edit.setText("")
    window.controller.generate()
    assert child(window, "messageArea").text() == "Enter the patient's Vital user ID."
    assert window.user_id.hint.text() == "Enter the patient's Vital user ID."
