"""The provider catalogue for the current target: GET /v2/providers once, else bundled."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.providers import ProviderCatalogue, bundled_catalogue
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.service import ApiService, Job
from vital_desktop.qt.widgets.connection_panel import ConnectionState

CatalogueKey = tuple[str, str]  # (base URL, key): a wrong key's 401 must not stick


class CatalogueLoader(QObject):
    """Emits ``loaded(catalogue, from_server)``; asks each target at most once a session."""

    loaded = Signal(object, bool)

    def __init__(
        self,
        calls: ApiService,
        clients: ClientCache,
        delay_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls = calls
        self._clients = clients
        self._cache: dict[CatalogueKey, ProviderCatalogue | None] = {}
        self._pending: ConnectionState | None = None
        self._job: Job | None = None
        self._job_key: CatalogueKey | None = None
        self.current = bundled_catalogue()
        self.from_server = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.on_timer_timeout)

    def connection_changed(self, state: ConnectionState) -> None:
        """Show what is known for ``state`` now; ask the server after typing settles."""
        self._pending = state
        key = self._key(state)
        if key is None or key not in self._cache:
            self._publish(None)
        else:
            self._publish(self._cache[key])
        if key is not None and key not in self._cache and key != self._job_key:
            self._timer.start()

    @staticmethod
    def _key(state: ConnectionState) -> CatalogueKey | None:
        if not state.ready or state.target is None:
            return None
        return (state.target.base_url, state.api_key)

    def _publish(self, catalogue: ProviderCatalogue | None) -> None:
        chosen = catalogue if catalogue is not None else bundled_catalogue()
        from_server = catalogue is not None
        if chosen is self.current and from_server == self.from_server:
            return
        self.current = chosen
        self.from_server = from_server
        self.loaded.emit(chosen, from_server)

    @Slot()
    def on_timer_timeout(self) -> None:
        state = self._pending
        key = self._key(state) if state else None
        if state is None or key is None or key in self._cache or state.target is None:
            return
        if self._job is not None:
            self._job.cancel()
        target, api_key, clients = state.target, state.api_key, self._clients

        def fetch(_token: CancelToken) -> ProviderCatalogue:
            infos = clients.get(api_key, target).providers()
            return bundled_catalogue().merged_with_server(infos)

        self._job_key = key
        self._job = self._calls.start(fetch, self._on_done(key, True), self._on_done(key, False))

    def _on_done(self, key: CatalogueKey, ok: bool) -> Callable[[object], None]:
        def done(outcome: object) -> None:
            self._job = None
            self._job_key = None
            catalogue = outcome if ok and isinstance(outcome, ProviderCatalogue) else None
            if catalogue is not None and len(catalogue) == 0:
                catalogue = None  # an empty list helps nobody; keep the bundled table
            self._cache[key] = catalogue
            if self._pending is not None and self._key(self._pending) == key:
                self._publish(catalogue)

        return done
