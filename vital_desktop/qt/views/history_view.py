"""The hand-off history: a filterable table of every link and code handed out, newest first.

Layout only. ``HistoryController`` (qt/controllers/history_controller.py) runs the queries,
fills the filters and reacts to them; the view offers small presentation helpers
(``set_choices``, ``show_count``, ``show_message``, ``set_busy``, ``show_details``). Every
text in it is plain: the details panel is a read-only ``QPlainTextEdit``, labels are
``PlainText`` and the table's tooltips go through ``PlainItemToolTips``.

It is a plain ``QWidget``: the main window can put it in a tab, or show it on its own (it
carries a window title for that).
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.qt import theme
from vital_desktop.qt.widgets.result_panel import plain_label

SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)
DATE_FORMAT = "d MMM yyyy"
# Starting widths of the table's columns (when, patient, provider, route, how, outcome);
# the last one (environment) takes what is left.
COLUMN_WIDTHS = (140, 170, 150, 110, 170, 200)


class HistoryView(QWidget):
    """``historyWindow``: filters, ``historyTable``, ``historyDetails`` and the actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyWindow")
        self.setWindowTitle(self.tr("Hand-off history"))
        self.setAccessibleName(self.tr("Hand-off history"))
        self._build()

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("historySearchEdit")
        self.search_edit.setPlaceholderText(self.tr("Clinic patient ID or Vital user ID"))
        self.search_edit.setAccessibleName(self.tr("Search by patient"))
        self.search_edit.setClearButtonEnabled(True)

        self.since_edit = self._date_edit("historySinceEdit", self.tr("Hand-offs from"))
        self.until_edit = self._date_edit("historyUntilEdit", self.tr("Hand-offs until"))
        self.provider_combo = self._combo("historyProviderCombo", self.tr("Provider"))
        self.environment_combo = self._combo("historyEnvironmentCombo", self.tr("Environment"))
        self.outcome_combo = self._combo("historyOutcomeCombo", self.tr("Outcome"))

        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName(self.tr("Hand-offs, newest first"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setSortingEnabled(False)  # always newest first: the store's order
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        # One fixed row height: the view never measures 100,000 rows to lay them out.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setHighlightSections(False)
        theme.PlainItemToolTips.install(self.table)

        self.details = QPlainTextEdit(self)
        self.details.setObjectName("historyDetails")
        self.details.setAccessibleName(self.tr("Details of the chosen hand-off"))
        self.details.setReadOnly(True)
        self.details.setTextInteractionFlags(SELECTABLE)
        self.details.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.details.setTabChangesFocus(True)
        self.details.setPlaceholderText(self.tr("Choose a hand-off to see all it recorded."))

        self.count_label = plain_label("", self, "historyCountLabel")
        self.count_label.setAccessibleName(self.tr("Number of hand-offs shown"))
        self.count_label.setWordWrap(False)
        self.busy_label = plain_label("", self, "historyBusyLabel")
        self.busy_label.hide()
        self.message_label = plain_label("", self, "historyMessageLabel")
        self.message_label.setAccessibleName(self.tr("History message"))
        self.message_label.setTextInteractionFlags(SELECTABLE)
        self.message_label.hide()

        self.export_button = QPushButton(self.tr("&Export CSV…"), self)
        self.export_button.setObjectName("historyExportButton")
        self.export_button.setAccessibleName(self.tr("Export the hand-offs shown to a CSV file"))
        self.clear_button = QPushButton(self.tr("Clear history…"), self)
        self.clear_button.setObjectName("historyClearButton")
        self.clear_button.setAccessibleName(self.tr("Clear the whole history"))

        filters = QHBoxLayout()
        filters.addWidget(self._label(self.tr("Pa&tient:"), self.search_edit))
        filters.addWidget(self.search_edit, 2)
        filters.addWidget(self._label(self.tr("&From:"), self.since_edit))
        filters.addWidget(self.since_edit)
        filters.addWidget(self._label(self.tr("t&o:"), self.until_edit))
        filters.addWidget(self.until_edit)
        filters.addWidget(self.provider_combo, 1)
        filters.addWidget(self.environment_combo, 1)
        filters.addWidget(self.outcome_combo, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("historySplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addWidget(self.busy_label)
        status.addWidget(self.message_label, 1)
        status.addStretch(0)
        status.addWidget(self.export_button)
        status.addWidget(self.clear_button)

        column = QVBoxLayout(self)
        column.addLayout(filters)
        column.addWidget(splitter, 1)
        column.addLayout(status)

        for first, second in (
            (self.search_edit, self.since_edit),
            (self.since_edit, self.until_edit),
            (self.until_edit, self.provider_combo),
            (self.provider_combo, self.environment_combo),
            (self.environment_combo, self.outcome_combo),
            (self.outcome_combo, self.table),
            (self.table, self.details),
            (self.details, self.export_button),
            (self.export_button, self.clear_button),
        ):
            QWidget.setTabOrder(first, second)

    def _date_edit(self, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setMinimumDate(QDate(2000, 1, 1))
        return edit

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        # A long provider name must not widen the whole window.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # ------------------------------------------------------------ presentation

    def size_columns(self) -> None:
        """Give the columns their starting widths (after the model is set)."""
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)

    @staticmethod
    def set_choices(combo: QComboBox, choices: list[tuple[str, str | None]]) -> None:
        """``(label, value)`` pairs; None stands for "any". Keeps the choice when still offered,
        without emitting a change."""
        current = combo.currentData()
        blocked = combo.blockSignals(True)
        try:
            combo.clear()
            for label, value in choices:
                combo.addItem(label, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(blocked)

    def show_count(self, text: str) -> None:
        """ "1,204 hand-offs" under the table."""
        theme.set_plain_text(self.count_label, text)

    def set_busy(self, text: str | None) -> None:
        """What is being done ("Exporting…"), or nothing (None)."""
        theme.show_status_line(self.busy_label, text)

    def show_message(self, text: str | None, *, problem: bool = False) -> None:
        """One sentence beside the count (red for a problem); None hides it."""
        theme.show_status_line(self.message_label, text, problem=problem)

    def show_details(self, text: str | None) -> None:
        """Every field of the chosen hand-off, or empty (the placeholder) when none is."""
        self.details.setPlainText(text or "")

    def set_actions_enabled(self, enabled: bool) -> None:
        """Export and Clear, greyed while one of them runs."""
        self.export_button.setEnabled(enabled)
        self.clear_button.setEnabled(enabled)
