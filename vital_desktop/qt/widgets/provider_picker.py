"""Choose one provider (or "Any provider"), searchable by name or slug as you type."""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QListView, QWidget

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.providers import Provider, ProviderCatalogue
from vital_desktop.qt.theme import PlainItemToolTips

ANY_PROVIDER = QT_TRANSLATE_NOOP("ProviderPicker", "Any provider")
SLUG_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
MINIMUM_CHARACTERS = 24  # the combo's width does not follow the longest name from a server


def provider_item(provider: Provider) -> QStandardItem:
    """One row: marked name, slug as data; a phone-only provider says it makes an app code.

    Phone-only providers (Apple Health, Health Connect, the Bluetooth devices) are offered:
    choosing one turns Generate into a code for the vendor's phone app.
    """
    phone_only = not provider.linkable
    shown = provider.display_name
    if phone_only:
        shown = QCoreApplication.translate("ProviderPicker", "{name} · phone app code").format(
            name=shown
        )
    item = QStandardItem(shown)
    item.setData(provider.slug, SLUG_ROLE)
    item.setData(f"{provider.display_name} {provider.slug}", SEARCH_ROLE)
    if phone_only:
        note = QCoreApplication.translate(
            "ProviderPicker",
            "{name} connects through the vendor's phone app: choosing it "
            "creates a code for that app instead of a web link.",
        ).format(name=provider.display_name)
        item.setToolTip(note)
        item.setData(note, Qt.ItemDataRole.AccessibleDescriptionRole)
    else:
        item.setToolTip(f"{provider.display_name} ({provider.slug})")
    return item


def spellings(provider: Provider) -> set[str]:
    """What a person may type for ``provider``, case-folded: name, slug, or "Name slug"."""
    names = {provider.name, provider.display_name}
    found = {provider.slug} | names | {f"{name} {provider.slug}" for name in names}
    return {" ".join(text.split()).casefold() for text in found}


class ProviderCompleter(QCompleter):
    """Matches on name and slug, but puts only the provider's shown name into the box."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class ProviderPicker(QComboBox):
    """Editable combo; its completer filters by substring of name or slug."""

    provider_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerCombo")
        self.setAccessibleName(self.tr("Provider"))
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(MINIMUM_CHARACTERS)
        self.lineEdit().setPlaceholderText(self.tr("Type to search, e.g. Fitbit or oura"))
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        search = QSortFilterProxyModel(self)
        search.setSourceModel(self._model)
        completer = ProviderCompleter(self)
        completer.setModel(search)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self.setCompleter(completer)
        for view in (self.view(), completer.popup()):
            if isinstance(view, QListView):
                view.setUniformItemSizes(True)  # thousands of rows lay out in one step
            PlainItemToolTips.install(view)
        self._catalogue: ProviderCatalogue | None = None
        self._row_by_slug: dict[str, int] = {}
        self._row_by_spelling: dict[str, int] = {}
        self._last_slug: str | None = None
        self.currentIndexChanged.connect(self.on_current_index_changed)
        self.lineEdit().editingFinished.connect(self.on_line_edit_editing_finished)
        self.lineEdit().textEdited.connect(self.on_line_edit_text_edited)
        completer.activated[QModelIndex].connect(self.on_completer_activated)
        self._fill(ProviderCatalogue([]))

    def set_catalogue(self, catalogue: ProviderCatalogue) -> None:
        """Refill from ``catalogue``, keeping the chosen provider when it is still listed."""
        keep = self.selected_slug()
        edit = self.lineEdit()
        # The server's list may arrive mid-word: leave what is being typed alone.
        typing = edit.hasFocus() and self._typed_row() is None
        typed, cursor = edit.text(), edit.cursorPosition()
        self._catalogue = catalogue
        self.blockSignals(True)
        self._fill(catalogue)
        self.select_slug(keep)
        if typing:
            edit.setText(typed)
            edit.setCursorPosition(cursor)
        self.blockSignals(False)
        self._emit_if_changed(force=True)

    def _fill(self, catalogue: ProviderCatalogue) -> None:
        any_text = self.tr(ANY_PROVIDER)
        any_item = QStandardItem(any_text)
        any_item.setData(None, SLUG_ROLE)
        any_item.setData(f"{any_text} any", SEARCH_ROLE)
        any_item.setToolTip(self.tr("The patient picks the provider in the link"))
        items = [any_item]
        by_slug: dict[str, int] = {}
        by_spelling: dict[str, int] = {any_text.casefold(): 0}
        for row, provider in enumerate(catalogue.sorted_for_display(), start=1):
            items.append(provider_item(provider))
            by_slug[provider.slug] = row
            for spelling in spellings(provider):
                by_spelling.setdefault(spelling, row)
        # Slugs win over someone else's name that happens to spell the same.
        by_spelling.update({slug.casefold(): row for slug, row in by_slug.items()})
        # removeRows, not clear(): clear() costs seconds with an editable combo's completer.
        self._model.removeRows(0, self._model.rowCount())
        # One insertion for the lot: the combo, its proxy and the completer react once.
        self._model.invisibleRootItem().appendRows(items)
        self._row_by_slug = by_slug
        self._row_by_spelling = by_spelling

    def select_slug(self, slug: str | None) -> None:
        row = self._row_of(slug) if slug else 0
        self.setCurrentIndex(row if row >= 0 else 0)
        self.lineEdit().setText(self.itemText(self.currentIndex()))

    def _row_of(self, slug: str) -> int:
        return self._row_by_slug.get(slug, -1)

    def item_enabled(self, slug: str) -> bool:
        row = self._row_of(slug)
        return row >= 0 and self._model.item(row).isEnabled()

    def _typed_row(self) -> int | None:
        """The row the typed text names (0 when empty), or None when it names nothing."""
        text = " ".join(self.lineEdit().text().split())
        if not text:
            return 0
        current = self.currentIndex()
        if current >= 0 and text == self.itemText(current):
            return current
        return self._row_by_spelling.get(text.casefold())

    def selected_slug(self) -> str | None:
        """The chosen provider's slug; None for "Any provider".

        Text typed to the letter of a provider's name or slug counts even before the box
        loses focus (Ctrl+Enter generates without leaving it).
        """
        row = self._typed_row()
        if row is None:
            row = self.currentIndex()
        if row < 0:
            return None
        slug = self._model.item(row).data(SLUG_ROLE)
        return slug if isinstance(slug, str) else None

    def selected_provider(self) -> Provider | None:
        slug = self.selected_slug()
        return self._catalogue.get(slug) if slug and self._catalogue else None

    def typed_problem(self) -> str | None:
        """Why what is typed is not a provider from the list, or None."""
        if self._typed_row() is not None:
            return None
        text = self.lineEdit().text().strip()
        return self.tr(
            "“{text}” is not in the provider list; pick one from the list or clear it."
        ).format(text=text[:40])

    def _emit_if_changed(self, *, force: bool = False) -> None:
        slug = self.selected_slug()
        if force or slug != self._last_slug:
            self._last_slug = slug
            self.provider_changed.emit()

    @Slot(QModelIndex)
    def on_completer_activated(self, index: QModelIndex) -> None:
        # The completer's index is in its own filtered model; the slug says which row it is.
        slug = index.data(SLUG_ROLE)
        row = self._row_of(slug) if isinstance(slug, str) else 0
        if row >= 0:
            self.setCurrentIndex(row)
            self.lineEdit().setText(self.itemText(row))
        self._emit_if_changed()

    @Slot()
    def on_line_edit_editing_finished(self) -> None:
        row = self._typed_row()
        if row is None:
            self._emit_if_changed(force=True)
            return
        self.setCurrentIndex(row)
        self.lineEdit().setText(self.itemText(row))
        self._emit_if_changed()

    @Slot(str)
    def on_line_edit_text_edited(self, _text: str) -> None:
        self._emit_if_changed()

    @Slot(int)
    def on_current_index_changed(self, _index: int) -> None:
        self._emit_if_changed(force=True)
