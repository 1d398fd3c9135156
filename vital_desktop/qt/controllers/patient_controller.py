"""The "Find the patient" panel's behaviour: find, create, choose, and the chosen patient's
providers.

Every call runs on the ``ApiService``, off the GUI thread. A new search cancels the one in
flight; each outcome carries a ticket, so a late answer for an earlier search, an earlier
patient or another connection is dropped. Failures show one sentence in
``patientMessageLabel``. The connection is read from ``connection_provider`` on every action:
a chosen patient belongs to the connection it was found through, and the sandbox-only helpers
(demo connection, disconnect) are offered only for demo mode or a sandbox key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidgetItem, QWidget

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.client_settings import DEMO_PROVIDERS
from vital_desktop.core.connection import Connection, ConnectionIdentity, Mode
from vital_desktop.core.environments import Environment
from vital_desktop.core.errors import VitalError
from vital_desktop.core.link_form import short_user_id
from vital_desktop.core.models import ConnectedProvider, DemoConnection, User
from vital_desktop.core.patient_lookup import create_patient, find_patients, looks_like_user_id
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import clean_paste, client_user_id_problem
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.service import ApiService, Job
from vital_desktop.qt.views.patient_panel import KEY_ROLE, ListRow, PatientPanel

if TYPE_CHECKING:  # made by the ClientCache in a worker: httpx is not imported at start
    from vital_desktop.core.client import VitalClient

log = logging.getLogger(__name__)

Confirm = Callable[[QWidget, str], bool]


def ask_confirm(parent: QWidget, question: str) -> bool:
    """Yes/No box, No by default; the question (it names a provider) is shown as plain text."""
    from PySide6.QtWidgets import QMessageBox  # on first use: not part of the start-up

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("PatientController", "Disconnect provider"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(question)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class PatientController(QObject):
    """Behaviour of one ``PatientPanel``. ``patient_chosen(user_id, client_user_id)``."""

    patient_chosen = Signal(str, str)

    def __init__(
        self,
        panel: PatientPanel,
        service: ApiService,
        clients: ClientCache,
        connection_provider: Callable[[], Connection],
        *,
        confirm: Confirm = ask_confirm,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self.service = service
        self.clients = clients
        self.connection_provider = connection_provider
        self.confirm = confirm
        self._search_job: Job | None = None
        self._providers_job: Job | None = None
        self._action_job: Job | None = None
        self._ticket = 0  # bumped by every search, choice and clear
        self._matches: list[User] = []
        self._missing_id: str | None = None  # the clinic id a search found nothing for
        self._missing_where: ConnectionIdentity | None = None  # ... through this connection
        self._chosen: User | None = None
        self._identity: ConnectionIdentity | None = None  # where the patient was found
        self._providers: list[ConnectedProvider] = []
        self._providers_failed = False  # the message says the last refresh failed
        catalogue = bundled_catalogue()
        names = []
        for slug in DEMO_PROVIDERS:
            provider = catalogue.get(slug)
            names.append((slug, provider.display_name if provider is not None else slug))
        panel.set_demo_providers(names)
        panel.show_helpers(False)
        self._wire()

    def _wire(self) -> None:
        p = self.panel
        p.find_button.clicked.connect(self.find)
        p.search_edit.returnPressed.connect(self.find)
        p.create_button.clicked.connect(self.create)
        p.results_list.itemClicked.connect(self.on_results_list_item_activated)
        p.results_list.itemActivated.connect(self.on_results_list_item_activated)
        p.copy_user_id_button.clicked.connect(self.on_copy_user_id_button_clicked)
        p.providers_list.itemSelectionChanged.connect(self.on_providers_list_selection_changed)
        p.demo_connect_button.clicked.connect(self.demo_connect)
        p.disconnect_button.clicked.connect(self.disconnect_provider)

    # ------------------------------------------------------------------ state

    @property
    def chosen(self) -> User | None:
        """The patient on show, if any."""
        return self._chosen

    @property
    def busy(self) -> bool:
        """True while a search or create is in flight."""
        return self._search_job is not None

    def _client(self, connection: Connection) -> Callable[[], VitalClient]:
        """A getter for the client, run in the worker (building one may raise VitalError)."""
        clients, api_key, target = self.clients, connection.api_key, connection.target
        assert target is not None

        def get() -> VitalClient:
            return clients.get(api_key, target)

        return get

    def _usable_connection(self) -> Connection | None:
        """The connection now, or None with its problem shown."""
        connection = self.connection_provider()
        if connection.problem is not None or connection.target is None:
            problem = connection.problem
            self.panel.show_message(
                problem.message if problem else self.tr("Choose a connection first."), problem=True
            )
            return None
        return connection

    # ------------------------------------------------------------------- find

    @Slot()
    def find(self) -> None:
        """Look up the text typed: a clinic patient ID or a Vital user ID."""
        # As the core reads it: the quotes and spaces a paste brings along dropped.
        text = clean_paste(self.panel.search_edit.text())
        if not text:
            self.panel.show_message(
                self.tr("Type the clinic's patient ID or the patient's Vital user ID."),
                problem=True,
            )
            self.panel.search_edit.setFocus()
            return
        self.panel.show_message(None)
        connection = self._usable_connection()
        self._reset()
        if connection is None:
            return
        ticket = self._ticket
        identity = connection.identity
        client = self._client(connection)

        def lookup(_token: CancelToken) -> list[User]:
            return find_patients(client(), text)

        self.panel.set_busy(self.tr("Looking up {text}…").format(text=text))
        self._search_job = self.service.start(
            lookup,
            lambda users: self._on_found(ticket, identity, text, connection, users),
            lambda error: self._on_failure(ticket, error),
        )

    def _on_found(
        self,
        ticket: int,
        identity: ConnectionIdentity,
        text: str,
        connection: Connection,
        users: object,
    ) -> None:
        if ticket != self._ticket or not isinstance(users, list):
            return
        self._search_job = None
        self.panel.set_busy(None)
        if self.connection_provider().identity != identity:
            self._connection_moved()
            return
        matches = [user for user in users if isinstance(user, User)]
        self._matches = matches
        if len(matches) == 1:
            self._choose(matches[0], identity)
        elif matches:
            self.panel.show_matches([_match_row(user) for user in matches])
            self.panel.show_message(
                self.tr("{count} patients match {text}. Pick one.").format(
                    count=len(matches), text=text
                )
            )
            self.panel.results_list.setFocus()
        elif looks_like_user_id(text):
            self.panel.show_message(
                self.tr(
                    "No patient has the Vital user ID {text} in {connection}. Check the "
                    "ID, or the connection."
                ).format(text=text, connection=connection.label),
                problem=True,
            )
        elif client_user_id_problem(text) is not None:
            self.panel.show_message(client_user_id_problem(text), problem=True)
        else:
            self._missing_id, self._missing_where = text, identity
            self.panel.show_message(
                self.tr("No patient has the clinic ID {text} in {connection}.").format(
                    text=text, connection=connection.label
                )
            )
            self.panel.show_create(self._create_text(text, connection.label))
            self.panel.create_button.setFocus()

    # ----------------------------------------------------------------- create

    @Slot()
    def create(self) -> None:
        """Create the patient the last search found nothing for (an existing one is chosen)."""
        client_user_id = self._missing_id
        if client_user_id is None or self._search_job is not None:
            return
        connection = self._usable_connection()
        if connection is None:
            return
        if connection.identity != self._missing_where:
            self._connection_moved()
            return
        self._ticket += 1
        ticket = self._ticket
        identity = connection.identity
        client = self._client(connection)

        def make(_token: CancelToken) -> tuple[User, bool]:
            return create_patient(client(), client_user_id)

        self.panel.show_create(None)
        self.panel.show_message(None)
        self.panel.set_busy(self.tr("Creating patient {id}…").format(id=client_user_id))
        self._search_job = self.service.start(
            make,
            lambda answer: self._on_created(ticket, identity, connection.label, answer),
            lambda error: self._on_create_failed(ticket, error),
        )

    def _on_created(
        self, ticket: int, identity: ConnectionIdentity, label: str, answer: object
    ) -> None:
        if ticket != self._ticket or not isinstance(answer, tuple):
            return
        self._search_job = None
        self.panel.set_busy(None)
        if self.connection_provider().identity != identity:
            self._connection_moved()
            return
        user, created = answer
        self._missing_id = None
        self._choose(user, identity)
        if created:
            self.panel.show_message(
                self.tr("Patient {id} created in {connection}.").format(
                    id=user.client_user_id, connection=label
                )
            )
        else:
            self.panel.show_message(
                self.tr("Patient {id} already existed in {connection}; it is chosen.").format(
                    id=user.client_user_id, connection=label
                )
            )

    def _on_create_failed(self, ticket: int, error: VitalError) -> None:
        if ticket != self._ticket:
            return
        self._on_failure(ticket, error)
        if self._missing_id is not None:  # the button comes back, to try again
            connection = self.connection_provider()
            self.panel.show_create(self._create_text(self._missing_id, connection.label))

    def _create_text(self, client_user_id: str, where: str) -> str:
        return self.tr("Create patient '{id}' in {connection}").format(
            id=client_user_id, connection=where
        )

    # ----------------------------------------------------------------- choose

    @Slot(QListWidgetItem)
    def on_results_list_item_activated(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        for user in self._matches:
            if user.user_id == key:
                if self._chosen is None or self._chosen.user_id != user.user_id:
                    self.choose(user)
                return

    def choose(self, user: User) -> None:
        """Show ``user``'s details and providers and tell the window (``patient_chosen``)."""
        self._choose(user, self.connection_provider().identity)

    def _choose(self, user: User, identity: ConnectionIdentity) -> None:
        self._cancel(self._providers_job)
        self._cancel(self._action_job)
        self._providers_job = self._action_job = None
        self._ticket += 1
        self._chosen = user
        self._identity = identity
        self._providers = []
        self._providers_failed = False
        self.panel.show_message(None)
        self.panel.show_create(None)
        self.panel.select_match(user.user_id)
        self.panel.show_patient(user.client_user_id, user.user_id, local_date(user.created_on))
        self.panel.set_actions_enabled(True)
        self._update_helpers()
        self.patient_chosen.emit(user.user_id, user.client_user_id)
        self.refresh_providers()

    # -------------------------------------------------------------- providers

    @Slot()
    def refresh_providers(self) -> None:
        """Fetch the chosen patient's connected providers again (nothing chosen: nothing)."""
        user = self._chosen
        if user is None:
            return
        connection = self.connection_provider()
        if not self._same_connection(connection.identity) or connection.target is None:
            return
        self._update_helpers()
        self._cancel(self._providers_job)
        ticket = self._ticket
        client = self._client(connection)
        user_id = user.user_id

        def fetch(_token: CancelToken) -> list[ConnectedProvider]:
            return client().connected_providers(user_id)

        self._providers_job = self.service.start(
            fetch,
            lambda providers: self._on_providers(ticket, providers),
            lambda error: self._on_providers_failed(ticket, error),
        )

    def _on_providers(self, ticket: int, providers: object) -> None:
        if ticket != self._ticket or not isinstance(providers, list):
            return
        self._providers_job = None
        if self._providers_failed:  # a refresh that works again takes its failure away
            self._providers_failed = False
            self.panel.show_message(None)
        self._providers = [p for p in providers if isinstance(p, ConnectedProvider)]
        rows = [_provider_row(provider) for provider in self._providers]
        self.panel.show_providers(rows, self.tr("No provider connected yet."))
        self.panel.set_actions_enabled(self._action_job is None)

    def _on_providers_failed(self, ticket: int, error: VitalError) -> None:
        if ticket != self._ticket:
            return
        self._providers_job = None
        self._providers_failed = True
        self.panel.show_providers([], self.tr("Connected providers could not be checked."))
        self.panel.show_message(error.message, problem=True)

    @Slot()
    def on_providers_list_selection_changed(self) -> None:
        self.panel.set_actions_enabled(self._action_job is None)

    @Slot()
    def on_copy_user_id_button_clicked(self) -> None:
        if self._chosen is not None:
            QGuiApplication.clipboard().setText(self._chosen.user_id)
            self.panel.show_message(self.tr("Vital user ID copied."))

    # --------------------------------------------------- sandbox-only helpers

    def helpers_allowed(self) -> bool:
        """True for demo mode or a sandbox key: never for production."""
        return _sandbox_like(self.connection_provider())

    def _update_helpers(self) -> None:
        self.panel.show_helpers(self._chosen is not None and self.helpers_allowed())

    @Slot()
    def connection_changed(self) -> None:
        """Re-read the connection: hide the helpers, or forget a patient found elsewhere."""
        if self._identity is not None and not self._same_connection(
            self.connection_provider().identity
        ):
            self._connection_moved()
            return
        self._update_helpers()

    @Slot()
    def demo_connect(self) -> None:
        """POST /v2/link/connect/demo for the chosen patient and the combo's provider."""
        slug = self.panel.demo_provider_combo.currentData()
        if not isinstance(slug, str):
            return
        name = self.panel.demo_provider_combo.currentText()
        self._run_helper(
            lambda client, user_id: client.demo_connect(user_id, slug),
            self.tr("Making a demo {provider} connection…").format(provider=name),
            self.tr("Demo {provider} connection made.").format(provider=name),
            self.tr("Vital did not make the demo {provider} connection. Try again.").format(
                provider=name
            ),
        )

    @Slot()
    def disconnect_provider(self) -> None:
        """Ask, then DELETE the selected provider's connection and refresh."""
        slug = self.panel.selected_provider()
        user = self._chosen
        if slug is None or user is None:
            return
        name = next((p.name for p in self._providers if p.slug == slug), slug)
        who = user.client_user_id or short_user_id(user.user_id)
        if not self.helpers_allowed():
            self._update_helpers()
            return
        question = self.tr("Disconnect {provider} from patient {patient}?").format(
            provider=name, patient=who
        )
        if not self.confirm(self.panel, question):
            return
        self._run_helper(
            lambda client, user_id: client.disconnect(user_id, slug),
            self.tr("Disconnecting {provider}…").format(provider=name),
            self.tr("{provider} disconnected.").format(provider=name),
            self.tr("Vital did not disconnect {provider}. Try again.").format(provider=name),
        )

    def _run_helper(
        self, call: Callable[[VitalClient, str], object], busy: str, done: str, refused: str
    ) -> None:
        user = self._chosen
        if user is None or self._action_job is not None:
            return
        connection = self.connection_provider()
        if not self._same_connection(connection.identity):
            self._connection_moved()
            return
        if not _sandbox_like(connection) or connection.target is None:
            self._update_helpers()  # production: these calls are never sent
            return
        ticket = self._ticket
        client = self._client(connection)
        user_id = user.user_id

        def act(_token: CancelToken) -> object:
            return call(client(), user_id)

        self.panel.set_actions_enabled(False)
        self.panel.set_busy(busy)
        self._action_job = self.service.start(
            act,
            lambda answer: self._on_helper_done(ticket, answer, done, refused),
            lambda error: self._on_helper_failed(ticket, error),
        )

    def _on_helper_done(self, ticket: int, answer: object, done: str, refused: str) -> None:
        if ticket != self._ticket:
            return
        self._action_job = None
        self._providers_failed = False
        self.panel.set_busy(None)
        if answer is False or (isinstance(answer, DemoConnection) and not answer.success):
            self.panel.show_message(refused, problem=True)
        else:
            self.panel.show_message(done)
        self.panel.set_actions_enabled(True)
        self.refresh_providers()

    def _on_helper_failed(self, ticket: int, error: VitalError) -> None:
        if ticket != self._ticket:
            return
        self._action_job = None
        self._providers_failed = False
        self.panel.set_busy(None)
        self.panel.show_message(error.message, problem=True)
        self.panel.set_actions_enabled(True)
        self.refresh_providers()

    # ------------------------------------------------------------- clearing

    def _on_failure(self, ticket: int, error: VitalError) -> None:
        if ticket != self._ticket:
            return
        self._search_job = None
        self.panel.set_busy(None)
        self.panel.show_message(error.message, problem=True)

    def _same_connection(self, identity: ConnectionIdentity) -> bool:
        return self._identity is None or identity == self._identity

    def _connection_moved(self) -> None:
        self.clear()
        self.panel.show_message(self.tr("The connection changed: find the patient again."))

    @Slot()
    def clear(self) -> None:
        """Forget the chosen patient, the matches and any call in flight; keep the search text."""
        self._reset()
        self.panel.show_message(None)

    def _reset(self) -> None:
        for job in (self._search_job, self._providers_job, self._action_job):
            self._cancel(job)
        self._search_job = self._providers_job = self._action_job = None
        self._ticket += 1
        self._matches = []
        self._missing_id = self._missing_where = None
        self._chosen = None
        self._identity = None
        self._providers = []
        p = self.panel
        p.set_busy(None)
        p.show_matches([])
        p.show_create(None)
        p.hide_patient()
        p.show_helpers(False)

    @staticmethod
    def _cancel(job: Job | None) -> None:
        if job is not None:
            job.cancel()

    def shutdown(self) -> None:
        """Cancel this panel's calls in flight (the service's owner shuts the service down).

        Touches no widget, so it is safe while the window is being torn down.
        """
        for job in (self._search_job, self._providers_job, self._action_job):
            self._cancel(job)
        self._search_job = self._providers_job = self._action_job = None
        self._ticket += 1


# ----------------------------------------------------------------- wording


def _sandbox_like(connection: Connection) -> bool:
    if connection.mode is Mode.DEMO:
        return not connection.production
    info = connection.key_info
    return info is not None and info.environment is Environment.SANDBOX


def local_time(iso_text: str) -> datetime | None:
    """An ISO date-time from the server in this computer's time zone (naive means UTC)."""
    try:
        moment = datetime.fromisoformat(iso_text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def local_date(iso_text: str) -> str:
    """``29 Nov 2026`` in local time, or ``on an unknown date``."""
    moment = local_time(iso_text)
    if moment is None:
        return QCoreApplication.translate("PatientController", "on an unknown date")
    return f"{moment.day} {moment:%b %Y}"


def local_date_time(iso_text: str) -> str:
    """``29 Nov 2026, 14:05`` in local time, or ``at an unknown time``."""
    moment = local_time(iso_text)
    if moment is None:
        return QCoreApplication.translate("PatientController", "at an unknown time")
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _match_row(user: User) -> ListRow:
    """``MRN-0042 · 1b4e28ba…0016d3cca427 · created 29 Nov 2026``."""
    text = QCoreApplication.translate("PatientController", "{id} · {user_id} · created {date}")
    return ListRow(
        text.format(
            id=user.client_user_id,
            user_id=short_user_id(user.user_id),
            date=local_date(user.created_on),
        ),
        user.user_id,
    )


def _provider_row(provider: ConnectedProvider) -> ListRow:
    when = local_date_time(provider.created_on)
    if provider.status == "connected":
        text = QCoreApplication.translate("PatientController", "{provider} · connected {when}")
        return ListRow(text.format(provider=provider.name, when=when), provider.slug)
    from vital_desktop.core.staff_words import connection_error_sentence

    sentence = connection_error_sentence(provider.name, provider.error_type, provider.error_message)
    status = (
        QCoreApplication.translate("PatientController", "connection error")
        if provider.status == "error"
        else provider.status
    )
    text = QCoreApplication.translate(
        "PatientController", "{provider} · {status} (connected {when})\n{sentence}"
    )
    return ListRow(
        text.format(provider=provider.name, status=status, when=when, sentence=sentence),
        provider.slug,
        True,
    )
