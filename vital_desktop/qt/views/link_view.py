"""The link window's layout: where every widget sits, and nothing about what they do.

``LinkController`` (qt/controllers/link_controller.py) wires the behaviour. The view only
offers small presentation helpers the controller calls (``set_busy``, ``show_notice``,
``set_generate_blocked``), so a later screen (patient lookup, history) can reuse the
same pieces.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.validation import redirect_url_problem
from vital_desktop.qt import theme
from vital_desktop.qt.views.patient_panel import PatientPanel
from vital_desktop.qt.widgets.connection_panel import ConnectionPanel
from vital_desktop.qt.widgets.environment_banner import EnvironmentBanner
from vital_desktop.qt.widgets.filter_checklist import FilterChecklist
from vital_desktop.qt.widgets.message_area import MessageArea
from vital_desktop.qt.widgets.provider_picker import ProviderPicker
from vital_desktop.qt.widgets.result_panel import ResultPanel, plain_label
from vital_desktop.qt.widgets.user_id_field import UserIdField
from vital_desktop.qt.widgets.validated_field import ValidatedField

# Texts kept in constants are marked for extraction here and translated where shown
# (``QCoreApplication.translate`` with the same context).
GENERATE_TEXT = QT_TRANSLATE_NOOP("LinkView", "&Generate link")
CODE_TEXT = QT_TRANSLATE_NOOP("LinkView", "Create app &code")
# How long a phone-app code lasts: the rest of the appointment, an hour by default.
CODE_LIFETIMES = (
    (QT_TRANSLATE_NOOP("LinkView", "15 minutes"), 900.0),
    (QT_TRANSLATE_NOOP("LinkView", "30 minutes"), 1800.0),
    (QT_TRANSLATE_NOOP("LinkView", "1 hour"), 3600.0),
    (QT_TRANSLATE_NOOP("LinkView", "2 hours"), 7200.0),
    (QT_TRANSLATE_NOOP("LinkView", "4 hours"), 14400.0),
    (QT_TRANSLATE_NOOP("LinkView", "8 hours"), 28800.0),
)
DEFAULT_CODE_LIFETIME_INDEX = 2
WAIT_TEXT = QT_TRANSLATE_NOOP("LinkView", "Asking Vital…")
CANCEL_TEXT = QT_TRANSLATE_NOOP("LinkView", "Cancel")
NOTICE_MS = 4000


def _tr(text: str) -> str:
    """One of this module's marked constants in the reader's language."""
    return QCoreApplication.translate("LinkView", text)


class LinkView(QMainWindow):
    """Connection, patient and link form on the left; the link for the patient on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Vital link for a patient"))
        self._code_route = False
        self._build()

    def _build(self) -> None:
        self.banner = EnvironmentBanner(self)
        self.message_area = MessageArea(self)
        self.connection = ConnectionPanel(self)

        self.patient_panel = PatientPanel(self)
        self.user_id = UserIdField(self)
        self.provider_picker = ProviderPicker(self)
        self.provider_source = plain_label("", self, "providerSourceLabel")
        self.provider_source.setAccessibleName(self.tr("Where the provider list comes from"))
        self.filter_checklist = FilterChecklist(self)
        self.provider_warning = plain_label("", self, "providerWarningLabel")
        self.provider_warning.setAccessibleName(self.tr("Provider warning"))
        self.provider_warning.hide()
        self.code_lifetime = QComboBox(self)
        self.code_lifetime.setObjectName("codeLifetimeCombo")
        self.code_lifetime.setAccessibleName(self.tr("How long the phone app code lasts"))
        for label, seconds in CODE_LIFETIMES:
            self.code_lifetime.addItem(_tr(label), seconds)
        self.code_lifetime.setCurrentIndex(DEFAULT_CODE_LIFETIME_INDEX)
        self.code_lifetime_label = QLabel(self.tr("Code &lasts:"), self)
        self.code_lifetime_label.setBuddy(self.code_lifetime)
        self.redirect = ValidatedField(
            redirect_url_problem,
            object_name="redirectUrlEdit",
            accessible_name=self.tr("Redirect URL (optional)"),
            placeholder=self.tr("Optional, e.g. https://clinic.example/done"),
            parent=self,
        )

        self.generate_button = QPushButton(_tr(GENERATE_TEXT), self)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setAccessibleName(self.tr("Generate link"))
        self.generate_button.setToolTip(self.tr("Enter or Ctrl+Enter"))
        self.generate_button.setMinimumHeight(38)
        self.generate_reason = plain_label("", self, "generateReasonLabel")
        self.generate_reason.setAccessibleName(self.tr("Why Generate is not available"))
        self.generate_reason.hide()
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busyIndicator")
        self.busy.setAccessibleName(self.tr("Waiting for Vital"))
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.busy_label = plain_label(
            self.tr("Asking Vital for a link… (Escape cancels)"), self, "busyLabel"
        )
        self.busy_label.hide()
        self.cancel_button = QPushButton(self.tr("Cancel request"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel the request"))
        self.cancel_button.hide()

        self.result = ResultPanel(self)

        self.connection_box = QGroupBox(self.tr("Connection"), self)
        self.connection_box.setObjectName("connectionBox")
        QVBoxLayout(self.connection_box).addWidget(self.connection)

        patient_box = QGroupBox(self.tr("Patient and link"), self)
        form = QFormLayout(patient_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        user_label = QLabel(self.tr("&User ID:"), self)
        user_label.setBuddy(self.user_id.edit)
        form.addRow(user_label, self.user_id)
        provider_label = QLabel(self.tr("&Provider:"), self)
        provider_label.setBuddy(self.provider_picker)
        provider_column = QVBoxLayout()
        provider_column.setSpacing(2)
        provider_column.addWidget(self.provider_picker)
        provider_column.addWidget(self.provider_source)
        form.addRow(provider_label, provider_column)
        filter_label = QLabel(self.tr("Only o&ffer:"), self)
        filter_label.setBuddy(self.filter_checklist.search)
        form.addRow(filter_label, self.filter_checklist)
        form.addRow("", self.provider_warning)
        form.addRow(self.code_lifetime_label, self.code_lifetime)
        self._form = form
        form.setRowVisible(self.code_lifetime, False)
        redirect_label = QLabel(self.tr("&Redirect URL:"), self)
        redirect_label.setBuddy(self.redirect.edit)
        form.addRow(redirect_label, self.redirect)

        # The cancel control sits away from Generate, so a double-click never reaches it.
        busy_column = QVBoxLayout()
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.cancel_button)
        busy_column.addLayout(busy_row)
        busy_column.addWidget(self.busy)
        busy_column.addWidget(self.generate_reason)
        # Hidden, the waiting widgets keep their place: showing them on a click repaints
        # them alone instead of laying the whole window out again (a dropped frame).
        for waiting in (self.busy, self.busy_label, self.cancel_button):
            policy = waiting.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            waiting.setSizePolicy(policy)
        generate_row = QHBoxLayout()
        generate_row.addLayout(busy_column, 1)
        generate_row.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignTop)

        form_column = QVBoxLayout()
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addWidget(self.connection_box)
        form_column.addWidget(self.patient_panel)
        form_column.addWidget(patient_box)
        form_column.addStretch(1)
        form_widget = QWidget(self)
        form_widget.setLayout(form_column)
        scroll = QScrollArea(self)
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(min(460, form_widget.minimumSizeHint().width() + 24))
        left = QVBoxLayout()
        left.addWidget(scroll, 1)
        left.addLayout(generate_row)  # always in sight, however small the window

        result_box = QGroupBox(self.tr("Link for the patient"), self)
        QVBoxLayout(result_box).addWidget(self.result)

        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addWidget(result_box, 6)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.addWidget(self.banner)
        outer.addWidget(self.message_area)
        outer.addLayout(columns, 1)
        self.setCentralWidget(central)
        self.status_note = plain_label("", self, "statusNote")
        self.status_note.setWordWrap(False)
        self.statusBar().addWidget(self.status_note, 1)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.status_note.clear)

        # Tab order follows the reading order: where, who, what, go; then the result.
        chain = [
            self.connection.environment_combo,
            self.connection.region_combo,
            self.connection.base_url_edit,
            self.connection.api_key_edit,
            self.connection.show_key_button,
            self.connection.remember_key_check,
            self.connection.forget_key_button,
            self.patient_panel.search_edit,
            self.patient_panel.find_button,
            self.user_id.edit,
            self.provider_picker,
            self.filter_checklist.search,
            self.filter_checklist.list,
            self.filter_checklist.select_all_button,
            self.filter_checklist.select_none_button,
            self.redirect.edit,
            self.generate_button,
            self.cancel_button,
            self.result.qr,
            self.result.regenerate_button,
            self.result.link_edit,
            self.result.open_button,
            self.result.copy_button,
            self.result.copy_qr_button,
            self.result.save_qr_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------ presentation

    def set_accent(self, accent: str) -> None:
        """Colour Generate and the connection frame like the environment banner."""
        self.generate_button.setStyleSheet(
            f"QPushButton {{ background: {accent}; color: white; font-weight: bold;"
            " padding: 6px 18px; border-radius: 4px; }"
            " QPushButton:disabled { background: #9e9e9e; color: #eeeeee; }"
            " QPushButton:focus { border: 2px solid palette(highlight); }"
        )
        self.connection_box.setStyleSheet(
            f"#connectionBox {{ border: 2px solid {accent}; border-radius: 4px;"
            " margin-top: 1.2em; padding-top: 4px; }"
            " #connectionBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }"
        )

    def set_code_route(self, code: bool) -> None:
        """Generate makes a phone-app code (and its lifetime is asked) or a web link."""
        self._code_route = code
        self._form.setRowVisible(self.code_lifetime, code)
        if self.generate_button.text() in (_tr(GENERATE_TEXT), _tr(CODE_TEXT)):
            self.generate_button.setText(_tr(CODE_TEXT if code else GENERATE_TEXT))

    def code_lifetime_seconds(self) -> float:
        return float(self.code_lifetime.currentData())

    def set_busy(self, busy: bool) -> None:
        """Show or hide the waiting state; Generate says it is waiting, not yet Cancel."""
        idle = CODE_TEXT if self._code_route else GENERATE_TEXT
        self.generate_button.setText(_tr(WAIT_TEXT if busy else idle))
        self.generate_button.setAccessibleName(
            self.tr("Waiting for Vital") if busy else self.tr("Generate link")
        )
        self.generate_button.setToolTip(
            self.tr("Escape cancels") if busy else self.tr("Enter or Ctrl+Enter")
        )
        for widget in (self.busy, self.busy_label, self.cancel_button):
            widget.setVisible(busy)

    def arm_cancel(self) -> None:
        """After a moment of waiting, the busy Generate button becomes a Cancel button."""
        self.generate_button.setText(_tr(CANCEL_TEXT))
        self.generate_button.setAccessibleName(self.tr("Cancel the request"))

    def set_generate_blocked(self, reason: str | None) -> None:
        """Disable Generate and write why next to it (None enables it)."""
        self.generate_button.setEnabled(reason is None)
        self.generate_reason.setText(reason or "")
        self.generate_reason.setVisible(bool(reason))
        style = f"color: {theme.problem_colour(self)};"
        if self.generate_reason.styleSheet() != style:  # a new sheet re-polishes the label
            self.generate_reason.setStyleSheet(style)
        self.generate_button.setToolTip(reason or self.tr("Enter or Ctrl+Enter"))

    def show_provider_warning(self, warning: str | None) -> None:
        self.provider_warning.setText(warning or "")
        self.provider_warning.setVisible(bool(warning))
        self.provider_warning.setStyleSheet(f"color: {theme.warning_colour(self)};")

    def show_catalogue_source(self, from_server: bool) -> None:
        self.provider_source.setText(
            self.tr("Provider list from Vital")
            if from_server
            else self.tr("Built-in provider list")
        )
        self.provider_source.setStyleSheet(f"color: {theme.muted_colour(self)};")

    def show_notice(self, text: str) -> None:
        """A short confirmation in the status bar ("Link copied."), gone after a while."""
        self.status_note.setText(text)
        self._notice_timer.start()

    def clear_notice(self) -> None:
        self._notice_timer.stop()
        self.status_note.clear()
