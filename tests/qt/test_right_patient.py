"""A link is only ever shown, copied or scanned for the patient the form names.

Patient A gets a link; then the desk moves on to patient B by every path a front desk
takes. Whatever the path, the window never shows A's link beside B's id: the code on screen
always decodes to a link whose token names the patient in ``linkPatientLabel``, and a
retired code decodes to nothing, with zxing-cpp and with zbar.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from vital_desktop.core.connection import Mode
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.widgets.result_panel import COPY, OPEN
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import (
    child,
    decode_qr,
    decode_zbar,
    nothing_scannable,
    token_claims,
    wait_for_demo,
    wait_for_link,
    wait_for_message,
)


@pytest.fixture
def patients(practice_server: SandboxServer) -> tuple[str, str]:
    state = practice_server.state
    return str(state.create_user("patient-a")["user_id"]), str(
        state.create_user("patient-b")["user_id"]
    )


def _link_for(qtbot: Any, window: LinkWindow, user_id: str) -> str:
    child(window, "userIdEdit").setText(user_id)
    window.controller.generate()
    link = wait_for_link(qtbot, window)
    _assert_consistent(window)
    return link


def _assert_consistent(window: LinkWindow) -> None:
    """What is on screen is one patient's link, named as that patient's."""
    link = child(window, "linkUrlEdit").text()
    label = child(window, "linkPatientLabel").text()
    form_id = child(window, "userIdEdit").text()
    if link:
        user = token_claims(link)["user_id"]
        assert user == form_id
        assert user[:8] in label and user[-12:] in label
        assert decode_qr(child(window, "qrCode").grab()) == [link]
        assert decode_zbar(child(window, "qrCode").grab()) == [link]
        assert child(window, "openBrowserButton").isEnabled()
    else:
        assert not child(window, "openBrowserButton").isEnabled()
        assert not child(window, "copyLinkButton").isEnabled()
        assert not child(window, "copyQrButton").isEnabled()
        assert not child(window, "saveQrButton").isEnabled()
        assert nothing_scannable(child(window, "qrCode"))
        assert child(window, "resultTitle").text() != "Link ready"
        assert "ready" not in child(window, "statusNote").text().lower()


def test_typing_another_patient_retires_the_link_for_good(
    qtbot: Any, window: LinkWindow, patients: tuple[str, str]
) -> None:
    a, b = patients
    _link_for(qtbot, window, a)
    edit = child(window, "userIdEdit")
    edit.clear()
    qtbot.keyClicks(edit, b[:5])  # the first keystroke already retires it
    assert child(window, "linkUrlEdit").text() == ""
    assert window.result.qr.retired_reason == "For another patient"
    edit.setText(b)
    _assert_consistent(window)
    assert a[:8] in child(window, "linkPatientLabel").text()  # still says whom it was for
    assert "another patient" in child(window, "qrCode").accessibleDescription()
    # Going back to A does not bring the link back: a retired link stays retired.
    edit.setText(a)
    assert child(window, "linkUrlEdit").text() == ""
    _assert_consistent(window)


@pytest.mark.parametrize(
    "fault", ["POST /v2/link/token=500", "POST /v2/link/token=long-link", "unknown-user"]
)
def test_a_failed_generate_retires_the_link_on_screen(
    qtbot: Any,
    window: LinkWindow,
    practice_server: SandboxServer,
    patients: tuple[str, str],
    fault: str,
) -> None:
    a, _b = patients
    _link_for(qtbot, window, a)
    if fault == "unknown-user":  # a well-formed id Vital does not know: 404
        child(window, "userIdEdit").setText("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f")
    else:
        practice_server.faults.add(fault)
    window.controller.generate()
    message = wait_for_message(qtbot, window)
    assert message
    assert not window.controller.busy
    assert child(window, "linkUrlEdit").text() == ""
    assert child(window, "resultTitle").text() != "Link ready"
    _assert_consistent(window)


def test_editing_the_patient_mid_request_never_shows_the_old_patients_link(
    qtbot: Any,
    window: LinkWindow,
    practice_server: SandboxServer,
    patients: tuple[str, str],
) -> None:
    a, b = patients
    practice_server.faults.add("POST /v2/link/token=slow=2,times=1")
    child(window, "userIdEdit").setText(a)
    window.controller.generate()
    qtbot.waitUntil(
        lambda: bool(practice_server.request_log.matching("POST", "/v2/link/token")), timeout=3000
    )
    child(window, "userIdEdit").setText(b)
    assert not window.controller.busy  # the request for A was dropped at once
    assert "cancelled" in child(window, "statusNote").text().lower()
    qtbot.wait(2500)  # longer than the slow answer would have taken
    assert child(window, "linkUrlEdit").text() == ""
    _assert_consistent(window)
    # And B's own link, when asked for, is B's.
    window.controller.generate()
    wait_for_link(qtbot, window)
    _assert_consistent(window)


def test_changing_the_connection_retires_but_provider_changes_keep_the_link(
    qtbot: Any, window: LinkWindow, patients: tuple[str, str]
) -> None:
    a, _b = patients
    link = _link_for(qtbot, window, a)
    label = child(window, "linkPatientLabel").text()
    window.provider_picker.select_slug("fitbit")
    window.filter_checklist.set_checked({"oura", "garmin"})
    child(window, "redirectUrlEdit").setText("https://clinic.example/done")
    assert child(window, "linkUrlEdit").text() == link
    assert child(window, "linkPatientLabel").text() == label  # it says what it was made for
    _assert_consistent(window)

    window.connection.set_mode(Mode.SANDBOX)
    assert child(window, "linkUrlEdit").text() == ""
    assert window.result.qr.retired_reason == "For another connection"
    _assert_consistent(window)


def test_a_hand_off_is_refused_once_the_link_is_retired(
    qtbot: Any, window: LinkWindow, patients: tuple[str, str]
) -> None:
    a, b = patients
    _link_for(qtbot, window, a)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("before")
    child(window, "userIdEdit").setText(b)
    # Even a hand-off that bypasses the disabled buttons (a shortcut, a queued click).
    window.controller.on_result_hand_off_requested(COPY)
    assert clipboard.text() == "before"
    assert "no longer" in child(window, "messageArea").text()


def test_open_in_browser_that_fails_says_so_and_keeps_the_link(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    patients: tuple[str, str],
) -> None:
    asked: list[str] = []

    def no_browser(url: QUrl) -> bool:
        asked.append(url.toString())
        return False

    window = open_window(environ=connect_env, controller_seams={"open_url": no_browser})
    link = _link_for(qtbot, window, patients[0])
    window.controller.on_result_hand_off_requested(OPEN)
    assert asked == [link]
    assert "browser could not be opened" in child(window, "messageArea").text()
    assert child(window, "linkUrlEdit").text() == link
    assert child(window, "openBrowserButton").isEnabled()


def test_switching_to_demo_and_back_leaves_generate_usable(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patients: tuple[str, str]
) -> None:
    button = child(window, "generateButton")
    assert button.isEnabled()
    window.connection.set_mode(Mode.DEMO)
    wait_for_demo(qtbot, window)
    qtbot.waitUntil(button.isEnabled, timeout=3000)
    qtbot.waitUntil(lambda: bool(child(window, "userIdEdit").text()), timeout=5000)
    window.controller.generate()
    assert wait_for_link(qtbot, window).startswith(window.controller.demo.server.base_url)

    window.connection.set_mode(Mode.CUSTOM)  # back to the key and address of the stand-in
    assert button.isEnabled()
    assert not child(window, "generateReasonLabel").isVisible()
    _link_for(qtbot, window, patients[0])


def test_a_disabled_generate_says_why_next_to_it(qtbot: Any, window: LinkWindow) -> None:
    window.connection.api_key_edit.setText("pk_eu_" + "x" * 20)  # production EU: mismatch
    window.connection.set_mode(Mode.SANDBOX)
    reason = child(window, "generateReasonLabel")
    assert not child(window, "generateButton").isEnabled()
    assert reason.isVisible() and "key" in reason.text().lower()


def test_save_qr_proposes_a_fresh_name_in_pictures(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    patients: tuple[str, str],
    tmp_path: Any,
) -> None:
    proposed: list[str] = []
    target = tmp_path / "chosen.png"

    def choose(_parent: Any, suggestion: str) -> str:
        proposed.append(suggestion)
        return str(target)

    window = open_window(environ=connect_env, controller_seams={"choose_save_path": choose})
    link = _link_for(qtbot, window, patients[0])
    window.controller.on_result_hand_off_requested("save_qr")
    from vital_desktop.qt.save_location import pictures_folder

    assert len(proposed) == 1
    assert proposed[0].startswith(str(pictures_folder()))
    assert proposed[0].endswith(".png") and "vital-link-" in proposed[0]
    from PySide6.QtGui import QImage

    assert decode_qr(QImage(str(target))) == [link]


def test_no_repr_the_window_keeps_carries_the_key(window: LinkWindow) -> None:
    key = window.options.environ["VITAL_API_KEY"]
    for thing in (window.options, window.controller.connection(), window.connection.choice()):
        assert key not in repr(thing)
