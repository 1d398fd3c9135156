"""Picking a provider: from the type-ahead popup, by typing its name or slug, among thousands."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolTip

from vital_desktop.core.providers import (
    Provider,
    ProviderCatalogue,
    WebSupport,
    bundled_catalogue,
)
from vital_desktop.qt.widgets.provider_picker import ProviderPicker

from .conftest import Host, show_tooltip, synthetic_catalogue


@pytest.fixture
def picker(qtbot: Any, host: Host) -> ProviderPicker:
    widget = ProviderPicker()
    widget.set_catalogue(bundled_catalogue())
    host(widget)
    widget.setFocus()
    qtbot.waitUntil(widget.lineEdit().hasFocus)
    return widget


def _type_into(qtbot: Any, picker: ProviderPicker, text: str) -> None:
    picker.lineEdit().selectAll()
    qtbot.keyClicks(picker.lineEdit(), text)


def _popup_rows(picker: ProviderPicker) -> list[str]:
    popup = picker.completer().popup()
    model = popup.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_down_and_enter_in_the_suggestions_selects_the_provider(
    qtbot: Any, picker: ProviderPicker
) -> None:
    _type_into(qtbot, picker, "Oura")
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert _popup_rows(picker) == ["Oura"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    assert picker.lineEdit().text() == "Oura"  # the slug is for matching, not for the box
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert picker.selected_slug() == "oura"
    assert picker.lineEdit().text() == "Oura"
    assert picker.typed_problem() is None


def test_clicking_a_suggestion_selects_the_provider(qtbot: Any, picker: ProviderPicker) -> None:
    _type_into(qtbot, picker, "bit")  # matches Fitbit by name
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    rows = _popup_rows(picker)
    assert "Fitbit" in rows
    index = popup.model().index(rows.index("Fitbit"), 0)
    popup.scrollTo(index)
    qtbot.mouseClick(
        popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(index).center()
    )
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert picker.selected_slug() == "fitbit"
    assert picker.lineEdit().text() == "Fitbit"
    assert picker.typed_problem() is None


def test_a_suggestion_found_by_slug_selects_its_provider(
    qtbot: Any, picker: ProviderPicker
) -> None:
    _type_into(qtbot, picker, "eight_sl")
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert _popup_rows(picker) == ["Eight Sleep"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Enter)
    assert picker.selected_slug() == "eight_sleep"
    assert picker.typed_problem() is None


@pytest.mark.parametrize("typed", ["oura", "OURA", "Oura oura", "  oUrA   OURA ", "Oura"])
def test_typed_name_slug_or_name_and_slug_is_accepted(
    qtbot: Any, picker: ProviderPicker, typed: str
) -> None:
    picker.select_slug("fitbit")
    picker.lineEdit().setText(typed)
    # Counts before the box loses focus (Ctrl+Enter generates from inside it) ...
    assert picker.typed_problem() is None
    assert picker.selected_slug() == "oura"
    # ... and settles on the provider's own name when it does.
    picker.lineEdit().editingFinished.emit()
    assert picker.currentIndex() == picker.findData("oura", Qt.ItemDataRole.UserRole + 1)
    assert picker.lineEdit().text() == "Oura"


def test_typing_a_provider_name_announces_the_change(qtbot: Any, picker: ProviderPicker) -> None:
    picker.select_slug(None)
    with qtbot.waitSignal(picker.provider_changed, timeout=1000):
        _type_into(qtbot, picker, "garmin")
    assert picker.selected_slug() == "garmin"


def test_unknown_text_is_refused_and_empty_means_any_provider(
    qtbot: Any, picker: ProviderPicker
) -> None:
    picker.select_slug("oura")
    picker.lineEdit().setText("Oura ring thing")
    problem = picker.typed_problem()
    assert problem is not None and "Oura ring thing" in problem
    picker.lineEdit().setText("")
    assert picker.typed_problem() is None
    assert picker.selected_slug() is None


def test_choice_survives_a_new_catalogue_and_thousands_stay_searchable(
    qtbot: Any, host: Host
) -> None:
    picker = ProviderPicker()
    host(picker)
    picker.set_catalogue(synthetic_catalogue(100))
    picker.select_slug("provider_00042")
    started = time.perf_counter()
    picker.set_catalogue(synthetic_catalogue(5000))
    elapsed = time.perf_counter() - started
    print(f"set_catalogue(5000) on ProviderPicker: {elapsed * 1000:.0f} ms")  # information only
    assert picker.count() == 5001
    assert picker.selected_slug() == "provider_00042"
    assert picker.lineEdit().text() == "Provider 00042"
    picker.lineEdit().setText("provider_04999")
    assert picker.selected_slug() == "provider_04999"
    completer = picker.completer()
    completer.setCompletionPrefix("04321")
    found = [
        completer.completionModel().index(row, 0).data()
        for row in range(completer.completionCount())
    ]
    assert found == ["Provider 04321"]
    picker.set_catalogue(synthetic_catalogue(10, start=100))  # provider_00042 is gone
    assert picker.selected_slug() is None
    assert picker.currentIndex() == 0


def test_html_in_a_server_name_is_shown_literally(qtbot: Any, host: Host) -> None:
    name = "<h1>big</h1><img src=x width=30000>"
    catalogue = ProviderCatalogue(
        [
            Provider("evil_html", name, "oauth", WebSupport.YES, True),
            Provider("phone_evil", f"<b>{'x' * 500}</b>", "sdk", WebSupport.NO, True),
        ]
    )
    picker = ProviderPicker()
    picker.set_catalogue(catalogue)
    host(picker)
    assert picker.sizeHint().width() < 800
    assert picker.minimumSizeHint().width() < 800
    picker.select_slug("evil_html")
    assert picker.lineEdit().text() == name
    # The tooltip bubble shows the tags as characters, not as a heading and a huge picture.
    view = picker.view()
    picker.showPopup()
    qtbot.waitUntil(view.isVisible)
    row = picker.findData("evil_html", Qt.ItemDataRole.UserRole + 1)
    rect = view.visualRect(view.model().index(row, 0))
    assert show_tooltip(qtbot, view.viewport(), rect.center())
    assert "&lt;h1&gt;big&lt;/h1&gt;" in QToolTip.text()
    assert "<h1>" not in QToolTip.text()
    picker.hidePopup()


def test_a_new_catalogue_does_not_wipe_what_is_being_typed(
    qtbot: Any, picker: ProviderPicker
) -> None:
    _type_into(qtbot, picker, "Our")
    assert picker.lineEdit().hasFocus()
    picker.set_catalogue(bundled_catalogue())  # the server's list arrives mid-word
    assert picker.lineEdit().text() == "Our"
    qtbot.keyClicks(picker.lineEdit(), "a")
    assert picker.selected_slug() == "oura"
