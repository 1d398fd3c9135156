"""Where links come from: environment and region, a custom address or demo, and the API key.

The key's prefix picks the environment when it is typed or pasted; a key that disagrees with
the chosen environment is explained in words and blocks Generate until resolved. Under the
key, *Remember on this computer*, *Forget* and a line saying where the key in use comes from;
``qt.controllers.key_controller.KeyController`` gives them their behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from vital_desktop.core.connection import (
    MODE_LABELS,
    Connection,
    ConnectionChoice,
    DemoEndpoint,
    Mode,
    resolve_connection,
)
from vital_desktop.core.environments import ApiTarget, Region, clean_key, inspect_key
from vital_desktop.core.errors import VitalError
from vital_desktop.qt import theme

# The widgets module's historical name for the resolved connection.
ConnectionState = Connection
__all__ = ["MODE_LABELS", "ConnectionPanel", "ConnectionState", "Mode"]


class ConnectionPanel(QWidget):
    """``environmentCombo``, ``regionCombo``, ``baseUrlEdit``, the masked ``apiKeyEdit``,
    ``rememberKeyCheck``, ``forgetKeyButton`` and ``keyInUseLabel``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._demo_target: ApiTarget | None = None
        self._demo_key = ""
        self._demo_problem: VitalError | None = None

        self.environment_combo = QComboBox(self)
        self.environment_combo.setObjectName("environmentCombo")
        self.environment_combo.setAccessibleName(self.tr("Environment"))
        for mode, label in MODE_LABELS.items():
            # The labels are marked in the core (connection.py, context "Connection").
            self.environment_combo.addItem(
                QCoreApplication.translate("Connection", label), mode.value
            )

        self.region_combo = QComboBox(self)
        self.region_combo.setObjectName("regionCombo")
        self.region_combo.setAccessibleName(self.tr("Region"))
        for region in Region:
            self.region_combo.addItem(region.label, region.value)

        self.base_url_edit = QLineEdit(self)
        self.base_url_edit.setObjectName("baseUrlEdit")
        self.base_url_edit.setAccessibleName(self.tr("Custom API address"))
        self.base_url_edit.setPlaceholderText(self.tr("https://api.example.com"))

        self.api_key_edit = QLineEdit(self)
        self.api_key_edit.setObjectName("apiKeyEdit")
        self.api_key_edit.setAccessibleName(self.tr("Team API key"))
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_edit.setPlaceholderText(self.tr("Paste the team's key (sk_… or pk_…)"))
        self.api_key_edit.setToolTip(
            self.tr(
                "Kept for this session only, unless Remember on this computer is ticked: then it "
                "is kept in this computer's keychain, never in a file."
            )
        )
        self.show_key_button = QToolButton(self)
        self.show_key_button.setObjectName("showKeyButton")
        self.show_key_button.setText(self.tr("Show"))
        self.show_key_button.setCheckable(True)
        self.show_key_button.setAccessibleName(self.tr("Show the API key"))
        self.remember_key_check = QCheckBox(self.tr("Remember on this computer"), self)
        self.remember_key_check.setObjectName("rememberKeyCheck")
        self.remember_key_check.setAccessibleName(self.tr("Remember the API key on this computer"))
        self.remember_key_check.setToolTip(self.tr("Keep the key in this computer's keychain."))
        self.forget_key_button = QPushButton(self.tr("Forget"), self)
        self.forget_key_button.setObjectName("forgetKeyButton")
        self.forget_key_button.setAccessibleName(self.tr("Forget the stored API key"))
        self.forget_key_button.setToolTip(self.tr("Remove the key from this computer's keychain."))
        self.forget_key_button.setEnabled(False)
        self.key_in_use_label = QLabel(self)
        self.key_in_use_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_in_use_label.setObjectName("keyInUseLabel")
        self.key_in_use_label.setAccessibleName(self.tr("Where the API key comes from"))
        self.key_in_use_label.setWordWrap(True)
        self.key_in_use_label.hide()
        self.problem_label = QLabel(self)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setObjectName("keyProblemLabel")
        self.problem_label.setAccessibleName(self.tr("Connection problem"))
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        where = QHBoxLayout()
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.environment_combo, 1)
        where.addWidget(self.region_combo)
        key_row = QHBoxLayout()
        key_row.setContentsMargins(0, 0, 0, 0)
        key_row.addWidget(self.api_key_edit, 1)
        key_row.addWidget(self.show_key_button)
        self._remember_row = QWidget(self)
        remember_row = QHBoxLayout(self._remember_row)
        remember_row.setContentsMargins(0, 0, 0, 0)
        remember_row.addWidget(self.remember_key_check)
        remember_row.addWidget(self.forget_key_button)
        remember_row.addStretch(1)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.environment_label = QLabel(self.tr("&Environment:"), self)
        self.environment_label.setBuddy(self.environment_combo)
        form.addRow(self.environment_label, where)
        self.base_url_label = QLabel(self.tr("API a&ddress:"), self)
        self.base_url_label.setBuddy(self.base_url_edit)
        form.addRow(self.base_url_label, self.base_url_edit)
        self.key_label = QLabel(self.tr("API &key:"), self)
        self.key_label.setBuddy(self.api_key_edit)
        form.addRow(self.key_label, key_row)
        form.addRow("", self._remember_row)
        form.addRow("", self.key_in_use_label)
        form.addRow("", self.problem_label)
        self._form = form

        self.environment_combo.currentIndexChanged.connect(self.on_environment_combo_changed)
        self.region_combo.currentIndexChanged.connect(self.on_region_combo_changed)
        self.base_url_edit.textChanged.connect(self.on_base_url_edit_text_changed)
        self.api_key_edit.textEdited.connect(self.on_api_key_edit_text_edited)
        self.api_key_edit.textChanged.connect(self.on_api_key_edit_text_changed)
        self.show_key_button.toggled.connect(self.on_show_key_button_toggled)
        self._sync_visibility()
        self.refresh()

    # ----------------------------------------------------------------- set-up

    def mode(self) -> Mode:
        return Mode(self.environment_combo.currentData())

    def set_mode(self, mode: Mode) -> None:
        self.environment_combo.setCurrentIndex(self.environment_combo.findData(mode.value))

    def set_region(self, region: Region) -> None:
        self.region_combo.setCurrentIndex(self.region_combo.findData(region.value))

    def set_api_key(self, key: str) -> None:
        """Fill the key as if pasted: cleaned, and the environment picked from its prefix."""
        self.api_key_edit.setText(clean_key(key))
        self._pick_environment_from_key()

    def set_base_url(self, url: str) -> None:
        self.base_url_edit.setText(url.strip())
        self.set_mode(Mode.CUSTOM)

    def show_key_source(self, text: str) -> None:
        """Say where the key in use comes from (plain text); empty hides the line."""
        self.key_in_use_label.setText(text)
        self.key_in_use_label.setAccessibleDescription(text)
        self.key_in_use_label.setVisible(bool(text) and self.mode() is not Mode.DEMO)

    def set_demo_target(
        self, target: ApiTarget | None, key: str, problem: VitalError | None
    ) -> None:
        """The practice server's address and key (or why it could not start)."""
        self._demo_target = target
        self._demo_key = key
        self._demo_problem = problem
        self.refresh()

    # ------------------------------------------------------------------ state

    def choice(self) -> ConnectionChoice:
        """What is chosen and typed, nothing derived."""
        return ConnectionChoice(
            self.mode(),
            Region(self.region_combo.currentData()),
            self.base_url_edit.text(),
            self.api_key_edit.text(),
        )

    def state(self) -> Connection:
        """The resolved connection (the core decides what is usable)."""
        demo = DemoEndpoint(self._demo_target, self._demo_key, self._demo_problem)
        return resolve_connection(self.choice(), demo)

    def refresh(self) -> None:
        state = self.state()
        problem = state.problem
        shown = problem is not None and not (
            state.mode is Mode.DEMO and self._demo_target is None and self._demo_problem is None
        )
        if problem is not None and shown:
            self.problem_label.setText(problem.message)
            self.problem_label.setStyleSheet(f"color: {theme.problem_colour(self)};")
            self.problem_label.show()
            self.problem_label.setAccessibleDescription(problem.message)
        else:
            self.problem_label.clear()
            self.problem_label.hide()
        self.changed.emit()

    def _sync_visibility(self) -> None:
        mode = self.mode()
        standard = mode in (Mode.SANDBOX, Mode.PRODUCTION)
        self.region_combo.setVisible(standard)
        self._form.setRowVisible(self.base_url_label, mode is Mode.CUSTOM)
        demo = mode is Mode.DEMO
        self.api_key_edit.setEnabled(not demo)
        self.show_key_button.setEnabled(not demo)
        self._form.setRowVisible(self._remember_row, not demo)
        self.key_in_use_label.setVisible(not demo and bool(self.key_in_use_label.text()))
        self.api_key_edit.setPlaceholderText(
            self.tr("Not needed: demo mode uses the practice server's key")
            if demo
            else self.tr("Paste the team's key (sk_… or pk_…)")
        )

    def _pick_environment_from_key(self) -> None:
        if self.mode() not in (Mode.SANDBOX, Mode.PRODUCTION, Mode.DEMO):
            return
        try:
            info = inspect_key(self.api_key_edit.text())
        except VitalError:
            return
        self.blockSignals(True)
        self.set_region(info.region)
        self.set_mode(Mode(info.environment.value))
        self.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.refresh()

    # ------------------------------------------------------------------ slots

    @Slot(int)
    def on_environment_combo_changed(self, _index: int) -> None:
        self._sync_visibility()
        self.refresh()

    @Slot(int)
    def on_region_combo_changed(self, _index: int) -> None:
        self.refresh()

    @Slot(str)
    def on_base_url_edit_text_changed(self, _text: str) -> None:
        self.refresh()

    @Slot(str)
    def on_api_key_edit_text_edited(self, text: str) -> None:
        cleaned = clean_key(text)
        if cleaned != text:
            self.api_key_edit.setText(cleaned)
        self._pick_environment_from_key()
        self.refresh()

    @Slot(str)
    def on_api_key_edit_text_changed(self, _text: str) -> None:
        self.refresh()

    @Slot(bool)
    def on_show_key_button_toggled(self, shown: bool) -> None:
        self.api_key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key_button.setText(self.tr("Hide") if shown else self.tr("Show"))
        self.show_key_button.setAccessibleName(
            self.tr("Hide the API key") if shown else self.tr("Show the API key")
        )
