"""The form checks itself while the person types, before anything is sent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.widgets.connection_panel import Mode
from vital_desktop.sandbox import SandboxServer

from .conftest import WindowFactory
from .helpers import child

SANDBOX_KEY = "sk_us_0123456789abcdef"


def _keyed_window(open_window: WindowFactory, key: str = SANDBOX_KEY) -> LinkWindow:
    return open_window(environ={"VITAL_API_KEY": key})


def test_key_picks_the_environment_and_a_mismatch_blocks_generate(
    qtbot: Any, open_window: WindowFactory
) -> None:
    window = _keyed_window(open_window)
    combo = child(window, "environmentCombo")
    button = child(window, "generateButton")
    assert window.connection.mode() is Mode.SANDBOX
    assert button.isEnabled()
    assert window.banner.text().startswith("Sandbox · US")

    combo.setCurrentIndex(combo.findData("production"))
    assert not button.isEnabled()
    problem = window.connection.problem_label
    assert problem.isVisible()
    assert problem.text() == (
        "This is a sandbox US key, but the app is set to production US. "
        "Switch to sandbox US, or paste a production US key."
    )
    assert window.banner.text().startswith("PRODUCTION · US — real patients")
    assert window.banner.style_name == "production"
    window.controller.generate()  # Enter / Ctrl+Enter cannot get round the disabled button
    assert window.controller.busy is False

    combo.setCurrentIndex(combo.findData("sandbox"))
    assert button.isEnabled()
    assert problem.isHidden()
    assert window.banner.style_name == "sandbox"


def test_pasted_key_is_cleaned_masked_and_sets_environment(
    qtbot: Any, open_window: WindowFactory
) -> None:
    window = _keyed_window(open_window)
    edit = child(window, "apiKeyEdit")
    assert edit.echoMode() == edit.EchoMode.Password
    edit.clear()
    QGuiApplication.clipboard().setText('  "pk_eu_live0123456789"\n')
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "pk_eu_live0123456789"
    assert window.connection.mode() is Mode.PRODUCTION
    assert window.connection.region_combo.currentText() == "EU"
    assert window.banner.text().startswith("PRODUCTION · EU — real patients")
    assert child(window, "generateButton").isEnabled()
    # Production looks different: the Generate button takes the red accent.
    assert "#b3261e" in child(window, "generateButton").styleSheet()

    window.connection.show_key_button.click()
    assert edit.echoMode() == edit.EchoMode.Normal
    window.connection.show_key_button.click()
    assert edit.echoMode() == edit.EchoMode.Password


def test_management_and_malformed_keys_are_refused_in_words(
    qtbot: Any, open_window: WindowFactory
) -> None:
    window = _keyed_window(open_window)
    edit = child(window, "apiKeyEdit")
    edit.clear()
    qtbot.keyClicks(edit, "mg_0123456789")
    assert not child(window, "generateButton").isEnabled()
    assert window.connection.problem_label.text().startswith("This is a management key (mg_)")
    edit.clear()
    qtbot.keyClicks(edit, "hello")
    assert not child(window, "generateButton").isEnabled()
    assert window.connection.problem_label.text().startswith(
        "This does not look like a Vital team API key"
    )


def test_user_id_is_checked_while_typing_and_paste_junk_is_dropped(
    qtbot: Any, window: LinkWindow, patient_id: str
) -> None:
    edit = child(window, "userIdEdit")
    hint = window.user_id.hint
    qtbot.keyClicks(edit, patient_id[:8])
    assert hint.isVisible()
    assert hint.text().startswith("A Vital user ID looks like")
    qtbot.keyClicks(edit, patient_id[8:])
    assert hint.text() == "✓ Looks like a Vital user ID"

    edit.clear()
    QGuiApplication.clipboard().setText(f" \u201c{patient_id}\u201d \n")
    edit.setFocus()
    qtbot.keySequence(edit, QKeySequence(QKeySequence.StandardKey.Paste))
    assert edit.text() == patient_id
    assert hint.text() == "✓ Looks like a Vital user ID"


def test_javascript_redirect_is_refused_before_sending(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer, patient_id: str
) -> None:
    child(window, "userIdEdit").setText(patient_id)
    redirect = child(window, "redirectUrlEdit")
    qtbot.keyClicks(redirect, "javascript:alert(1)")
    assert window.redirect.hint.text().startswith("javascript: addresses are refused")
    window.controller.generate()
    assert child(window, "messageArea").text().startswith("javascript: addresses are refused")
    assert redirect.hasFocus()
    assert practice_server.request_log.matching("POST", "/v2/link/token") == []
    redirect.setText("myapp://done")
    assert window.redirect.hint.isHidden()


def test_provider_outside_the_filter_is_pointed_out(qtbot: Any, window: LinkWindow) -> None:
    warning = window.provider_warning
    window.provider_picker.select_slug("fitbit")
    assert warning.isHidden()
    window.filter_checklist.set_checked({"oura"})
    assert warning.isVisible()
    assert "Fitbit is not among the providers ticked" in warning.text()
    window.filter_checklist.set_checked({"oura", "fitbit"})
    assert warning.isHidden()
    window.filter_checklist.set_checked({"oura"})
    window.provider_picker.select_slug(None)
    assert warning.isHidden()


def test_phone_only_providers_are_offered_as_app_codes_but_not_in_the_web_filter(
    qtbot: Any, window: LinkWindow
) -> None:
    picker = window.provider_picker
    apple = bundled_catalogue().get("apple_health_kit")
    assert apple is not None and apple.unavailable_reason
    # Selectable again: choosing one turns Generate into a code for the phone app.
    assert picker.item_enabled("apple_health_kit")
    row = picker.findData("apple_health_kit", Qt.ItemDataRole.UserRole + 1)
    assert picker.itemText(row).endswith("phone app code")
    assert "phone app" in picker.itemData(row, Qt.ItemDataRole.ToolTipRole)
    assert picker.itemText(0) == "Any provider"

    checklist = window.filter_checklist
    items = {item.data(Qt.ItemDataRole.UserRole + 1): item for item in checklist.items()}
    assert not items["apple_health_kit"].flags() & Qt.ItemFlag.ItemIsEnabled
    assert items["apple_health_kit"].toolTip() == apple.unavailable_reason
    qtbot.mouseClick(checklist.select_all_button, Qt.MouseButton.LeftButton)
    linkable = [p.slug for p in window.controller.catalogue.current if p.linkable]
    assert sorted(checklist.checked_slugs()) == sorted(linkable)
    assert "apple_health_kit" not in checklist.checked_slugs()
    assert checklist.count_label.text() == f"{len(linkable)} selected"
    qtbot.mouseClick(checklist.select_none_button, Qt.MouseButton.LeftButton)
    assert checklist.checked_slugs() == []


def test_legacy_providers_are_marked(qtbot: Any, window: LinkWindow) -> None:
    marked = [p for p in window.controller.catalogue.current if p.marker]
    assert marked
    texts = [window.provider_picker.itemText(i) for i in range(window.provider_picker.count())]
    for provider in marked:
        assert provider.display_name in texts
        assert f"({provider.marker})" in provider.display_name.lower()


def test_search_by_name_or_slug(qtbot: Any, window: LinkWindow) -> None:
    checklist = window.filter_checklist
    qtbot.keyClicks(checklist.search, "fit")
    visible = [i.data(Qt.ItemDataRole.UserRole + 1) for i in checklist.items() if not i.isHidden()]
    assert "fitbit" in visible and "oura" not in visible
    qtbot.mouseClick(checklist.select_all_button, Qt.MouseButton.LeftButton)
    assert "oura" not in checklist.checked_slugs()
    assert set(checklist.checked_slugs()) <= set(visible)

    completer = window.provider_picker.completer()
    for typed, expected in (
        ("bit", "Fitbit"),
        ("eight_sl", "Eight Sleep"),
        ("LIBRE", "FreeStyle Libre"),
    ):
        completer.setCompletionPrefix(typed)
        found = [
            completer.completionModel().index(i, 0).data()
            for i in range(completer.completionCount())
        ]
        assert expected in found, (typed, found)

    combo = child(window, "providerCombo")
    combo.lineEdit().setText("oura")
    combo.lineEdit().editingFinished.emit()
    assert window.provider_picker.selected_slug() == "oura"
    combo.lineEdit().setText("nonsense")
    assert window.provider_picker.typed_problem() is not None


def test_catalogue_comes_from_the_server_once_per_target(
    qtbot: Any, window: LinkWindow, practice_server: SandboxServer
) -> None:
    source = window.provider_source
    qtbot.waitUntil(lambda: source.text() == "Provider list from Vital", timeout=5000)
    names = [window.provider_picker.itemText(i) for i in range(1, window.provider_picker.count())]
    assert len(names) == len(window.controller.catalogue.current)
    calls = practice_server.request_log.matching("GET", "/v2/providers")
    assert len(calls) == 1
    # Switching away and back does not ask again.
    window.connection.set_mode(Mode.SANDBOX)
    window.connection.set_mode(Mode.CUSTOM)
    qtbot.wait(50)
    assert len(practice_server.request_log.matching("GET", "/v2/providers")) == 1
    assert source.text() == "Provider list from Vital"


def test_bundled_catalogue_when_the_server_does_not_answer(
    qtbot: Any,
    open_window: WindowFactory,
    connect_env: dict[str, str],
    practice_server: SandboxServer,
) -> None:
    practice_server.stop()
    window = open_window(environ=connect_env)
    qtbot.waitUntil(lambda: window.controller.service.active_count() == 0, timeout=5000)
    qtbot.wait(50)
    assert window.provider_source.text() == "Built-in provider list"
    assert window.provider_picker.count() == len(bundled_catalogue()) + 1
    assert child(window, "messageArea").isHidden()  # a missing list is not worth an alarm
