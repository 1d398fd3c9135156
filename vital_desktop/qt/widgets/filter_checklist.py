"""Limit the providers the patient sees in the link: a searchable checklist."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.providers import ProviderCatalogue

SLUG_ROLE = Qt.ItemDataRole.UserRole + 1


class FilterChecklist(QWidget):
    """``filterList`` of providers, a search box, Select all / None and an "N selected" count."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("filterSearchEdit")
        self.search.setAccessibleName("Search the provider filter")
        self.search.setPlaceholderText("Search providers")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("filterList")
        self.list.setAccessibleName("Only offer these providers")
        self.list.setMinimumHeight(110)
        self.list.setMaximumHeight(160)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.select_all_button = QPushButton("Select &all", self)
        self.select_all_button.setObjectName("filterSelectAllButton")
        self.select_all_button.setAccessibleName("Select all listed providers")
        self.select_none_button = QPushButton("&None", self)
        self.select_none_button.setObjectName("filterSelectNoneButton")
        self.select_none_button.setAccessibleName("Clear the provider filter")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("filterCountLabel")
        self.count_label.setAccessibleName("Providers selected")

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
        self.list.itemChanged.connect(self.on_list_item_changed)
        self._update_count()

    def set_catalogue(self, catalogue: ProviderCatalogue) -> None:
        """Refill, keeping ticks on providers that are still listed and linkable."""
        keep = set(self.checked_slugs())
        self.list.blockSignals(True)
        self.list.clear()
        for provider in catalogue.sorted_for_display():
            item = QListWidgetItem(f"{provider.display_name}  ·  {provider.slug}")
            item.setData(SLUG_ROLE, provider.slug)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            reason = provider.unavailable_reason
            if reason:
                item.setToolTip(reason)
            else:
                flags |= Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            checked = provider.linkable and provider.slug in keep
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.on_search_text_changed(self.search.text())
        self._update_count()
        self.changed.emit()

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def checked_slugs(self) -> list[str]:
        """Ticked providers in list order; empty means "no filter"."""
        return [
            str(item.data(SLUG_ROLE))
            for item in self.items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, slugs: set[str]) -> None:
        self.list.blockSignals(True)
        for item in self.items():
            on = item.data(SLUG_ROLE) in slugs and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._update_count()
        self.changed.emit()

    def _update_count(self) -> None:
        count = len(self.checked_slugs())
        self.count_label.setText(f"{count} selected" if count else "No filter: all providers")

    @Slot(str)
    def on_search_text_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for item in self.items():
            item.setHidden(bool(needle) and needle not in item.text().lower())

    @Slot()
    def on_select_all_button_clicked(self) -> None:
        visible = {
            str(item.data(SLUG_ROLE))
            for item in self.items()
            if not item.isHidden() and item.flags() & Qt.ItemFlag.ItemIsEnabled
        }
        self.set_checked(set(self.checked_slugs()) | visible)

    @Slot()
    def on_select_none_button_clicked(self) -> None:
        self.set_checked(set())

    @Slot(QListWidgetItem)
    def on_list_item_changed(self, _item: QListWidgetItem) -> None:
        self._update_count()
        self.changed.emit()
