"""The "Find the patient" box: search, matches, create, and the chosen patient's details.

Layout only. ``PatientController`` (qt/controllers/patient_controller.py) decides what is
shown; the panel offers small presentation helpers (``set_busy``, ``show_message``,
``show_matches``, ``show_create``, ``show_patient``, ``show_providers``, ``show_helpers``).
Every text from a server is shown literally: labels are plain text, list items are never
HTML, and their tooltips go through ``PlainItemToolTips``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vital_desktop.qt import theme
from vital_desktop.qt.widgets.result_panel import plain_label

SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)
KEY_ROLE = Qt.ItemDataRole.UserRole  # a match's user id, a provider's slug


@dataclass(frozen=True)
class ListRow:
    """One row of a list: what it says, the key it stands for, and whether it is a problem."""

    text: str
    key: str
    problem: bool = False


class PatientPanel(QGroupBox):
    """``patientSearchEdit`` + ``findPatientButton``, matches, create, and ``patientDetails``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Find the patient"))
        self.setObjectName("patientPanel")
        self._build()

    def _build(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("patientSearchEdit")
        self.search_edit.setAccessibleName(self.tr("Clinic patient ID or Vital user ID"))
        self.search_edit.setPlaceholderText(self.tr("Clinic patient ID or Vital user ID"))
        self.search_edit.setClearButtonEnabled(True)
        self.find_button = QPushButton(self.tr("F&ind"), self)
        self.find_button.setObjectName("findPatientButton")
        self.find_button.setAccessibleName(self.tr("Find the patient"))
        self.find_button.setToolTip(self.tr("Enter in the search field finds too"))

        self.busy_label = plain_label("", self, "patientBusyLabel")
        self.busy_label.setAccessibleName(self.tr("Looking up the patient"))
        self.busy_label.hide()
        self.message_label = plain_label("", self, "patientMessageLabel")
        self.message_label.setAccessibleName(self.tr("Patient lookup message"))
        self.message_label.setTextInteractionFlags(SELECTABLE)
        self.message_label.hide()

        self.results_list = QListWidget(self)
        self.results_list.setObjectName("patientResultsList")
        self.results_list.setAccessibleName(self.tr("Patients that match"))
        self.results_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_list.setMaximumHeight(120)
        theme.PlainItemToolTips.install(self.results_list)
        self.results_list.hide()

        self.create_button = QPushButton(self.tr("Create patient"), self)
        self.create_button.setObjectName("createPatientButton")
        self.create_button.setAccessibleName(self.tr("Create the patient"))
        self.create_button.hide()

        self.details = QWidget(self)
        self.details.setObjectName("patientDetails")
        self.client_id_label = plain_label("", self.details, "patientClientIdLabel")
        self.client_id_label.setTextInteractionFlags(SELECTABLE)
        self.user_id_label = plain_label("", self.details, "patientUserIdLabel")
        self.user_id_label.setWordWrap(False)
        self.user_id_label.setTextInteractionFlags(SELECTABLE)
        self.user_id_label.setAccessibleName(self.tr("Vital user ID"))
        self.copy_user_id_button = QPushButton(self.tr("Copy"), self.details)
        self.copy_user_id_button.setObjectName("copyUserIdButton")
        self.copy_user_id_button.setAccessibleName(self.tr("Copy the Vital user ID"))
        self.created_label = plain_label("", self.details, "patientCreatedLabel")
        self.providers_list = QListWidget(self.details)
        self.providers_list.setObjectName("connectedProvidersList")
        self.providers_list.setAccessibleName(self.tr("Connected providers"))
        self.providers_list.setWordWrap(True)
        self.providers_list.setMaximumHeight(140)
        theme.PlainItemToolTips.install(self.providers_list)
        self.no_providers_label = plain_label(
            self.tr("No provider connected yet."), self.details, "noProvidersLabel"
        )

        # Sandbox and demo only: the controller hides these for production keys.
        self.helpers = QWidget(self.details)
        self.helpers.setObjectName("patientDemoHelpers")
        self.demo_provider_combo = QComboBox(self.helpers)
        self.demo_provider_combo.setObjectName("demoProviderCombo")
        self.demo_provider_combo.setAccessibleName(self.tr("Provider for a demo connection"))
        self.demo_connect_button = QPushButton(self.tr("Make a demo connection"), self.helpers)
        self.demo_connect_button.setObjectName("demoConnectButton")
        self.demo_connect_button.setAccessibleName(self.tr("Make a demo connection"))
        self.disconnect_button = QPushButton(self.tr("Disconnect…"), self.helpers)
        self.disconnect_button.setObjectName("disconnectButton")
        self.disconnect_button.setAccessibleName(self.tr("Disconnect the selected provider"))
        self.disconnect_button.setEnabled(False)
        helper_row = QHBoxLayout(self.helpers)
        helper_row.setContentsMargins(0, 0, 0, 0)
        helper_row.addWidget(self.demo_provider_combo, 1)
        helper_row.addWidget(self.demo_connect_button)
        helper_row.addWidget(self.disconnect_button)

        user_id_row = QHBoxLayout()
        user_id_row.addWidget(self.user_id_label, 1)
        user_id_row.addWidget(self.copy_user_id_button)
        details_form = QFormLayout(self.details)
        details_form.setContentsMargins(0, 0, 0, 0)
        details_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        details_form.addRow(self.tr("Clinic ID:"), self.client_id_label)
        details_form.addRow(self.tr("Vital user ID:"), user_id_row)
        details_form.addRow(self.tr("Created:"), self.created_label)
        providers_column = QVBoxLayout()
        providers_column.addWidget(self.no_providers_label)
        providers_column.addWidget(self.providers_list)
        details_form.addRow(self.tr("Providers:"), providers_column)
        details_form.addRow("", self.helpers)
        self.details.hide()

        search_label = QLabel(self.tr("Pa&tient:"), self)
        search_label.setBuddy(self.search_edit)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.find_button)
        column = QVBoxLayout(self)
        column.addLayout(search_row)
        column.addWidget(self.busy_label)
        column.addWidget(self.message_label)
        column.addWidget(self.results_list)
        column.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.details)
        column.addStretch(1)  # spare height below the details, never between their rows

        for first, second in (
            (self.search_edit, self.find_button),
            (self.find_button, self.results_list),
            (self.results_list, self.create_button),
            (self.create_button, self.copy_user_id_button),
            (self.copy_user_id_button, self.providers_list),
            (self.providers_list, self.demo_provider_combo),
            (self.demo_provider_combo, self.demo_connect_button),
            (self.demo_connect_button, self.disconnect_button),
        ):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------ presentation

    def set_busy(self, text: str | None) -> None:
        """Show what is being asked ("Looking up MRN-0042…"), or nothing (None)."""
        theme.show_status_line(self.busy_label, text)

    def show_message(self, text: str | None, *, problem: bool = False) -> None:
        """One sentence under the search field (red for a problem); None hides it."""
        theme.show_status_line(self.message_label, text, problem=problem)

    def show_matches(self, rows: list[ListRow]) -> None:
        """The patients a search found, one per row; an empty list hides the list."""
        self.results_list.clear()
        for row in rows:
            item = QListWidgetItem(row.text)
            item.setData(KEY_ROLE, row.key)
            item.setToolTip(row.text)
            self.results_list.addItem(item)
        self.results_list.setVisible(bool(rows))

    def select_match(self, key: str) -> None:
        """Mark the row of the chosen patient, without emitting a click."""
        for index in range(self.results_list.count()):
            item = self.results_list.item(index)
            if item.data(KEY_ROLE) == key:
                self.results_list.setCurrentItem(item)
                return

    def show_create(self, text: str | None) -> None:
        """The create button with what it will do, or hidden (None)."""
        self.create_button.setText(text or "")
        self.create_button.setAccessibleName(text or "")
        self.create_button.setVisible(bool(text))

    def show_patient(self, client_user_id: str, user_id: str, created: str) -> None:
        """Fill and show the details; the provider list starts empty until it is fetched."""
        theme.set_plain_text(self.client_id_label, client_user_id)
        self.user_id_label.setText(user_id)
        theme.set_plain_text(self.created_label, created)
        self.show_providers([], self.tr("Checking connected providers…"))
        self.details.show()

    def hide_patient(self) -> None:
        self.details.hide()
        self.providers_list.clear()
        self.user_id_label.clear()
        self.client_id_label.clear()
        self.created_label.clear()

    def show_providers(self, rows: list[ListRow], empty_text: str) -> None:
        """The patient's providers (a problem row in red); ``empty_text`` when there are none."""
        self.providers_list.clear()
        problem = QBrush(QColor(theme.problem_colour(self)))
        for row in rows:
            item = QListWidgetItem(row.text)
            item.setData(KEY_ROLE, row.key)
            item.setToolTip(row.text)
            if row.problem:
                item.setForeground(problem)
            self.providers_list.addItem(item)
        self.providers_list.setVisible(bool(rows))
        theme.set_plain_text(self.no_providers_label, empty_text)
        self.no_providers_label.setVisible(not rows)
        self.disconnect_button.setEnabled(False)

    def selected_provider(self) -> str | None:
        """The slug of the provider row selected, if any."""
        item = self.providers_list.currentItem()
        if item is None or not item.isSelected():
            return None
        key = item.data(KEY_ROLE)
        return key if isinstance(key, str) else None

    def set_demo_providers(self, choices: list[tuple[str, str]]) -> None:
        """``(slug, name)`` pairs offered for a demo connection."""
        self.demo_provider_combo.clear()
        for slug, name in choices:
            self.demo_provider_combo.addItem(name, slug)

    def show_helpers(self, shown: bool) -> None:
        """Show the sandbox-only helpers (demo connection, disconnect), or hide them."""
        self.helpers.setVisible(shown)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Block the helpers while one of them is in flight."""
        self.demo_connect_button.setEnabled(enabled)
        self.demo_provider_combo.setEnabled(enabled)
        self.disconnect_button.setEnabled(enabled and self.selected_provider() is not None)
