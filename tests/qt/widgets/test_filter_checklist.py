"""The "Only offer" checklist: thousands of providers, a search, ticks that survive a refill."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView, QToolTip

from vital_desktop.core.providers import Provider, ProviderCatalogue, WebSupport
from vital_desktop.qt.widgets.filter_checklist import SLUG_ROLE, FilterChecklist

from .conftest import Host, show_tooltip, synthetic_catalogue


def test_five_thousand_providers_fill_search_and_keep_their_ticks(qtbot: Any, host: Host) -> None:
    checklist = FilterChecklist()
    host(checklist)
    checklist.set_catalogue(synthetic_catalogue(100))
    checklist.set_checked({"provider_00007", "provider_00042"})

    started = time.perf_counter()
    checklist.set_catalogue(synthetic_catalogue(5000))
    filled = time.perf_counter() - started
    assert checklist.list.model().rowCount() == 5000
    assert len(checklist.items()) == 5000
    assert checklist.checked_slugs() == ["provider_00007", "provider_00042"]
    assert checklist.count_label.text() == "2 selected"

    started = time.perf_counter()
    qtbot.keyClicks(checklist.search, "04321")
    searched = time.perf_counter() - started
    # Information only: shared machines are too noisy for a timing assertion.
    print(f"FilterChecklist: fill 5000 {filled * 1000:.0f} ms, search {searched * 1000:.0f} ms")
    assert checklist.visible_slugs() == ["provider_04321"]
    hidden = {row.data(SLUG_ROLE): row.isHidden() for row in checklist.items()}
    assert hidden["provider_04321"] is False and hidden["provider_00042"] is True

    checklist.search.setText("PROVIDER_049")  # slugs too, whatever the case
    assert len(checklist.visible_slugs()) == 100
    assert checklist.visible_slugs()[0] == "provider_04900"
    qtbot.mouseClick(checklist.select_all_button, Qt.MouseButton.LeftButton)
    assert len(checklist.checked_slugs()) == 102
    assert checklist.checked_slugs()[:2] == ["provider_00007", "provider_00042"]

    checklist.search.clear()
    assert len(checklist.visible_slugs()) == 5000
    # A refill keeps ticks only on slugs that still exist.
    checklist.set_catalogue(synthetic_catalogue(4970, start=30))
    assert checklist.checked_slugs()[0] == "provider_00042"
    assert "provider_00007" not in checklist.checked_slugs()
    assert len(checklist.checked_slugs()) == 101
    assert checklist.items()[0].checkState() == Qt.CheckState.Unchecked


def test_ticking_by_keyboard_and_mouse_counts_and_announces(qtbot: Any, host: Host) -> None:
    checklist = FilterChecklist()
    checklist.set_catalogue(synthetic_catalogue(20))
    host(checklist)
    view = checklist.list
    assert isinstance(view, QListView)
    view.setFocus()
    view.setCurrentIndex(view.model().index(3, 0))
    with qtbot.waitSignal(checklist.changed, timeout=1000):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert checklist.checked_slugs() == ["provider_00003"]
    assert checklist.count_label.text() == "1 selected"
    with qtbot.waitSignal(checklist.changed, timeout=1000):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert checklist.checked_slugs() == []
    assert checklist.count_label.text() == "No filter: all providers"
    qtbot.mouseClick(checklist.select_all_button, Qt.MouseButton.LeftButton)
    assert len(checklist.checked_slugs()) == 20
    assert all(row.checkState() == Qt.CheckState.Checked for row in checklist.items())
    qtbot.mouseClick(checklist.select_none_button, Qt.MouseButton.LeftButton)
    assert checklist.checked_slugs() == []


def test_phone_only_providers_cannot_be_ticked(qtbot: Any, host: Host) -> None:
    catalogue = ProviderCatalogue(
        [
            Provider("oura", "Oura", "oauth", WebSupport.YES),
            Provider("apple_health_kit", "Apple HealthKit", "sdk", WebSupport.NO),
        ]
    )
    checklist = FilterChecklist()
    checklist.set_catalogue(catalogue)
    host(checklist)
    checklist.set_checked({"oura", "apple_health_kit"})
    assert checklist.checked_slugs() == ["oura"]
    rows = {row.data(SLUG_ROLE): row for row in checklist.items()}
    assert not rows["apple_health_kit"].flags() & Qt.ItemFlag.ItemIsEnabled
    assert (
        rows["apple_health_kit"].toolTip() == catalogue.get("apple_health_kit").unavailable_reason
    )


def test_html_in_server_names_shows_literally(qtbot: Any, host: Host) -> None:
    name = "<h1>big</h1><img src=x width=30000>"
    catalogue = ProviderCatalogue(
        [
            Provider("evil_html", name, "oauth", WebSupport.YES, True),
            Provider("evil_sdk", name, "sdk", WebSupport.NO, True),
        ]
    )
    checklist = FilterChecklist()
    checklist.set_catalogue(catalogue)
    window = host(checklist)
    assert checklist.minimumSizeHint().width() < 800
    assert window.minimumSizeHint().width() < 800
    rows = {row.data(SLUG_ROLE): row for row in checklist.items()}
    assert rows["evil_html"].text().startswith(name)
    view = checklist.list
    index = view.model().index(1, 0)
    assert index.data(SLUG_ROLE) == "evil_sdk"
    assert show_tooltip(qtbot, view.viewport(), view.visualRect(index).center())
    assert "&lt;img src=x width=30000&gt;" in QToolTip.text()
    assert "<img" not in QToolTip.text()
