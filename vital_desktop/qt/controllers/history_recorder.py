"""What the window tells the history: each hand-off, how it left the desk, how it ended.

The hand-off itself is recorded in the worker that fetched the link, before the link can
reach the screen (``record``): if the app is killed a moment later, the history still has
it. Later facts (copied, opened, connected, expired...) are written on the API service, off
the GUI thread; ``written`` fires on the GUI thread after each, so the history view can
refresh. Without a store (tests, or history turned off) every call does nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.connection import Connection, Mode
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.history import HistoryError, HistoryStore, record_issued
from vital_desktop.core.link_board import IssuedLink
from vital_desktop.qt.service import ApiService


def environment_of(connection: Connection) -> tuple[str, str]:
    """``("sandbox", "us")``, ``("demo", "us")`` or ``("custom", "")`` for the history."""
    if connection.mode is Mode.DEMO:
        return "demo", "us"
    if connection.key_info is not None:
        return connection.key_info.environment.value, connection.key_info.region.value
    return "custom", ""


class HistoryRecorder(QObject):
    """Writes to a ``HistoryStore`` for one window; ``written()`` after each write."""

    written = Signal()

    def __init__(
        self, store: HistoryStore | None, service: ApiService, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._service = service

    def record(
        self, issued: IssuedLink, connection: Connection, client_user_id: str | None
    ) -> int | None:
        """In the worker, before the link is shown: the committed row's id (None: no store).

        A history that cannot be written stops the hand-off: a link the history does not
        know about must not reach a patient.
        """
        if self.store is None:
            return None
        environment, region = environment_of(connection)
        try:
            return record_issued(
                self.store,
                issued,
                environment=environment,
                region=region,
                client_user_id=client_user_id,
                how=("qr_shown",),
            )
        except HistoryError as error:
            raise VitalError(
                ErrorKind.INVALID_INPUT,
                error.message + " The link was not shown; try again.",
                field="history",
            ) from None

    def add_way(self, row: int | None, way: str) -> None:
        """The link also left the desk this way (copied, opened, saved...)."""
        store = self.store
        if store is not None and row is not None:
            self._write(lambda: store.add_way(row, way))

    def set_outcome(self, row: int | None, outcome: str, detail: str | None = None) -> None:
        """How the hand-off ended (connected, error, expired, retired, cancelled)."""
        store = self.store
        if store is not None and row is not None:
            self._write(lambda: store.set_outcome(row, outcome, detail))

    def _write(self, write: object) -> None:
        def run(_token: CancelToken) -> None:
            assert callable(write)
            write()

        # A failed history write is logged by the service; the desk's work goes on.
        self._service.start(run, lambda _result: self.written.emit(), lambda _e: None)
