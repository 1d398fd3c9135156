"""The hand-off history's behaviour: filters, the chosen row's details, export, clear, refresh.

Every read and write of the store runs on the ``ApiService``, off the GUI thread; the table's
rows come from ``HistoryModel``, a page at a time. Typing in the patient search waits for a
pause (``debounce_ms``) before it asks; a date or a list choice asks at once. ``refresh()``
re-reads the current query (the main window calls it when a hand-off is recorded or its
outcome changes) and keeps the chosen row chosen when it is still there; while the view is
hidden (another tab) it only notes that it is stale and reads when shown again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QObject,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMessageBox, QWidget

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.environments import Environment
from vital_desktop.core.errors import VitalError
from vital_desktop.core.history import OUTCOMES, HistoryError, HistoryStore, export_csv
from vital_desktop.core.i18n import translate
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import clean_paste
from vital_desktop.qt.history_model import (
    CONTEXT,
    ENVIRONMENT_WORDS,
    OUTCOME_WORDS,
    PAGE_SIZE,
    HistoryModel,
    HistoryQuery,
    ReadFailed,
    describe_details,
)
from vital_desktop.qt.save_location import home_folder, usable_folder
from vital_desktop.qt.service import ApiService, Job
from vital_desktop.qt.views.history_view import HistoryView

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30  # the dates the history opens on: the last 30 days, today included
DEBOUNCE_MS = 250

Confirm = Callable[[QWidget, str], bool]
ChooseSavePath = Callable[[QWidget, str], str]


def ask_clear_confirm(parent: QWidget, question: str) -> bool:
    """Yes/No box, No by default, the question as plain text."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(parent.tr("Clear history"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_export_path(parent: QWidget, proposed: str) -> str:
    """The native Save dialog, starting at ``proposed``; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Export history"), proposed, parent.tr("CSV file (*.csv)")
    )
    return path


def documents_folder() -> Path:
    """The Documents folder when the platform names one that exists, else the home folder."""
    documents = usable_folder(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    )
    return documents if documents is not None else home_folder()


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in this computer's time zone, as an aware time."""
    return datetime(day.year, day.month, day.day).astimezone()


class HistoryController(QObject):
    """Behaviour of one ``HistoryView`` over ``store``.

    ``history_cleared(count)`` after Clear history emptied the store.
    """

    history_cleared = Signal(int)

    def __init__(
        self,
        view: HistoryView,
        store: HistoryStore,
        service: ApiService,
        *,
        confirm: Confirm = ask_clear_confirm,
        choose_save_path: ChooseSavePath = ask_export_path,
        today: Callable[[], date] = date.today,
        debounce_ms: int = DEBOUNCE_MS,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.store = store
        self.service = service
        self.confirm = confirm
        self.choose_save_path = choose_save_path
        self.today = today
        self.model = HistoryModel(store, service, self, page_size=page_size)
        self._selected_id: int | None = None  # the row chosen, kept across refreshes
        self._resetting = False
        self._stale = False  # a refresh came while the view was hidden
        self._read_failed = False  # the message shows that the last read failed
        self._anchor_id: int | None = None  # the top row to keep in place over a refresh
        self._action_job: Job | None = None  # an export or clear in flight
        self._until_today: date | None = None  # the until date follows today while set
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self.apply_filters)

        view.table.setModel(self.model)
        view.size_columns()
        self._fill_choices()
        self._set_default_dates()
        self._wire()
        view.installEventFilter(self)
        self.apply_filters()

    def _fill_choices(self) -> None:
        v = self.view
        catalogue = sorted(bundled_catalogue(), key=lambda p: p.name.lower())
        v.set_choices(
            v.provider_combo,
            [(self.tr("All providers"), None)] + [(p.display_name, p.slug) for p in catalogue],
        )
        environments = [e.value for e in Environment]
        environments += [name for name in ENVIRONMENT_WORDS if name not in environments]
        v.set_choices(
            v.environment_combo,
            [(self.tr("All environments"), None)]
            + [(translate(CONTEXT, ENVIRONMENT_WORDS[name]), name) for name in environments],
        )
        v.set_choices(
            v.outcome_combo,
            [(self.tr("All outcomes"), None)]
            + [(translate(CONTEXT, OUTCOME_WORDS.get(name, name)), name) for name in OUTCOMES],
        )

    def _set_default_dates(self) -> None:
        today = self.today()
        self._set_dates(today - timedelta(days=DEFAULT_DAYS - 1), today)
        self._until_today = today

    def _set_dates(self, since: date, until: date) -> None:
        for edit, day in ((self.view.since_edit, since), (self.view.until_edit, until)):
            blocked = edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(blocked)

    def _wire(self) -> None:
        v = self.view
        v.search_edit.textChanged.connect(self.on_search_edit_text_changed)
        v.search_edit.returnPressed.connect(self.apply_filters)
        v.since_edit.dateChanged.connect(self.on_since_edit_date_changed)
        v.until_edit.dateChanged.connect(self.on_until_edit_date_changed)
        for combo in (v.provider_combo, v.environment_combo, v.outcome_combo):
            combo.currentIndexChanged.connect(self.apply_filters)
        v.table.selectionModel().selectionChanged.connect(self.on_table_selection_changed)
        v.export_button.clicked.connect(self.export)
        v.clear_button.clicked.connect(self.clear_history)
        m = self.model
        m.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        m.modelReset.connect(self._on_model_reset)
        m.loaded.connect(self._on_loaded)
        m.failed.connect(self._on_failed)

    # ---------------------------------------------------------------- filters

    def current_query(self) -> HistoryQuery:
        """The query the filters on screen describe."""
        v = self.view
        since = _py_date(v.since_edit.date())
        until = _py_date(v.until_edit.date())
        text = clean_paste(v.search_edit.text())
        return HistoryQuery(
            since=local_midnight(since),
            until=local_midnight(until + timedelta(days=1)),
            user=text or None,
            provider=_choice(v.provider_combo.currentData()),
            environment=_choice(v.environment_combo.currentData()),
            outcome=_choice(v.outcome_combo.currentData()),
        )

    @Slot()
    def apply_filters(self) -> None:
        """Show the rows the filters on screen describe (at once: no debounce)."""
        self._debounce.stop()
        query = self.current_query()
        if query != self.model.query or self.model.total is None:
            self.model.set_query(query)

    @Slot(str)
    def on_search_edit_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot(QDate)
    def on_since_edit_date_changed(self, since: QDate) -> None:
        if since > self.view.until_edit.date():  # a range that runs backwards: move the end
            self._set_dates(_py_date(since), _py_date(since))
        self._follow_today()
        self.apply_filters()

    @Slot(QDate)
    def on_until_edit_date_changed(self, until: QDate) -> None:
        if until < self.view.since_edit.date():  # backwards: move the start
            self._set_dates(_py_date(until), _py_date(until))
        self._follow_today()
        self.apply_filters()

    def _follow_today(self) -> None:
        today = self.today()
        self._until_today = today if _py_date(self.view.until_edit.date()) == today else None

    def _roll_today(self) -> None:
        """After midnight an "until today" range moves on to the new today."""
        today = self.today()
        if self._until_today is not None and self._until_today != today:
            since = _py_date(self.view.since_edit.date())
            self._set_dates(since, today)
            self._until_today = today

    # ---------------------------------------------------------------- refresh

    @Slot()
    def refresh(self) -> None:
        """Read the current query again, keeping the chosen row when it is still there.

        Call it when a hand-off is recorded or its outcome changes. While the view is not
        visible it only marks the history stale; it is read when the view shows again.
        """
        if not self.view.isVisible():
            self._stale = True
            return
        self._stale = False
        self._roll_today()
        query = self.current_query()
        self._debounce.stop()
        if query != self.model.query:
            self.model.set_query(query)
        else:
            self._anchor_id = self._top_row_id()
            self.model.refresh()

    def _top_row_id(self) -> int | None:
        """The row at the top of the table when it is scrolled down (else None: at the top,
        new hand-offs come into sight)."""
        table = self.view.table
        if table.verticalScrollBar().value() == 0:
            return None
        row = self.model.hand_off(table.rowAt(0))
        return row.id if row is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Show and self._stale:
            QTimer.singleShot(0, self.refresh)
        return super().eventFilter(watched, event)

    # -------------------------------------------------------------- selection

    @Slot(QItemSelection, QItemSelection)
    def on_table_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        if self._resetting:
            return
        rows = self.view.table.selectionModel().selectedRows()
        row = self.model.hand_off(rows[0].row()) if rows else None
        self._selected_id = row.id if row is not None else None
        self.view.show_details(describe_details(row) if row is not None else None)

    def _on_model_about_to_be_reset(self) -> None:
        self._resetting = True

    def _on_model_reset(self) -> None:
        self._resetting = False

    def _on_loaded(self) -> None:
        self._show_count()
        anchor, self._anchor_id = self._anchor_id, None
        anchor_row = self.model.row_of(anchor) if anchor is not None else None
        if anchor_row is not None:  # the rows the desk was reading stay where they were
            self.view.table.scrollTo(
                self.model.index(anchor_row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        if self._read_failed:  # a read that works again takes its failure away
            self._read_failed = False
            self.view.show_message(None)
        row_id = self._selected_id
        row = self.model.row_of(row_id) if row_id is not None else None
        if row is None:
            self._selected_id = None
            self.view.show_details(None)
            return
        self.select_row(row)

    def select_row(self, row: int) -> None:
        """Choose ``row`` (its details show), without scrolling the table."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
            | QItemSelectionModel.SelectionFlag.Current
        )
        table = self.view.table
        scrolls = table.hasAutoScroll()
        table.setAutoScroll(False)  # a view scrolls to a new current row otherwise
        try:
            table.selectionModel().setCurrentIndex(index, flags)
        finally:
            table.setAutoScroll(scrolls)

    @property
    def selected_id(self) -> int | None:
        """The store id of the chosen row, if any."""
        return self._selected_id

    def _show_count(self) -> None:
        total = self.model.total or 0
        if total == 0:
            text = self.tr("No hand-offs match.")
        elif total == 1:
            text = self.tr("1 hand-off")
        else:
            text = self.tr("{count} hand-offs").format(count=f"{total:,}")
        self.view.show_count(text)

    def _on_failed(self, message: str) -> None:
        self._read_failed = True
        self.view.show_message(message, problem=True)

    # ----------------------------------------------------------------- export

    @Slot()
    def export(self) -> None:
        """Ask where, then write every row the filters match (not only those loaded) as CSV."""
        if self._action_job is not None:
            return
        self.apply_filters()  # a search still waiting for its pause counts
        query = self.model.query
        proposed = documents_folder() / f"vital-history-{self.today():%Y-%m-%d}.csv"
        chosen = self.choose_save_path(self.view, str(proposed))
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".csv")
        store = self.store
        cannot_write = self.tr("The history could not be written to {path} ({reason}).")

        def write(_token: CancelToken) -> int | ReadFailed:
            try:
                return export_csv(query.rows(store), path)
            except HistoryError as error:
                return ReadFailed(error.message)
            except OSError as error:
                reason = error.strerror or type(error).__name__
                return ReadFailed(cannot_write.format(path=path, reason=reason))

        self._begin_action(self.tr("Exporting…"))
        self._action_job = self.service.start(
            write,
            lambda answer: self._on_exported(path, answer),
            self._on_action_error,
        )

    def _on_exported(self, path: Path, answer: object) -> None:
        self._end_action()
        if isinstance(answer, ReadFailed):
            self.view.show_message(answer.message, problem=True)
        elif isinstance(answer, int):
            words = self.tr("1 hand-off") if answer == 1 else self.tr("{count} hand-offs")
            self.view.show_message(
                self.tr("Exported {what} to {path}.").format(
                    what=words.format(count=f"{answer:,}"), path=path
                )
            )

    # ------------------------------------------------------------------ clear

    @Slot()
    def clear_history(self) -> None:
        """Ask once, then forget every hand-off in the store (not only those shown)."""
        if self._action_job is not None:
            return
        question = self.tr(
            "Forget every hand-off kept on this computer, in every environment and all dates? "
            "This cannot be undone."
        )
        if not self.confirm(self.view, question):
            return
        store = self.store

        def clear(_token: CancelToken) -> int | ReadFailed:
            try:
                return store.clear()
            except HistoryError as error:
                return ReadFailed(error.message)

        self._begin_action(self.tr("Clearing the history…"))
        self._action_job = self.service.start(clear, self._on_cleared, self._on_action_error)

    def _on_cleared(self, answer: object) -> None:
        self._end_action()
        if isinstance(answer, ReadFailed):
            self.view.show_message(answer.message, problem=True)
            return
        count = answer if isinstance(answer, int) else 0
        self._selected_id = None
        self.model.refresh()
        self.view.show_message(self.tr("The history is cleared."))
        self.history_cleared.emit(count)

    # ---------------------------------------------------------------- helpers

    def _begin_action(self, busy: str) -> None:
        self.view.set_actions_enabled(False)
        self.view.set_busy(busy)
        self.view.show_message(None)

    def _end_action(self) -> None:
        self._action_job = None
        self.view.set_busy(None)
        self.view.set_actions_enabled(True)

    def _on_action_error(self, error: VitalError) -> None:
        self._end_action()
        self.view.show_message(error.message, problem=True)

    @property
    def busy(self) -> bool:
        """True while the table is reading, or an export or clear runs."""
        return self.model.busy or self._action_job is not None

    def shutdown(self) -> None:
        """Drop every read and write in flight (touches no widget; the service's owner shuts
        the service down)."""
        self._debounce.stop()
        self.model.shutdown()
        if self._action_job is not None:
            self._action_job.cancel()
            self._action_job = None


def _choice(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _py_date(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())
