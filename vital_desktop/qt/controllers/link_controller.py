"""The link window's behaviour: collect, ask, show, hand off; the rules come from the core.

Every decision about which link is on screen and whether it may leave the desk is the
``LinkBoard``'s. This controller tells it what happened (a request starts, answers or fails;
the form names another patient or connection; time ran out), renders what it says, and asks
``hand_out`` before every Open, Copy, Copy QR and Save. API calls run on the ``ApiService``;
the QR matrix and its image are made in the same worker that fetched the link, once the
window has painted the click (``after_next_paint``), so the GUI thread only paints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QDesktopServices, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.connection import Connection, Mode
from vital_desktop.core.connection_watch import ConnectionNews, NewsKind, PollSchedule
from vital_desktop.core.environments import API_KEY_VARIABLE, BASE_URL_VARIABLE
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.link_board import (
    Binding,
    Delivery,
    IssuedLink,
    LinkBoard,
    LinkPurpose,
    LinkState,
    Retirement,
)
from vital_desktop.core.link_code import CodeSession
from vital_desktop.core.link_form import (
    CodeRequest,
    LinkForm,
    build_code_request,
    build_request,
    describe_patient,
    describe_providers,
    patient_key,
    wants_code,
)
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.models import LinkToken
from vital_desktop.core.providers import ProviderCatalogue
from vital_desktop.core.qr import qr_fits, qr_matrix
from vital_desktop.core.validation import LinkTokenRequest, user_id_problem
from vital_desktop.qt.catalogue_loader import CatalogueLoader
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.controllers.connection_watcher import ConnectionWatcher
from vital_desktop.qt.controllers.hand_off import HandOff, ask_save_path
from vital_desktop.qt.controllers.history_recorder import HistoryRecorder
from vital_desktop.qt.controllers.patient_controller import (
    Confirm,
    PatientController,
    ask_confirm,
)
from vital_desktop.qt.demo import DemoPractice
from vital_desktop.qt.first_paint import after_first_paint
from vital_desktop.qt.options import AppOptions
from vital_desktop.qt.service import (
    PAINT_WAIT_SECONDS,
    ApiService,
    Job,
    after_next_paint,
    detached,
)
from vital_desktop.qt.views.link_view import LinkView

if TYPE_CHECKING:  # loaded after the first paint, when the keychain is read
    from vital_desktop.core.keystore import KeyStore
    from vital_desktop.qt.controllers.key_controller import KeyController
from vital_desktop.qt.widgets.qr_widget import module_image

log = logging.getLogger(__name__)

HEADLINES = {
    Retirement.OTHER_PATIENT: QT_TRANSLATE_NOOP("LinkController", "Not for this patient"),
    Retirement.OTHER_CONNECTION: QT_TRANSLATE_NOOP("LinkController", "Not for this connection"),
    Retirement.FAILED: QT_TRANSLATE_NOOP("LinkController", "No link: the last request failed"),
    Retirement.EXPIRED: QT_TRANSLATE_NOOP("LinkController", "Link expired"),
}


@dataclass(frozen=True)
class _Answer:
    """What the worker hands back: the session (deadline running) and the code to paint."""

    session: LinkSession | CodeSession
    matrix: list[list[bool]]
    row: int | None = None  # its history row
    image: QImage | None = None  # the matrix one pixel a module (qr_widget.module_image)


class LinkController(QObject):
    """Behaviour of one ``LinkView``. ``link_shown`` / ``request_failed`` for observers."""

    link_shown = Signal(object)  # IssuedLink
    connection_news = Signal(object)  # list[ConnectionNews]
    request_failed = Signal(object)  # VitalError
    busy_changed = Signal(bool)

    def __init__(
        self,
        view: LinkView,
        options: AppOptions,
        *,
        open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl,
        choose_save_path: Callable[[QWidget, str], str] = ask_save_path,
        confirm: Confirm = ask_confirm,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.options = options
        self.service = ApiService(self)
        self.clients = ClientCache(options.client_settings, options.environ)
        self.catalogue = CatalogueLoader(
            self.service, self.clients, options.catalogue_delay_ms, self
        )
        self.demo = DemoPractice(self.service, options.link_ttl, options.environ, self)
        self.board = LinkBoard()
        self.history = HistoryRecorder(options.history, self.service, self)
        self._row: int | None = None  # the history row of the link on the board
        self._rows_in_flight: dict[int, int] = {}  # ticket -> row, written by the worker
        self._client_ids: dict[str, str] = {}  # user_id -> the clinic's id, when looked up
        self.patients = PatientController(
            view.patient_panel, self.service, self.clients, self.connection, confirm=confirm
        )
        self._filling_user_id = False
        self.watcher = ConnectionWatcher(
            self.service,
            self.clients,
            view.isActiveWindow,
            lambda: PollSchedule(base=options.poll_seconds),
            self,
        )
        self.hand_off = HandOff(
            view,
            self.board,
            self.binding,
            self._render,
            open_url=open_url,
            choose_save_path=choose_save_path,
            handed=lambda way: self.history.add_way(self._row, way),
        )
        self._job: Job | None = None
        self._ticket = 0
        self._matrix: list[list[bool]] = []
        self._image: QImage | None = None  # the same code, one pixel a module
        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.setInterval(options.cancel_arm_ms)
        self._arm_timer.timeout.connect(self.on_arm_timer_timeout)
        self._cancel_armed = False
        self._done_headline = self.tr("Connected")
        self._polling_trouble = False
        self.last_error: str | None = None  # for diagnostics
        self._demo_scheduled = False
        self._demo_failed = False
        self._painted = False
        self._wire()
        self._apply_environment()
        # A remembered key (the OS keychain) fills the key field when no VITAL_API_KEY is set;
        # with exactly one stored, the app starts in its environment instead of demo mode.
        # Finding the keychain (keyring's plug-ins, D-Bus) takes 100 ms or more: the default
        # one is opened in a worker after the first paint; a given store is used at once.
        self.keys: KeyController | None = None
        if options.key_store is not None:
            self._start_keys(options.key_store)
        after_first_paint(view, self._on_first_paint)

    # ------------------------------------------------------------------ set-up

    def _wire(self) -> None:
        v = self.view
        v.connection.changed.connect(self.on_connection_changed)
        v.user_id.edit.textChanged.connect(self.on_user_id_text_changed)
        self.catalogue.loaded.connect(self.on_catalogue_loaded)
        v.provider_picker.provider_changed.connect(self.on_provider_or_filter_changed)
        v.filter_checklist.changed.connect(self.on_provider_or_filter_changed)
        v.generate_button.clicked.connect(self.on_generate_button_clicked)
        v.cancel_button.clicked.connect(self.cancel)
        for edit in (v.user_id.edit, v.redirect.edit, v.connection.api_key_edit):
            edit.returnPressed.connect(self.generate)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), v, self.generate)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), v, self.on_escape)
        v.result.regenerate_requested.connect(self.generate)
        v.result.hand_off_requested.connect(self.on_result_hand_off_requested)
        v.result.countdown.expired.connect(self.on_countdown_expired)
        self.patients.patient_chosen.connect(self.on_patients_patient_chosen)
        self.watcher.news.connect(self.on_watcher_news)
        self.watcher.trouble.connect(self.on_watcher_trouble)
        self.watcher.polled.connect(self.on_watcher_polled)
        self.demo.ready.connect(self.on_demo_ready)
        self.demo.failed.connect(self.on_demo_failed)
        v.provider_picker.set_catalogue(self.offered(self.catalogue.current))
        v.filter_checklist.set_catalogue(self.offered(self.catalogue.current))
        v.show_catalogue_source(False)
        self._restore_form()

    def _apply_environment(self) -> None:
        environ = self.options.environ
        key = environ.get(API_KEY_VARIABLE, "").strip()
        base_url = environ.get(BASE_URL_VARIABLE, "").strip()
        if self.options.demo or not key:
            # on_connection_changed schedules the practice server for when the event loop
            # runs, after the first paint.
            self.view.connection.set_mode(Mode.DEMO)
        else:
            if base_url:
                self.view.connection.set_base_url(base_url)
            self.view.connection.set_api_key(key)
        self.view.connection.refresh()

    @Slot()
    def _on_first_paint(self) -> None:
        """The window is on screen: now the keychain, then (if still wanted) the demo."""
        self._painted = True
        if self.keys is None:
            from vital_desktop.core.keystore import KeyStore

            self.service.start(
                lambda _token: KeyStore(),
                self._on_key_store,
                lambda _error: self._on_key_store(None),
            )
        elif self._demo_scheduled:
            self.start_demo()

    def _on_key_store(self, store: object) -> None:
        from vital_desktop.core.keystore import KeyStore

        self._start_keys(store if isinstance(store, KeyStore) else KeyStore())
        if self._demo_scheduled:
            self.start_demo()

    def _start_keys(self, store: KeyStore) -> None:
        from vital_desktop.qt.controllers.key_controller import KeyController

        self.keys = KeyController(self.view.connection, store, self.options.environ, self)
        self.keys.trouble.connect(self.view.message_area.show_note)
        self.keys.start(pick_stored=not self.options.demo)

    # -------------------------------------------------------------------- demo

    @Slot()
    def start_demo(self) -> None:
        """Start the practice server (once) and point the demo connection at it."""
        self._demo_scheduled = False
        if self.view.connection.mode() is not Mode.DEMO:
            return  # a remembered key took over before the practice server was needed
        if self.demo.server is None:
            self.demo.start()
        if self.demo.server is not None:
            self.view.connection.set_demo_target(self.demo.target, self.demo.api_key, None)

    @Slot(str)
    def on_demo_ready(self, user_id: str) -> None:
        if not self.view.user_id.text().strip():
            self.view.user_id.edit.setText(user_id)
        self.view.show_notice(self.tr("Demo patient created on the practice server."))

    @Slot(object)
    def on_demo_failed(self, error: VitalError) -> None:
        self._demo_failed = True  # not retried until the desk picks Demo again
        self.view.connection.set_demo_target(None, "", error)
        self.view.message_area.show_error(error)

    # -------------------------------------------------------------- form state

    def connection(self) -> Connection:
        return self.view.connection.state()

    def binding(self) -> Binding:
        """Who and where the form names now."""
        patient = patient_key(self.view.user_id.text())
        return Binding(patient, self.connection().identity)

    def form(self) -> LinkForm:
        picker = self.view.provider_picker
        return LinkForm(
            user_id_text=self.view.user_id.text(),
            provider_slug=picker.selected_slug(),
            provider_problem=picker.typed_problem(),
            filter_slugs=tuple(self.view.filter_checklist.checked_slugs()),
            redirect_text=self.view.redirect.text(),
        )

    @Slot()
    def on_connection_changed(self) -> None:
        state = self.connection()
        self.view.set_accent(self.view.banner.show_state(state).accent)
        if state.mode is not Mode.DEMO:
            self._demo_failed = False
        elif self.demo.server is None and not (self._demo_scheduled or self._demo_failed):
            self._demo_scheduled = True
            # After the first paint and once the keychain has been read (a remembered key
            # may take over): the practice server is never part of the start-up.
            if self._painted and self.keys is not None:
                QTimer.singleShot(0, self.start_demo)
        self.catalogue.connection_changed(state)
        self.patients.connection_changed()
        self._form_moved()
        self._update_generate_enabled()

    @Slot(str, str)
    def on_patients_patient_chosen(self, user_id: str, client_user_id: str) -> None:
        """A patient found or created: the form's user ID becomes theirs."""
        if client_user_id:
            self._client_ids[user_id] = client_user_id
        self._filling_user_id = True
        try:
            self.view.user_id.edit.setText(user_id)
        finally:
            self._filling_user_id = False
        self.view.user_id.edit.setFocus()

    @Slot(str)
    def on_user_id_text_changed(self, text: str) -> None:
        chosen = self.patients.chosen
        if not self._filling_user_id and chosen is not None:
            if patient_key(text) != patient_key(chosen.user_id):
                self.patients.clear()  # typed by hand: the details shown are someone else's
        self._form_moved()
        self._update_regenerate_text()

    def _form_moved(self) -> None:
        """The patient or connection may have changed: retire and cancel what no longer fits."""
        now = self.binding()
        if self.board.pending_moved_on(now):
            self._drop_request()
            self.view.show_notice(self.tr("Request cancelled: the patient or connection changed."))
        if self.board.rebind(now):
            self._render()

    @Slot(object, bool)
    def on_catalogue_loaded(self, catalogue: ProviderCatalogue, from_server: bool) -> None:
        self.view.provider_picker.set_catalogue(self.offered(catalogue))
        self.view.filter_checklist.set_catalogue(self.offered(catalogue))
        self.view.show_catalogue_source(from_server)

    # ------------------------------------------------------------- settings

    def setting(self, name: str) -> object:
        """A setting's value under the clinic's policy (None without preferences)."""
        prefs = self.options.preferences
        return prefs.value(name) if prefs is not None else None

    def offered(self, catalogue: ProviderCatalogue) -> ProviderCatalogue:
        """The catalogue less the providers the clinic does not allow (none: all)."""
        allowed = self.setting("allowed_providers")
        if not isinstance(allowed, tuple) or not allowed:
            return catalogue
        return ProviderCatalogue(p for p in catalogue if p.slug in allowed)

    def _own_oauth_apps(self) -> frozenset[str]:
        apps = self.setting("own_oauth_apps")
        return frozenset(apps) if isinstance(apps, tuple) else self.options.own_oauth_apps

    def _restore_form(self) -> None:
        """The default redirect, and the provider and filter used last time."""
        redirect = self.setting("default_redirect_url")
        if isinstance(redirect, str) and redirect and not self.view.redirect.text():
            self.view.redirect.edit.setText(redirect)
        provider = self.setting("last_provider")
        if isinstance(provider, str) and provider:
            self.view.provider_picker.select_slug(provider)
        chosen = self.setting("last_filter")
        if isinstance(chosen, tuple) and chosen:
            self.view.filter_checklist.set_checked(set(chosen))

    def _remember_form(self, request: LinkTokenRequest | CodeRequest) -> None:
        prefs = self.options.preferences
        if prefs is None:
            return
        provider = request.provider or ""
        chosen = () if isinstance(request, CodeRequest) else request.filter_on_providers or ()
        for name, value in (("last_provider", provider), ("last_filter", tuple(chosen))):
            try:
                prefs.set(name, value)
            except (ValueError, PermissionError):
                pass  # fixed by the clinic or refused: the form simply starts as it was

    def apply_preferences(self, names: list[str]) -> None:
        """Settings changed in the Preferences dialog take effect now."""
        prefs = self.options.preferences
        if prefs is None or not names:
            return
        ttl = prefs.value("link_ttl_minutes")
        poll = prefs.value("poll_seconds")
        self.options = replace(
            self.options,
            link_ttl=float(ttl) * 60 if isinstance(ttl, int | float) else self.options.link_ttl,
            poll_seconds=float(poll)
            if isinstance(poll, int | float)
            else self.options.poll_seconds,
        )
        if "ca_bundle" in names:
            bundle = str(prefs.value("ca_bundle") or "") or None
            settings = replace(self.options.client_settings, ca_bundle=bundle)
            self.options = replace(self.options, client_settings=settings)
            self.clients.replace_settings(settings)
        if "allowed_providers" in names:
            self.on_catalogue_loaded(self.catalogue.current, self.catalogue.from_server)
        self.on_provider_or_filter_changed()

    @Slot()
    def on_provider_or_filter_changed(self) -> None:
        self.view.set_code_route(wants_code(self.form(), self.offered(self.catalogue.current)))
        self.view.show_provider_warning(self._provider_warning())

    def _provider_warning(self) -> str | None:
        """Warnings shown before a link is made: a provider the filter leaves out, and
        providers that fail without the clinic's own OAuth app or are shutting down."""
        picker = self.view.provider_picker
        slug = picker.selected_slug()
        chosen = self.view.filter_checklist.checked_slugs()
        warnings: list[str] = []
        if slug and chosen and slug not in chosen:
            provider = picker.selected_provider()
            name = provider.display_name if provider else slug
            warnings.append(
                self.tr(
                    "{name} is not among the providers ticked under Only offer. Tick it, "
                    "or choose Any provider, so the patient is not sent to a provider the "
                    "list leaves out."
                ).format(name=name)
            )
        catalogue = self.catalogue.current
        for each in dict.fromkeys([slug, *chosen] if slug else chosen):
            provider = catalogue.get(each) if each else None
            warning = provider.link_warning(self._own_oauth_apps()) if provider else None
            if warning:
                warnings.append(warning)
        return "\n".join(f"⚠ {text}" for text in warnings) or None

    def _update_generate_enabled(self) -> None:
        if self.busy:
            self.view.set_generate_blocked(None)
            return
        state = self.connection()
        self.view.set_generate_blocked(state.problem.message if state.problem else None)

    # ---------------------------------------------------------------- generate

    @property
    def busy(self) -> bool:
        """True while a link request is in flight."""
        return self._job is not None

    @Slot()
    def on_generate_button_clicked(self) -> None:
        # A second click of a double-click lands here while busy: it must neither send
        # again nor cancel. Only once the button has said "Cancel" for a moment does a
        # click cancel.
        if self.busy:
            if self._cancel_armed:
                self.cancel()
            return
        self.generate()

    @Slot()
    def generate(self) -> None:
        """Validate the form as it is now, then ask for one link in the background."""
        if self.busy:
            return
        state = self.connection()
        if state.problem is not None or state.target is None:
            if state.problem is not None:
                self.show_error(state.problem)
            return
        catalogue = self.offered(self.catalogue.current)
        form = self.form()
        request: LinkTokenRequest | CodeRequest
        try:
            if wants_code(form, catalogue):
                request = build_code_request(form, catalogue, self.view.code_lifetime_seconds())
            else:
                request = build_request(form, catalogue)
        except VitalError as error:
            self.show_error(detached(error))
            return
        purpose = LinkPurpose(
            Binding(patient_key(request.user_id), state.identity),
            request,
            describe_patient(request.user_id, self._client_ids.get(request.user_id)),
            describe_providers(request, catalogue),
            state.label,
        )
        self._remember_form(request)
        self._send(state, purpose)

    def _send(self, state: Connection, purpose: LinkPurpose) -> None:
        assert state.target is not None
        ticket = self.board.begin(purpose)
        self._ticket = ticket
        clients, api_key, target = self.clients, state.api_key, state.target
        request, ttl = purpose.request, self.options.link_ttl
        history, rows = self.history, self._rows_in_flight
        client_id = self._client_ids.get(request.user_id)
        # Encoding the code is 10-30 ms of pure Python: it waits until the window has painted
        # its busy state, or the GUI thread would wait for the GIL all through that paint.
        painted = after_next_paint(self.view)

        def create(token: CancelToken) -> _Answer:
            client = clients.get(api_key, target)
            session: LinkSession | CodeSession
            if isinstance(request, CodeRequest):
                until = datetime.now(UTC) + timedelta(seconds=request.lifetime)
                code = client.create_link_code(request.user_id, expires_at=until)
                session = CodeSession.issue(request.user_id, code)
                text = code.exchange_url
            else:
                link = client.create_link_token(request)
                session = _issue(request, link, ttl)
                text = link.link_web_url
            forget = token.on_cancel(painted.set)
            try:
                painted.wait(PAINT_WAIT_SECONDS)
            finally:
                forget()
            matrix = _matrix_for(text)
            image = module_image(matrix)  # a QImage may be made on any thread
            # Committed before the link can reach the screen.
            row = history.record(IssuedLink(purpose, session), state, client_id)
            if row is not None:
                rows[ticket] = row
                if token.cancelled:
                    history.set_outcome(row, "cancelled")
            return _Answer(session, matrix, row, image)

        self.view.message_area.dismiss()
        self.view.clear_notice()
        # The connection baseline is taken alongside the request, not after it: no delay
        # for the link, and nothing in it can be the patient using this link.
        self.watcher.prepare(api_key, target, request.user_id)
        self._job = self.service.start(
            create,
            lambda answer: self._on_answer(ticket, answer),
            lambda error: self._on_failure(ticket, error),
        )
        self._set_busy(True)

    def _on_answer(self, ticket: int, answer: object) -> None:
        if ticket != self._ticket or not isinstance(answer, _Answer):
            return
        self._job = None
        self._set_busy(False)
        self._rows_in_flight.pop(ticket, None)
        delivery = self.board.deliver(ticket, answer.session, self.binding())
        if delivery is not Delivery.SHOWN:
            self.history.set_outcome(answer.row, "retired", "the form changed before it was shown")
        if delivery is Delivery.SHOWN:
            self._row = answer.row
            self._matrix = answer.matrix
            self._image = answer.image
            self._render()
            issued = self.board.current
            if issued is not None:
                self._watch(issued)
                self.link_shown.emit(issued)
        elif delivery is Delivery.MOVED_ON:
            self.watcher.stop()
            self._render()
            self.view.message_area.show_note(
                self.tr(
                    "The patient or connection changed while the link was being made, so it "
                    "was not shown. Press Generate link for the patient in the form."
                )
            )

    def _on_failure(self, ticket: int, error: VitalError) -> None:
        if ticket != self._ticket:
            return
        self._job = None
        self._set_busy(False)
        self.watcher.stop()
        if self.board.fail(ticket):
            self._render()
        self.show_error(error)
        self.request_failed.emit(error)

    @Slot()
    def cancel(self) -> None:
        """Cancel the request in flight (its connection is closed at once)."""
        if self._drop_request():
            self.view.show_notice(self.tr("Request cancelled."))

    def _drop_request(self) -> bool:
        if self._job is None:
            return False
        self._job.cancel()
        self.watcher.stop()
        self.history.set_outcome(self._rows_in_flight.pop(self._ticket, None), "cancelled")
        self.board.abandon(self._ticket)
        self._ticket = -1
        self._job = None
        self._set_busy(False)
        self._resume_watch()
        return True

    def _resume_watch(self) -> None:
        """Back to watching the link still on screen (a newer request was dropped)."""
        issued, state = self.board.current, self.connection()
        if self.board.state is LinkState.READY and issued is not None and state.target:
            self.watcher.prepare(state.api_key, state.target, issued.purpose.user_id)
            self.watcher.watch(since=_made_at(issued))

    def _set_busy(self, busy: bool) -> None:
        self._cancel_armed = False
        self.view.set_busy(busy)
        if busy:
            self._arm_timer.start()
        else:
            self._arm_timer.stop()
        self._update_generate_enabled()
        self.busy_changed.emit(busy)

    @Slot()
    def on_arm_timer_timeout(self) -> None:
        if self.busy:
            self._cancel_armed = True
            self.view.arm_cancel()

    @Slot()
    def on_escape(self) -> None:
        if self.busy:
            self.cancel()
        elif not self.view.message_area.isHidden():
            self.view.message_area.dismiss()

    # ------------------------------------------------------------------ render

    def _render(self) -> None:
        """Show what the board says; the status line is cleared so it cannot contradict."""
        result = self.view.result
        board = self.board
        self.view.clear_notice()
        if board.state is not LinkState.READY:
            self.watcher.stop()
        if board.state is LinkState.EMPTY or board.current is None:
            result.show_empty()
        elif board.state is LinkState.READY:
            result.show_ready(board.current, self._matrix, self._image)
            self.view.show_notice(
                self.tr("Code ready. It works once.")
                if board.current.code
                else self.tr("Link ready. It works once.")
            )
        elif board.state is LinkState.DONE:
            result.show_done(
                self._done_headline, self.tr("The connection arrived; this link is used up.")
            )
        else:
            why = board.retirement or Retirement.EXPIRED
            self._matrix = []
            self._image = None
            if why is Retirement.EXPIRED:
                self._settle("expired")
            else:
                self._settle("retired", why.name.lower())
            result.show_retired(board.current, why.value, self.tr(HEADLINES[why]))
            if why is Retirement.EXPIRED:
                result.set_connection_status(
                    self.tr(
                        "The link expired without a connection. Generate a new one for the same "
                        "patient with the button below."
                    ),
                    "problem",
                )
                result.regenerate_button.setFocus()
            else:
                result.set_connection_status("")
        self._update_regenerate_text()

    # ------------------------------------------------------------ connection

    def _settle(self, outcome: str, detail: str | None = None) -> None:
        """Write how the link on the board ended, once."""
        row, self._row = self._row, None
        self.history.set_outcome(row, outcome, detail)

    def _watch(self, issued: IssuedLink) -> None:
        self._done_headline = self.tr("Connected")
        self.view.result.set_connection_status(self.tr("Waiting for the patient to connect…"))
        self.watcher.watch(since=_made_at(issued))

    @Slot(object)
    def on_watcher_news(self, news: list[ConnectionNews]) -> None:
        arrived = [n for n in news if n.kind in (NewsKind.CONNECTED, NewsKind.RECONNECTED)]
        for item in news:
            if item.kind is NewsKind.ERROR:
                from vital_desktop.core.staff_words import connection_error_sentence

                provider = item.provider
                self.history.set_outcome(self._row, "error", provider.error_type or "unknown")
                self.view.result.set_connection_status(
                    connection_error_sentence(
                        provider.name, provider.error_type, provider.error_message
                    ),
                    "problem",
                )
        self.connection_news.emit(news)
        self.patients.refresh_providers()
        if not arrived:
            return
        provider = arrived[0].provider
        when = _local_time(provider.created_on)
        if arrived[0].kind is NewsKind.RECONNECTED:
            if when:
                template = self.tr("{provider} connected again at {time}.")
            else:
                template = self.tr("{provider} connected again.")
        elif when:
            template = self.tr("{provider} connected at {time}.")
        else:
            template = self.tr("{provider} connected.")
        text = template.format(provider=provider.name, time=when)
        self._done_headline = text.rstrip(".")
        self._settle("connected", f"{provider.name} {provider.created_on}".strip())
        if self.board.mark_done():
            self._render()
        self.view.result.set_connection_status(text, "ok")

    @Slot(str)
    def on_watcher_trouble(self, sentence: str) -> None:
        self._polling_trouble = True
        self.view.result.set_connection_status(sentence)

    @Slot(object)
    def on_watcher_polled(self, _providers: object) -> None:
        if self._polling_trouble and self.board.state is LinkState.READY:
            self._polling_trouble = False
            self.view.result.set_connection_status(self.tr("Waiting for the patient to connect…"))

    def _update_regenerate_text(self) -> None:
        text = self.view.user_id.text()
        if user_id_problem(text) is None:
            who = describe_patient(patient_key(text))
            self.view.result.set_regenerate_text(
                self.tr("Generate a &new link for {patient}").format(patient=who)
            )
        else:
            self.view.result.set_regenerate_text(self.tr("Generate a &new link"))

    @Slot()
    def on_countdown_expired(self) -> None:
        if self.board.check_expiry():
            self._render()

    @Slot(str)
    def on_result_hand_off_requested(self, kind: str) -> None:
        self.hand_off(kind)

    # ------------------------------------------------------------------ errors

    def show_error(self, error: VitalError) -> None:
        """The sentence in the message area; a field at fault is highlighted and focused."""
        v = self.view
        self.last_error = f"{error.message}\n{error.detail}"
        v.message_area.show_error(error)
        field = {"user_id": v.user_id, "redirect_url": v.redirect}.get(error.field or "")
        if field is not None:
            field.flag(error.message)
            field.edit.setFocus()
        elif error.field == "provider":
            v.provider_picker.setFocus()
        elif error.field == "filter_on_providers":
            v.filter_checklist.list.setFocus()
        elif error.field in ("api_key", "base_url"):
            panel = v.connection
            widget = panel.api_key_edit if error.field == "api_key" else panel.base_url_edit
            if widget.isEnabled():
                widget.setFocus()

    # ----------------------------------------------------------------- closing

    def shutdown(self) -> None:
        """Cancel work in flight (sockets close at once) and stop the practice server."""
        self._drop_request()
        self.watcher.stop()
        self.patients.shutdown()
        self.service.shutdown()
        self.view.result.countdown.stop()
        self.demo.stop()
        self.clients.close_all()


def _issue(request: LinkTokenRequest, link: LinkToken, ttl: float) -> LinkSession:
    """The session with its honest deadline, started when the answer arrived."""
    return LinkSession.issue(request, link, ttl)


def _matrix_for(text: str) -> list[list[bool]]:
    """The QR matrix, made in the worker (the GUI thread only paints it)."""
    if not qr_fits(text):
        raise VitalError(
            ErrorKind.BAD_RESPONSE,
            QCoreApplication.translate(
                "LinkController",
                "Vital sent a link too long to show as a QR code, so it was not shown. Try "
                "again; if it keeps happening, send the details to support.",
            ),
            server_message=f"the link is {len(text)} characters",
        )
    return qr_matrix(text)


def _made_at(issued: IssuedLink) -> datetime:
    """When the server made the link or code, on its own clock (its Date header)."""
    session = issued.session
    reply = session.code if isinstance(session, CodeSession) else session.link
    stamp = reply.server_date
    # A Date header has whole seconds (rounded down): the link was made in that second or
    # the next one, so a connection dated that second counts as news.
    return datetime.fromtimestamp(stamp, UTC) if stamp is not None else datetime.now(UTC)


def _local_time(iso: str) -> str:
    """``"14:02"`` in the desk's time zone, or "" for a timestamp that does not parse."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%H:%M")
