"""Choose one provider (or "Any provider"), searchable by name or slug as you type."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from vital_desktop.core.providers import Provider, ProviderCatalogue

ANY_PROVIDER = "Any provider"
SLUG_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def provider_item(provider: Provider) -> QStandardItem:
    """One row: marked name, slug as data, disabled with the reason when not linkable."""
    item = QStandardItem(provider.display_name)
    item.setData(provider.slug, SLUG_ROLE)
    item.setData(f"{provider.display_name} {provider.slug}", SEARCH_ROLE)
    reason = provider.unavailable_reason
    if reason:
        item.setEnabled(False)
        item.setSelectable(False)
        item.setToolTip(reason)
        item.setData(reason, Qt.ItemDataRole.AccessibleDescriptionRole)
    else:
        item.setToolTip(f"{provider.display_name} ({provider.slug})")
    return item


class ProviderPicker(QComboBox):
    """Editable combo; its completer filters by substring of name or slug."""

    provider_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerCombo")
        self.setAccessibleName("Provider")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.lineEdit().setPlaceholderText("Type to search, e.g. Fitbit or oura")
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        search = QSortFilterProxyModel(self)
        search.setSourceModel(self._model)
        completer = QCompleter(self)
        completer.setModel(search)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._catalogue: ProviderCatalogue | None = None
        self.currentIndexChanged.connect(self.on_current_index_changed)
        self.lineEdit().editingFinished.connect(self.on_line_edit_editing_finished)

    def set_catalogue(self, catalogue: ProviderCatalogue) -> None:
        """Refill from ``catalogue``, keeping the chosen provider when it is still listed."""
        keep = self.selected_slug()
        self._catalogue = catalogue
        self.blockSignals(True)
        self._model.clear()
        any_item = QStandardItem(ANY_PROVIDER)
        any_item.setData(None, SLUG_ROLE)
        any_item.setData(f"{ANY_PROVIDER} any", SEARCH_ROLE)
        any_item.setToolTip("The patient picks the provider in the link")
        self._model.appendRow(any_item)
        for provider in catalogue.sorted_for_display():
            self._model.appendRow(provider_item(provider))
        self.blockSignals(False)
        self.select_slug(keep)
        self.provider_changed.emit()

    def select_slug(self, slug: str | None) -> None:
        row = self._row_of(slug) if slug else 0
        self.setCurrentIndex(row if row >= 0 else 0)

    def _row_of(self, slug: str) -> int:
        for row in range(self._model.rowCount()):
            if self._model.item(row).data(SLUG_ROLE) == slug:
                return row
        return -1

    def item_enabled(self, slug: str) -> bool:
        row = self._row_of(slug)
        return row >= 0 and self._model.item(row).isEnabled()

    def selected_slug(self) -> str | None:
        """The chosen provider's slug; None for "Any provider"."""
        index = self.currentIndex()
        if index < 0:
            return None
        slug = self._model.item(index).data(SLUG_ROLE)
        return slug if isinstance(slug, str) else None

    def selected_provider(self) -> Provider | None:
        slug = self.selected_slug()
        return self._catalogue.get(slug) if slug and self._catalogue else None

    def typed_problem(self) -> str | None:
        """Why what is typed is not a provider from the list, or None."""
        text = self.lineEdit().text().strip()
        if not text or text == self.itemText(self.currentIndex()):
            return None
        return f"“{text[:40]}” is not in the provider list; pick one from the list or clear it."

    @Slot()
    def on_line_edit_editing_finished(self) -> None:
        text = self.lineEdit().text().strip()
        if not text:
            self.setCurrentIndex(0)
            return
        needle = text.lower()
        for row in range(self._model.rowCount()):
            item = self._model.item(row)
            if not item.isEnabled():
                continue
            if needle in (item.text().lower(), str(item.data(SLUG_ROLE)).lower()):
                self.setCurrentIndex(row)
                self.lineEdit().setText(item.text())
                return
        self.provider_changed.emit()

    @Slot(int)
    def on_current_index_changed(self, _index: int) -> None:
        self.provider_changed.emit()
