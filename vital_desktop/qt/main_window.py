"""The link window: wiring only. Widgets display, the core decides, workers wait."""

from __future__ import annotations

import itertools
import logging

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
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

from vital_desktop.core.environments import API_KEY_VARIABLE, BASE_URL_VARIABLE
from vital_desktop.core.errors import VitalError, invalid_input
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.providers import ProviderCatalogue
from vital_desktop.core.validation import LinkTokenRequest, redirect_url_problem
from vital_desktop.qt import theme
from vital_desktop.qt.catalogue_loader import CatalogueLoader
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.demo import DemoPractice
from vital_desktop.qt.link_requester import LinkRequester
from vital_desktop.qt.options import AppOptions
from vital_desktop.qt.widgets.connection_panel import ConnectionPanel, ConnectionState, Mode
from vital_desktop.qt.widgets.environment_banner import EnvironmentBanner
from vital_desktop.qt.widgets.filter_checklist import FilterChecklist
from vital_desktop.qt.widgets.message_area import MessageArea
from vital_desktop.qt.widgets.provider_picker import ProviderPicker
from vital_desktop.qt.widgets.result_panel import ResultPanel
from vital_desktop.qt.widgets.user_id_field import UserIdField
from vital_desktop.qt.widgets.validated_field import ValidatedField
from vital_desktop.qt.workers import BackgroundCalls, detached

log = logging.getLogger(__name__)

GENERATE_TEXT = "&Generate link"
CANCEL_TEXT = "Cancel"


class LinkWindow(QMainWindow):
    """Collect, generate, count down, hand off by browser or QR code."""

    def __init__(self, options: AppOptions | None = None) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.setWindowTitle("Vital link for a patient")
        self.calls = BackgroundCalls(self)
        self.clients = ClientCache(self.options.client_settings)
        self.requester = LinkRequester(self.calls, self.clients, self.options.link_ttl, self)
        self.catalogue = CatalogueLoader(
            self.calls, self.clients, self.options.catalogue_delay_ms, self
        )
        self.demo = DemoPractice(self.calls, self.options.link_ttl, self.options.environ, self)
        self._last: tuple[ConnectionState, LinkTokenRequest] | None = None
        self._build()
        self._wire()
        self._apply_environment()

    # ----------------------------------------------------------------- layout

    def _build(self) -> None:
        self.banner = EnvironmentBanner(self)
        self.message_area = MessageArea(self)
        self.connection = ConnectionPanel(self)

        self.user_id = UserIdField(self)
        self.provider_picker = ProviderPicker(self)
        self.provider_source = QLabel(self)
        self.provider_source.setObjectName("providerSourceLabel")
        self.provider_source.setAccessibleName("Where the provider list comes from")
        self.filter_checklist = FilterChecklist(self)
        self.provider_warning = QLabel(self)
        self.provider_warning.setObjectName("providerWarningLabel")
        self.provider_warning.setAccessibleName("Provider warning")
        self.provider_warning.setWordWrap(True)
        self.provider_warning.hide()
        self.redirect = ValidatedField(
            redirect_url_problem,
            object_name="redirectUrlEdit",
            accessible_name="Redirect URL (optional)",
            placeholder="Optional, e.g. https://clinic.example/done",
            parent=self,
        )

        self.generate_button = QPushButton(GENERATE_TEXT, self)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setAccessibleName("Generate link")
        self.generate_button.setToolTip("Enter or Ctrl+Enter; Escape cancels")
        self.generate_button.setMinimumHeight(38)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busyIndicator")
        self.busy.setAccessibleName("Waiting for Vital")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.busy_label = QLabel("Asking Vital for a link… (Escape cancels)", self)
        self.busy_label.setObjectName("busyLabel")
        self.busy_label.hide()

        self.result = ResultPanel(self)

        self.connection_box = QGroupBox("Connection", self)
        self.connection_box.setObjectName("connectionBox")
        QVBoxLayout(self.connection_box).addWidget(self.connection)

        patient_box = QGroupBox("Patient and link", self)
        form = QFormLayout(patient_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        user_label = QLabel("&User ID:", self)
        user_label.setBuddy(self.user_id.edit)
        form.addRow(user_label, self.user_id)
        provider_label = QLabel("&Provider:", self)
        provider_label.setBuddy(self.provider_picker)
        provider_column = QVBoxLayout()
        provider_column.setSpacing(2)
        provider_column.addWidget(self.provider_picker)
        provider_column.addWidget(self.provider_source)
        form.addRow(provider_label, provider_column)
        filter_label = QLabel("Only o&ffer:", self)
        filter_label.setBuddy(self.filter_checklist.search)
        form.addRow(filter_label, self.filter_checklist)
        form.addRow("", self.provider_warning)
        redirect_label = QLabel("&Redirect URL:", self)
        redirect_label.setBuddy(self.redirect.edit)
        form.addRow(redirect_label, self.redirect)

        generate_row = QHBoxLayout()
        busy_column = QVBoxLayout()
        busy_column.addWidget(self.busy_label)
        busy_column.addWidget(self.busy)
        generate_row.addLayout(busy_column, 1)
        generate_row.addWidget(self.generate_button)

        form_column = QVBoxLayout()
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addWidget(self.connection_box)
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

        result_box = QGroupBox("Link for the patient", self)
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
        self.status_note = QLabel(self)
        self.status_note.setObjectName("statusNote")
        self.statusBar().addWidget(self.status_note, 1)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(4000)
        self._notice_timer.timeout.connect(self.status_note.clear)

        # Tab order follows the reading order: where, who, what, go; then the result.
        chain = [
            self.connection.environment_combo,
            self.connection.region_combo,
            self.connection.base_url_edit,
            self.connection.api_key_edit,
            self.connection.show_key_button,
            self.user_id.edit,
            self.provider_picker,
            self.filter_checklist.search,
            self.filter_checklist.list,
            self.filter_checklist.select_all_button,
            self.filter_checklist.select_none_button,
            self.redirect.edit,
            self.generate_button,
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

    def _wire(self) -> None:
        self.connection.changed.connect(self.on_connection_changed)
        self.catalogue.loaded.connect(self.on_catalogue_loaded)
        self.provider_picker.provider_changed.connect(self.on_provider_or_filter_changed)
        self.filter_checklist.changed.connect(self.on_provider_or_filter_changed)
        self.generate_button.clicked.connect(self.on_generate_button_clicked)
        for edit in (self.user_id.edit, self.redirect.edit, self.connection.api_key_edit):
            edit.returnPressed.connect(self.generate)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.generate)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.on_escape)
        self.requester.busy_changed.connect(self.on_requester_busy_changed)
        self.requester.succeeded.connect(self.on_requester_succeeded)
        self.requester.failed.connect(self.on_requester_failed)
        self.result.regenerate_requested.connect(self.on_result_regenerate_requested)
        self.result.notice.connect(self.on_result_notice)
        self.demo.ready.connect(self.on_demo_ready)
        self.demo.failed.connect(self.on_demo_failed)
        self.provider_picker.set_catalogue(self.catalogue.current)
        self.filter_checklist.set_catalogue(self.catalogue.current)
        self._show_catalogue_source(False)

    def _apply_environment(self) -> None:
        environ = self.options.environ
        key = environ.get(API_KEY_VARIABLE, "").strip()
        base_url = environ.get(BASE_URL_VARIABLE, "").strip()
        if self.options.demo or not key:
            self.start_demo()
            return
        if base_url:
            self.connection.set_base_url(base_url)
        self.connection.set_api_key(key)
        self.connection.refresh()

    # ------------------------------------------------------------------- demo

    def start_demo(self) -> None:
        """Switch to demo mode and start the practice server (once)."""
        self.connection.set_mode(Mode.DEMO)
        self.demo.start()
        if self.demo.server is not None:
            self.connection.set_demo_target(self.demo.target, self.demo.api_key, None)

    @Slot(str)
    def on_demo_ready(self, user_id: str) -> None:
        if not self.user_id.text().strip():
            self.user_id.edit.setText(user_id)
        self.status_note.setText("Demo patient created on the practice server.")

    @Slot(object)
    def on_demo_failed(self, error: VitalError) -> None:
        self.connection.set_demo_target(None, "", error)
        self.message_area.show_error(error)

    # ------------------------------------------------------------ form state

    @Slot()
    def on_connection_changed(self) -> None:
        state = self.connection.state()
        style = self.banner.show_state(state)
        self.generate_button.setStyleSheet(
            f"QPushButton {{ background: {style.accent}; color: white; font-weight: bold;"
            " padding: 6px 18px; border-radius: 4px; }"
            " QPushButton:disabled { background: #9e9e9e; color: #eeeeee; }"
            " QPushButton:focus { border: 2px solid palette(highlight); }"
        )
        self.connection_box.setStyleSheet(
            f"#connectionBox {{ border: 2px solid {style.accent}; border-radius: 4px;"
            " margin-top: 1.2em; padding-top: 4px; }"
            " #connectionBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }"
        )
        self.catalogue.connection_changed(state)
        self._update_generate_enabled()

    @Slot(object, bool)
    def on_catalogue_loaded(self, catalogue: ProviderCatalogue, from_server: bool) -> None:
        self.provider_picker.set_catalogue(catalogue)
        self.filter_checklist.set_catalogue(catalogue)
        self._show_catalogue_source(from_server)

    def _show_catalogue_source(self, from_server: bool) -> None:
        self.provider_source.setText(
            "Provider list from Vital" if from_server else "Built-in provider list"
        )
        self.provider_source.setStyleSheet(f"color: {theme.muted_colour(self)};")

    @Slot()
    def on_provider_or_filter_changed(self) -> None:
        warning = self._provider_warning()
        self.provider_warning.setText(warning or "")
        self.provider_warning.setVisible(bool(warning))
        self.provider_warning.setStyleSheet(f"color: {theme.warning_colour(self)};")

    def _provider_warning(self) -> str | None:
        slug = self.provider_picker.selected_slug()
        chosen = self.filter_checklist.checked_slugs()
        if slug and chosen and slug not in chosen:
            provider = self.provider_picker.selected_provider()
            name = provider.display_name if provider else slug
            return (
                f"⚠ {name} is not among the providers ticked under Only offer. Tick it, "
                "or choose Any provider, so the patient is not sent to a provider the "
                "list leaves out."
            )
        return None

    def _update_generate_enabled(self) -> None:
        if self.requester.busy:
            self.generate_button.setEnabled(True)
            return
        state = self.connection.state()
        demo_starting = state.mode is Mode.DEMO and self.demo.server is None
        self.generate_button.setEnabled(state.ready and not demo_starting)
        if state.problem is not None:
            self.generate_button.setToolTip(state.problem.message)
        else:
            self.generate_button.setToolTip("Enter or Ctrl+Enter; Escape cancels")

    # ---------------------------------------------------------------- generate

    def collect_request(self) -> tuple[ConnectionState, LinkTokenRequest]:
        """The connection and a validated request, or INVALID_INPUT naming the field."""
        state = self.connection.state()
        if state.problem is not None:
            raise state.problem
        typed = self.provider_picker.typed_problem()
        if typed:
            raise invalid_input("provider", typed)
        provider = self.provider_picker.selected_provider()
        if provider is not None and provider.unavailable_reason:
            raise invalid_input("provider", provider.unavailable_reason)
        request = LinkTokenRequest.build(
            self.user_id.text(),
            self.provider_picker.selected_slug(),
            self.filter_checklist.checked_slugs() or None,
            self.redirect.text(),
            known_slugs=self.catalogue.current.slugs,
        )
        return state, request

    @Slot()
    def on_generate_button_clicked(self) -> None:
        if self.requester.busy:
            self.cancel()
        else:
            self.generate()

    @Slot()
    def generate(self) -> None:
        """Validate locally, then ask for a link in a worker (a request in flight is kept)."""
        if self.requester.busy or not self.generate_button.isEnabled():
            return
        try:
            state, request = self.collect_request()
        except VitalError as error:
            self.show_error(detached(error))
            return
        self._send(state, request)

    def _send(self, state: ConnectionState, request: LinkTokenRequest) -> None:
        assert state.target is not None
        self._last = (state, request)
        self.message_area.dismiss()
        self.requester.request(state.api_key, state.target, request)

    @Slot()
    def cancel(self) -> None:
        if self.requester.cancel():
            self.status_note.setText("Request cancelled.")

    @Slot()
    def on_escape(self) -> None:
        if self.requester.busy:
            self.cancel()
        elif not self.message_area.isHidden():
            self.message_area.dismiss()

    @Slot()
    def on_result_regenerate_requested(self) -> None:
        if self._last is not None and not self.requester.busy:
            self._send(*self._last)

    @Slot(bool)
    def on_requester_busy_changed(self, busy: bool) -> None:
        self.generate_button.setText(CANCEL_TEXT if busy else GENERATE_TEXT)
        self.generate_button.setAccessibleName("Cancel the request" if busy else "Generate link")
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        if busy:
            self.status_note.clear()
        self._update_generate_enabled()

    @Slot(object)
    def on_requester_succeeded(self, session: LinkSession) -> None:
        self.result.show_session(session)
        self.status_note.setText("Link ready. It works once.")

    @Slot(object)
    def on_requester_failed(self, error: VitalError) -> None:
        self.show_error(error)

    def show_error(self, error: VitalError) -> None:
        """The sentence in the message area; a field at fault is highlighted and focused."""
        self.message_area.show_error(error)
        field = {
            "user_id": self.user_id,
            "redirect_url": self.redirect,
        }.get(error.field or "")
        if field is not None:
            field.flag(error.message)
            field.edit.setFocus()
        elif error.field in ("provider",):
            self.provider_picker.setFocus()
        elif error.field == "filter_on_providers":
            self.filter_checklist.list.setFocus()
        elif error.field in ("api_key", "base_url"):
            widget = (
                self.connection.api_key_edit
                if error.field == "api_key"
                else self.connection.base_url_edit
            )
            if widget.isEnabled():
                widget.setFocus()

    @Slot(str)
    def on_result_notice(self, text: str) -> None:
        self.status_note.setText(text)
        self._notice_timer.start()

    # ----------------------------------------------------------------- closing

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel work in flight and stop the practice server."""
        self.requester.cancel()
        self.calls.cancel_all()
        self.result.countdown.stop()
        self.demo.stop()
        self.clients.close_all()
