"""The Preferences dialog's layout: one row per setting of the table, grouped by section.

Each row holds an editor made for the setting's kind (spin box, check box, combo box, line
edit, checklist), its label and help, a line for the reason a value is refused and the note
shown when the clinic's policy file fixes it. What the rows do is
``PreferencesController``'s business (qt/controllers/preferences_controller.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.settings_table import Kind, Setting, SettingValue
from vital_desktop.qt import theme

FIXED_NOTE = QT_TRANSLATE_NOOP("PreferencesDialog", "Set by your clinic's IT (policy file)")
SECTION_ORDER = ("Links", "Connection", "Providers", "Privacy", "General")
LIST_SEPARATOR = ","


def setting_text(text: str) -> str:
    """A label, help line, choice or section name of the settings table, translated (the
    table marks them in the ``"Settings"`` context; see core/settings_table.py)."""
    return QCoreApplication.translate("Settings", text) if text else text


def object_name(setting_name: str, suffix: str) -> str:
    """``link_ttl_minutes`` + ``Edit`` -> ``linkTtlMinutesEdit`` (the app's naming)."""
    head, *rest = setting_name.split("_")
    return head + "".join(part.capitalize() for part in rest) + suffix


class SettingEditor(QWidget):
    """An editor for one setting: ``value()``, ``set_value()`` and ``changed``."""

    changed = Signal()

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def value(self) -> SettingValue:
        raise NotImplementedError

    def set_value(self, value: SettingValue) -> None:
        raise NotImplementedError

    def _add(self, widget: QWidget) -> None:
        widget.setObjectName(object_name(self.setting.name, "Edit"))
        widget.setAccessibleName(setting_text(self.setting.label))
        widget.setAccessibleDescription(setting_text(self.setting.help))
        widget.setToolTip(setting_text(self.setting.help))
        self._layout.addWidget(widget)
        self.setFocusProxy(widget)

    @Slot()
    def on_editor_changed(self) -> None:
        self.changed.emit()


class IntEditor(SettingEditor):
    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.spin = QSpinBox(self)
        self.spin.setRange(int(setting.minimum or 0), int(setting.maximum or 2**31 - 1))
        self._add(self.spin)
        self.spin.valueChanged.connect(self.on_editor_changed)

    def value(self) -> SettingValue:
        return self.spin.value()

    def set_value(self, value: SettingValue) -> None:
        if isinstance(value, int | float):
            self.spin.setValue(int(value))


class FloatEditor(SettingEditor):
    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(1)
        self.spin.setSingleStep(0.5)
        self.spin.setRange(setting.minimum or 0.0, setting.maximum or 1e9)
        self._add(self.spin)
        self.spin.valueChanged.connect(self.on_editor_changed)

    def value(self) -> SettingValue:
        return float(self.spin.value())

    def set_value(self, value: SettingValue) -> None:
        if isinstance(value, int | float):
            self.spin.setValue(float(value))


class TextEditor(SettingEditor):
    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self._add(self.edit)
        self.edit.textChanged.connect(self.on_editor_changed)

    def value(self) -> SettingValue:
        return self.edit.text().strip()

    def set_value(self, value: SettingValue) -> None:
        self.edit.setText(str(value))


class BoolEditor(SettingEditor):
    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.check = QCheckBox(setting_text(setting.label), self)
        self._add(self.check)
        self.check.toggled.connect(self.on_editor_changed)

    def value(self) -> SettingValue:
        return self.check.isChecked()

    def set_value(self, value: SettingValue) -> None:
        self.check.setChecked(bool(value))


class ChoiceEditor(SettingEditor):
    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.combo = QComboBox(self)
        for choice in setting.choices:
            self.combo.addItem(setting_text(setting.choice_label(choice)), choice)
        self._add(self.combo)
        self.combo.currentIndexChanged.connect(self.on_editor_changed)

    def value(self) -> SettingValue:
        return str(self.combo.currentData())

    def set_value(self, value: SettingValue) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value))


class ChecklistEditor(SettingEditor):
    """A list setting whose possible values are known: one check box per value."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setUniformItemSizes(True)
        candidates = setting.candidates() if setting.candidates else ()
        for value, label in candidates:
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        rows = min(max(len(candidates), 1), 6)
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth())
        self._add(self.list)
        self.list.itemChanged.connect(self.on_editor_changed)

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def value(self) -> SettingValue:
        return tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in self.items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def set_value(self, value: SettingValue) -> None:
        wanted = set(value) if isinstance(value, tuple) else set()
        self.list.blockSignals(True)  # one ``changed`` for the lot, not one per box
        try:
            for item in self.items():
                slug = str(item.data(Qt.ItemDataRole.UserRole))
                state = Qt.CheckState.Checked if slug in wanted else Qt.CheckState.Unchecked
                item.setCheckState(state)
        finally:
            self.list.blockSignals(False)
        self.changed.emit()


class ListTextEditor(TextEditor):
    """A list setting with no fixed set of values: names separated by commas."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(setting, parent)
        self.edit.setPlaceholderText(self.tr("names separated by commas"))

    def value(self) -> SettingValue:
        return tuple(
            part.strip() for part in self.edit.text().split(LIST_SEPARATOR) if part.strip()
        )

    def set_value(self, value: SettingValue) -> None:
        items = value if isinstance(value, tuple) else ()
        self.edit.setText(", ".join(items))


def editor_for(setting: Setting, parent: QWidget | None = None) -> SettingEditor:
    """The editor made for ``setting``'s kind."""
    if setting.kind is Kind.INT:
        return IntEditor(setting, parent)
    if setting.kind is Kind.FLOAT:
        return FloatEditor(setting, parent)
    if setting.kind is Kind.BOOL:
        return BoolEditor(setting, parent)
    if setting.kind is Kind.CHOICE:
        return ChoiceEditor(setting, parent)
    if setting.kind is Kind.STR_LIST:
        if setting.candidates is not None:
            return ChecklistEditor(setting, parent)
        return ListTextEditor(setting, parent)
    return TextEditor(setting, parent)


def _small_label(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    theme.set_plain_text(label, text)
    return label


class SettingRow(QWidget):
    """One setting: its editor, help, the reason a value is refused, and the policy note."""

    def __init__(self, setting: Setting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setting = setting
        self.editor = editor_for(setting, self)
        self.help = _small_label(
            setting_text(setting.help), self, object_name(setting.name, "Help")
        )
        self.help.setStyleSheet(f"color: {theme.muted_colour(self)};")
        self.problem = _small_label("", self, object_name(setting.name, "Problem"))
        self.problem.setAccessibleName(
            self.tr("{label}: check").format(label=setting_text(setting.label))
        )
        self.problem.hide()
        self.fixed_note = _small_label(
            QCoreApplication.translate("PreferencesDialog", FIXED_NOTE),
            self,
            object_name(setting.name, "FixedNote"),
        )
        self.fixed_note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.editor, self.problem, self.fixed_note, self.help):
            layout.addWidget(widget)

    def show_problem(self, problem: str | None) -> None:
        """Show why the value is refused next to the field, or hide the line."""
        if problem:
            theme.set_plain_text(self.problem, problem)
            self.problem.setStyleSheet(f"color: {theme.problem_colour(self)};")
            self.problem.show()
        else:
            self.problem.clear()
            self.problem.hide()
        self.editor.setAccessibleDescription(problem or setting_text(self.setting.help))

    def set_fixed(self, fixed: bool) -> None:
        """Grey the editor out and say why when the policy file fixes the setting."""
        self.editor.setEnabled(not fixed)
        self.fixed_note.setVisible(fixed)


class PreferencesDialog(QDialog):
    """Rows for ``settings`` by section, problems on top, OK / Cancel / Restore defaults."""

    def __init__(self, settings: Sequence[Setting], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.rows: dict[str, SettingRow] = {}

        self.notice = _small_label("", self, "preferencesNotice")
        self.notice.setStyleSheet(f"color: {theme.warning_colour(self)};")
        self.notice.hide()

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        shown = [setting for setting in settings if not setting.remembered]
        sections = sorted(
            {setting.section for setting in shown},
            key=lambda s: (SECTION_ORDER.index(s) if s in SECTION_ORDER else len(SECTION_ORDER), s),
        )
        for section in sections:
            group = QGroupBox(setting_text(section), body)
            form = QFormLayout(group)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for setting in shown:
                if setting.section != section:
                    continue
                row = SettingRow(setting, group)
                self.rows[setting.name] = row
                label = "" if setting.kind is Kind.BOOL else setting_text(setting.label)
                form.addRow(label, row)
                if label:
                    row_label = form.labelForField(row)
                    if isinstance(row_label, QLabel):
                        row_label.setBuddy(row.editor)
            body_layout.addWidget(group)
        body_layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("preferencesOkButton")
        self.cancel_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.Cancel
        )
        self.cancel_button.setObjectName("preferencesCancelButton")
        self.defaults_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.defaults_button.setObjectName("preferencesDefaultsButton")

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.resize(620, 640)

    def show_notice(self, lines: Sequence[str]) -> None:
        """What was not applied (a broken policy file, a saved value refused), or nothing."""
        theme.set_plain_text(self.notice, "\n".join(lines))
        self.notice.setVisible(bool(lines))
