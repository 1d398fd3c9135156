"""Limit the providers the patient sees in the link: a searchable checklist.

The rows live in one QStandardItemModel behind a QSortFilterProxyModel, so a catalogue of
thousands of providers fills in one insertion and a search is one filter pass in Qt's C++.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.providers import Provider, ProviderCatalogue
from vital_desktop.qt.theme import PlainItemToolTips

SLUG_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def checklist_item(provider: Provider, checked: bool) -> QStandardItem:
    """One row: ``"Name  ·  slug"``, checkable; disabled with the reason when not linkable."""
    item = QStandardItem(f"{provider.display_name}  ·  {provider.slug}")
    item.setData(provider.slug, SLUG_ROLE)
    item.setData(f"{provider.display_name} {provider.slug}", SEARCH_ROLE)
    item.setEditable(False)
    item.setCheckable(True)
    reason = provider.unavailable_reason
    if reason:
        item.setEnabled(False)
        item.setToolTip(reason)
        item.setData(reason, Qt.ItemDataRole.AccessibleDescriptionRole)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item


@dataclass(frozen=True)
class ChecklistRow:
    """One provider row as the old list-widget API saw it (``items()``)."""

    item: QStandardItem
    proxy: QSortFilterProxyModel

    def data(self, role: int) -> object:
        return self.item.data(role)

    def text(self) -> str:
        return self.item.text()

    def toolTip(self) -> str:
        return self.item.toolTip()

    def flags(self) -> Qt.ItemFlag:
        return self.item.flags()

    def checkState(self) -> Qt.CheckState:
        return self.item.checkState()

    def isHidden(self) -> bool:
        """True when the search hides the row."""
        return not self.proxy.mapFromSource(self.item.index()).isValid()


class FilterChecklist(QWidget):
    """``filterList`` of providers, a search box, Select all / None and an "N selected" count."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._checked: set[str] = set()
        self._row_by_slug: dict[str, int] = {}

        self.search = QLineEdit(self)
        self.search.setObjectName("filterSearchEdit")
        self.search.setAccessibleName(self.tr("Search the provider filter"))
        self.search.setPlaceholderText(self.tr("Search providers"))
        self.search.setClearButtonEnabled(True)

        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Ticking a box changes no searchable text: no need to re-filter on every change.
        self.proxy.setDynamicSortFilter(False)

        self.list = QListView(self)
        self.list.setObjectName("filterList")
        self.list.setAccessibleName(self.tr("Only offer these providers"))
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setMinimumHeight(110)
        self.list.setMaximumHeight(160)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        PlainItemToolTips.install(self.list)

        self.select_all_button = QPushButton(self.tr("Select &all"), self)
        self.select_all_button.setObjectName("filterSelectAllButton")
        self.select_all_button.setAccessibleName(self.tr("Select all listed providers"))
        self.select_none_button = QPushButton(self.tr("&None"), self)
        self.select_none_button.setObjectName("filterSelectNoneButton")
        self.select_none_button.setAccessibleName(self.tr("Clear the provider filter"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("filterCountLabel")
        self.count_label.setAccessibleName(self.tr("Providers selected"))
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all_button)
        buttons.addWidget(self.select_none_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

        self.search.textChanged.connect(self.on_search_text_changed)
        self.select_all_button.clicked.connect(self.on_select_all_button_clicked)
        self.select_none_button.clicked.connect(self.on_select_none_button_clicked)
        self.model.itemChanged.connect(self.on_model_item_changed)
        self._update_count()

    def set_catalogue(self, catalogue: ProviderCatalogue) -> None:
        """Refill, keeping ticks on providers that are still listed and linkable."""
        keep = self._checked
        items: list[QStandardItem] = []
        row_by_slug: dict[str, int] = {}
        checked: set[str] = set()
        for row, provider in enumerate(catalogue.sorted_for_display()):
            on = provider.linkable and provider.slug in keep
            items.append(checklist_item(provider, on))
            row_by_slug[provider.slug] = row
            if on:
                checked.add(provider.slug)
        # One removal and one insertion for the lot: the proxy and the view react twice.
        self.model.removeRows(0, self.model.rowCount())
        self.model.invisibleRootItem().appendRows(items)
        self._row_by_slug = row_by_slug
        self._checked = checked
        self.on_search_text_changed(self.search.text())
        self._update_count()
        self.changed.emit()

    def items(self) -> list[ChecklistRow]:
        """Every row in list order (kept from the QListWidget days; tests read it)."""
        root = self.model.invisibleRootItem()
        return [ChecklistRow(root.child(row), self.proxy) for row in range(root.rowCount())]

    def visible_slugs(self) -> list[str]:
        """Slugs the search leaves on show, in list order."""
        return [
            str(self.proxy.index(row, 0).data(SLUG_ROLE)) for row in range(self.proxy.rowCount())
        ]

    def checked_slugs(self) -> list[str]:
        """Ticked providers in list order; empty means "no filter"."""
        return sorted(self._checked, key=self._row_by_slug.__getitem__)

    def set_checked(self, slugs: set[str]) -> None:
        root = self.model.invisibleRootItem()
        checked: set[str] = set()
        self.model.blockSignals(True)
        for row in range(root.rowCount()):
            item = root.child(row)
            slug = item.data(SLUG_ROLE)
            on = slug in slugs and item.isEnabled()
            state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            if item.checkState() != state:
                item.setCheckState(state)
            if on:
                checked.add(slug)
        self.model.blockSignals(False)
        self._checked = checked
        if root.rowCount():
            # One repaint for all the boxes instead of one per row.
            first = self.model.index(0, 0)
            last = self.model.index(root.rowCount() - 1, 0)
            self.model.dataChanged.emit(first, last, [Qt.ItemDataRole.CheckStateRole])
        self._update_count()
        self.changed.emit()

    def _update_count(self) -> None:
        count = len(self._checked)
        self.count_label.setText(
            self.tr("{count} selected").format(count=count)
            if count
            else self.tr("No filter: all providers")
        )

    @Slot(str)
    def on_search_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    @Slot()
    def on_select_all_button_clicked(self) -> None:
        visible = set()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.flags() & Qt.ItemFlag.ItemIsEnabled:
                visible.add(str(index.data(SLUG_ROLE)))
        self.set_checked(self._checked | visible)

    @Slot()
    def on_select_none_button_clicked(self) -> None:
        self.set_checked(set())

    @Slot(QStandardItem)
    def on_model_item_changed(self, item: QStandardItem) -> None:
        slug = item.data(SLUG_ROLE)
        if not isinstance(slug, str):
            return
        was = slug in self._checked
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(slug)
        else:
            self._checked.discard(slug)
        if was != (slug in self._checked):
            self._update_count()
            self.changed.emit()
