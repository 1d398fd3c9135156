"""The hand-off history view over a real ``HistoryStore`` on a temporary SQLite file.

A shown ``HistoryView`` with its controller, a real ``ApiService`` (every read runs on its
worker threads, as in the app) and the two seams a desk would answer: the Clear question
and the Save dialog.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QVBoxLayout, QWidget

from vital_desktop.core.history import HistoryStore, fingerprint, read_csv
from vital_desktop.core.link_form import short_user_id
from vital_desktop.qt.controllers.history_controller import HistoryController
from vital_desktop.qt.history_model import local_when
from vital_desktop.qt.service import ApiService
from vital_desktop.qt.views.history_view import HistoryView

from .helpers import child

USER_A = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
USER_B = "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b"
WAIT = 10_000


@dataclass
class History:
    """The view in a shown window, its controller and the store behind it."""

    view: HistoryView
    controller: HistoryController
    store: HistoryStore
    questions: list[str] = field(default_factory=list)
    answer: bool = False
    save_path: str = ""
    proposed: list[str] = field(default_factory=list)

    def wait_loaded(self, qtbot: Any, action: Callable[[], None]) -> None:
        """Do ``action`` and wait until the table shows the query it led to."""
        with qtbot.waitSignal(self.controller.model.loaded, timeout=WAIT):
            action()

    def column(self, column: int) -> list[str]:
        model = self.controller.model
        return [str(model.data(model.index(row, column))) for row in range(model.rowCount())]

    def patients(self) -> list[str]:
        return self.column(1)

    def count_text(self) -> str:
        return str(child(self.view, "historyCountLabel").text())

    def message(self) -> str:
        label = child(self.view, "historyMessageLabel")
        return "" if label.isHidden() else str(label.text()).replace("\u200b", "")

    def details(self) -> str:
        return str(child(self.view, "historyDetails").toPlainText())

    def click_row(self, qtbot: Any, row: int) -> None:
        table = child(self.view, "historyTable")
        rect = table.visualRect(self.controller.model.index(row, 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def choose(self, qtbot: Any, name: str, value: str | None) -> None:
        combo: QComboBox = child(self.view, name)
        self.wait_loaded(qtbot, lambda: combo.setCurrentIndex(combo.findData(value)))


HistoryFactory = Callable[..., History]


def record(store: HistoryStore, minutes_ago: float = 0, **changes: Any) -> int:
    """One hand-off ``minutes_ago`` (a patient MRN-0042 in sandbox US, Oura, by default)."""
    fields: dict[str, Any] = {
        "user_id": USER_A,
        "route": "web_link",
        "secret": "token-" + os.urandom(6).hex(),
        "environment": "sandbox",
        "region": "us",
        "base_url": "https://api.sandbox.tryvital.io",
        "client_user_id": "MRN-0042",
        "provider": "oura",
        "created_at": datetime.now(UTC) - timedelta(minutes=minutes_ago),
    }
    fields.update(changes)
    return store.record(**fields)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def open_history(qtbot: Any, store: HistoryStore) -> Iterator[HistoryFactory]:
    made: list[tuple[History, QWidget, ApiService]] = []

    def factory(**seams: Any) -> History:
        window = QWidget()
        window.resize(1100, 640)
        view = HistoryView(window)
        QVBoxLayout(window).addWidget(view)
        service = ApiService()
        history: History

        def confirm(_parent: QWidget, question: str) -> bool:
            history.questions.append(question)
            return history.answer

        def choose_save_path(_parent: QWidget, proposed: str) -> str:
            history.proposed.append(proposed)
            return history.save_path

        settings: dict[str, Any] = {"confirm": confirm, "choose_save_path": choose_save_path}
        settings.update(seams)
        controller = HistoryController(view, store, service, **settings)
        history = History(view, controller, store)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: controller.model.total is not None, timeout=WAIT)
        made.append((history, window, service))
        return history

    yield factory
    for history, window, service in made:
        history.controller.shutdown()
        service.shutdown()
        assert service.wait_for_done(15_000), "a worker outlived its timeout"
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# ---------------------------------------------------------------------------- rows


def test_rows_show_newest_first_with_every_column(
    open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 30, client_user_id="MRN-old")
    record(store, 1, client_user_id=None, user_id=USER_B, how=("qr_shown", "link_copied"))
    middle = record(store, 10, client_user_id="MRN-mid", provider=None, filter=("oura", "fitbit"))
    store.set_outcome(middle, "connected", "Oura at 14:02")
    history = open_history()

    assert history.patients() == [short_user_id(USER_B), "MRN-mid", "MRN-old"]
    rows = store.query()
    assert history.column(0) == [local_when(row) for row in rows]
    assert history.column(2)[1].startswith("Choice of Oura")
    assert history.column(3) == ["Web link"] * 3
    assert history.column(4)[0] == "QR code shown, copied"
    assert history.column(5)[1] == "Connected (Oura at 14:02)"
    assert history.column(6) == ["Sandbox · US"] * 3
    assert history.count_text() == "3 hand-offs"
    table = child(history.view, "historyTable")
    headers = [table.model().headerData(i, Qt.Orientation.Horizontal) for i in range(7)]
    assert headers == [
        "When",
        "Patient",
        "Provider",
        "Route",
        "Handed off by",
        "Outcome",
        "Environment",
    ]


def test_the_dates_default_to_the_last_30_days(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 0, client_user_id="MRN-today")
    record(store, 60 * 24 * 45, client_user_id="MRN-45-days")
    history = open_history()
    today = QDate.currentDate()
    assert child(history.view, "historyUntilEdit").date() == today
    assert child(history.view, "historySinceEdit").date() == today.addDays(-29)
    assert history.patients() == ["MRN-today"]

    since = child(history.view, "historySinceEdit")
    history.wait_loaded(qtbot, lambda: since.setDate(today.addDays(-60)))
    assert history.patients() == ["MRN-today", "MRN-45-days"]
    until = child(history.view, "historyUntilEdit")
    history.wait_loaded(qtbot, lambda: until.setDate(today.addDays(-1)))
    assert history.patients() == ["MRN-45-days"]


def test_each_filter_narrows_the_rows(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 1, client_user_id="oura-sandbox")
    record(store, 2, client_user_id="fitbit-sandbox", provider="fitbit")
    record(store, 3, client_user_id="oura-production", environment="production")
    connected = record(store, 4, client_user_id="oura-connected")
    store.set_outcome(connected, "connected")
    history = open_history()
    assert len(history.patients()) == 4

    history.choose(qtbot, "historyProviderCombo", "fitbit")
    assert history.patients() == ["fitbit-sandbox"]
    assert history.count_text() == "1 hand-off"
    history.choose(qtbot, "historyProviderCombo", "oura")
    assert history.patients() == ["oura-sandbox", "oura-production", "oura-connected"]

    history.choose(qtbot, "historyEnvironmentCombo", "production")
    assert history.patients() == ["oura-production"]
    history.choose(qtbot, "historyEnvironmentCombo", None)

    history.choose(qtbot, "historyOutcomeCombo", "connected")
    assert history.patients() == ["oura-connected"]
    history.choose(qtbot, "historyOutcomeCombo", "expired")
    assert history.patients() == []
    assert history.count_text() == "No hand-offs match."


def test_search_finds_a_patient_by_clinic_id_or_user_id_after_a_pause(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 1, client_user_id="MRN-0042", user_id=USER_A)
    record(store, 2, client_user_id="MRN-0777", user_id=USER_B)
    record(store, 3, client_user_id=None, user_id=USER_B)
    history = open_history()
    edit = child(history.view, "historySearchEdit")
    loads: list[str] = []
    history.controller.model.loaded.connect(lambda: loads.append(edit.text()))

    history.wait_loaded(qtbot, lambda: qtbot.keyClicks(edit, "mrn-0042"))
    assert history.patients() == ["MRN-0042"]
    assert loads == ["mrn-0042"]  # one query for the whole word, not one per key

    history.wait_loaded(qtbot, lambda: edit.setText(USER_B[:13]))
    assert history.patients() == ["MRN-0777", short_user_id(USER_B)]

    history.wait_loaded(qtbot, edit.clear)
    assert len(history.patients()) == 3


# ------------------------------------------------------------------------- details


def test_the_details_show_every_field_as_plain_text_and_never_the_secret(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    hostile = "<b>MRN</b><img src=x>"
    row_id = record(
        store,
        5,
        secret="the-full-link-token",
        client_user_id=hostile,
        filter=("oura", "fitbit"),
        redirect_url="https://clinic.example/done",
        how=("opened_in_browser",),
    )
    store.set_outcome(row_id, "error", "provider_error")
    history = open_history()
    assert history.details() == ""
    history.click_row(qtbot, 0)
    text = history.details()
    assert history.controller.selected_id == row_id
    for expected in (
        f"Clinic patient ID: {hostile}",
        f"Vital user ID: {USER_A}",
        "Route: Web link",
        "Provider: Oura",
        "Providers offered: Oura, Fitbit",
        "Redirect after connecting: https://clinic.example/done",
        "Handed off by: Opened in the browser",
        "Outcome: Connection error",
        "Outcome detail: provider_error",
        "Environment: Sandbox · US",
        "API address: https://api.sandbox.tryvital.io",
        f"Link fingerprint (not the link): {fingerprint('the-full-link-token')}",
    ):
        assert expected in text
    assert "the-full-link-token" not in text
    assert history.patients() == [hostile]  # the table's text too, character for character
    assert child(history.view, "historyDetails").isReadOnly()


# -------------------------------------------------------------------------- export


def test_export_writes_every_row_the_filters_match(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore, tmp_path: Path
) -> None:
    for n in range(12):
        record(store, n + 1, client_user_id=f"MRN-{n:02d}", provider="oura" if n % 3 else "garmin")
    history = open_history(page_size=3)  # fewer rows loaded than the filter matches
    history.choose(qtbot, "historyProviderCombo", "oura")
    assert history.controller.model.rowCount() == 3
    history.save_path = str(tmp_path / "export")  # no suffix: .csv is added

    qtbot.mouseClick(child(history.view, "historyExportButton"), Qt.MouseButton.LeftButton)
    target = tmp_path / "export.csv"
    qtbot.waitUntil(lambda: "Exported" in history.message(), timeout=WAIT)
    assert history.proposed and history.proposed[0].endswith(".csv")
    expected = store.query(provider="oura")
    written = read_csv(target)
    assert [row["id"] for row in written] == [str(row.id) for row in expected]
    assert [row["client_user_id"] for row in written] == [row.client_user_id for row in expected]
    assert {row["provider"] for row in written} == {"oura"}
    assert history.message() == f"Exported 8 hand-offs to {target}."


def test_export_cancelled_in_the_dialog_writes_nothing(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore, tmp_path: Path
) -> None:
    record(store)
    history = open_history()
    history.save_path = ""
    qtbot.mouseClick(child(history.view, "historyExportButton"), Qt.MouseButton.LeftButton)
    assert len(history.proposed) == 1
    assert child(history.view, "historyExportButton").isEnabled()
    assert history.message() == ""
    assert list(tmp_path.glob("*.csv")) == []


def test_a_history_that_cannot_be_read_says_so_in_one_sentence(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store)
    history = open_history()
    store.close()
    history.controller.refresh()
    qtbot.waitUntil(lambda: history.message() == "The history is closed.", timeout=WAIT)
    assert child(history.view, "historyMessageLabel").property("problem") is True
    assert len(history.patients()) == 1  # what was read stays on show


def test_export_to_a_folder_that_cannot_be_written_says_so(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore, tmp_path: Path
) -> None:
    record(store)
    history = open_history()
    history.save_path = str(tmp_path / "missing-folder" / "history.csv")
    qtbot.mouseClick(child(history.view, "historyExportButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be written" in history.message(), timeout=WAIT)
    assert child(history.view, "historyMessageLabel").property("problem") is True
    assert child(history.view, "historyExportButton").isEnabled()


# --------------------------------------------------------------------------- clear


def test_clear_asks_once_and_keeps_everything_when_the_answer_is_no(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store)
    history = open_history()
    history.answer = False
    button = child(history.view, "historyClearButton")
    assert button.text() == "Clear history…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(history.questions) == 1
    assert "cannot be undone" in history.questions[0]
    assert store.count() == 1
    assert len(history.patients()) == 1


def test_clear_removes_every_hand_off(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 1)
    record(store, 60 * 24 * 90)  # outside the dates shown: cleared too
    history = open_history()
    history.answer = True
    with qtbot.waitSignal(history.controller.history_cleared, timeout=WAIT) as cleared:
        qtbot.mouseClick(child(history.view, "historyClearButton"), Qt.MouseButton.LeftButton)
    assert cleared.args == [2]
    assert len(history.questions) == 1
    assert store.count() == 0
    qtbot.waitUntil(lambda: history.patients() == [], timeout=WAIT)
    qtbot.waitUntil(lambda: history.count_text() == "No hand-offs match.", timeout=WAIT)
    assert history.message() == "The history is cleared."


# ------------------------------------------------------------------------- refresh


def test_refresh_shows_a_new_row_and_keeps_the_selection(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 3, client_user_id="MRN-first")
    chosen = record(store, 2, client_user_id="MRN-chosen")
    history = open_history()
    history.click_row(qtbot, 0)
    assert history.controller.selected_id == chosen

    record(store, 0, client_user_id="MRN-new")
    store.set_outcome(chosen, "connected", "Oura at 14:02")
    history.wait_loaded(qtbot, history.controller.refresh)
    assert history.patients() == ["MRN-new", "MRN-chosen", "MRN-first"]
    assert history.controller.selected_id == chosen
    table = child(history.view, "historyTable")
    assert [index.row() for index in table.selectionModel().selectedRows()] == [1]
    assert "Outcome detail: Oura at 14:02" in history.details()  # the details follow
    assert history.count_text() == "3 hand-offs"


def test_a_refresh_keeps_the_rows_in_sight_where_they_were(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    for n in range(150):
        record(store, n + 1, client_user_id=f"MRN-{n:03d}")
    history = open_history()
    model, table = history.controller.model, child(history.view, "historyTable")
    history.click_row(qtbot, 2)  # chosen, then scrolled out of sight
    table.scrollTo(model.index(100, 0), table.ScrollHint.PositionAtTop)
    top = table.rowAt(0)
    assert top > 50
    top_patient = history.patients()[top]

    record(store, 0, client_user_id="MRN-new")
    history.wait_loaded(qtbot, history.controller.refresh)
    assert history.patients()[0] == "MRN-new"
    assert history.patients()[table.rowAt(0)] == top_patient
    assert history.details().count("MRN-002") == 1  # still chosen, not scrolled to


def test_a_refresh_while_hidden_waits_until_the_view_shows(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    history = open_history()
    window = history.view.window()
    window.hide()
    record(store, 0, client_user_id="MRN-late")
    history.controller.refresh()
    assert not history.controller.model.busy
    history.wait_loaded(qtbot, window.show)
    assert history.patients() == ["MRN-late"]


def test_a_selected_row_that_is_gone_clears_the_details(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    record(store, 1, client_user_id="MRN-oura")
    record(store, 2, client_user_id="MRN-fitbit", provider="fitbit")
    history = open_history()
    history.click_row(qtbot, 1)
    assert "MRN-fitbit" in history.details()
    history.choose(qtbot, "historyProviderCombo", "oura")
    assert history.controller.selected_id is None
    assert history.details() == ""


# -------------------------------------------------------------------------- paging


def test_rows_are_read_a_page_at_a_time_as_the_table_scrolls(
    qtbot: Any, open_history: HistoryFactory, store: HistoryStore
) -> None:
    for n in range(120):
        record(store, n, client_user_id=f"MRN-{n:03d}")
    history = open_history(page_size=10)
    model = history.controller.model
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT)
    # Pages enough to fill the table's height (the view asks for them), not the whole set.
    assert 10 <= model.rowCount() < 120 and model.rowCount() % 10 == 0
    assert history.count_text() == "120 hand-offs"
    assert model.canFetchMore()
    table = child(history.view, "historyTable")

    def scrolled_to_the_end() -> bool:
        table.scrollToBottom()
        return model.rowCount() == 120

    qtbot.waitUntil(scrolled_to_the_end, timeout=WAIT)
    assert history.patients() == [f"MRN-{n:03d}" for n in range(120)]
    assert not model.canFetchMore()
