"""Watch for the patient's connection to arrive, politely, on the API service.

Webhooks cannot reach a desk, so after a link or code is handed out this asks
GET /v2/user/providers/{user_id} every few seconds. The baseline is taken while the link is
being made (``prepare``), and every answer after the hand-off (``watch``) is compared with
the one before (``core.connection_watch.compare``), so a provider the
patient already had counts when it reconnects. The pace comes from ``PollSchedule``: a few
seconds apart with jitter, slower while the window is not active, backing off after
failures. A failure is reported once, quietly, until a poll works again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.connection_watch import (
    ConnectionSnapshot,
    PollSchedule,
    compare,
    poll_sentence,
)
from vital_desktop.core.environments import ApiTarget
from vital_desktop.core.errors import VitalError
from vital_desktop.core.models import ConnectedProvider
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.service import ApiService, Job


class ConnectionWatcher(QObject):
    """``news(list[ConnectionNews])``, ``trouble(str)`` once per failing spell, ``polled()``."""

    news = Signal(object)
    trouble = Signal(str)
    polled = Signal(object)  # list[ConnectedProvider], after every successful poll

    def __init__(
        self,
        service: ApiService,
        clients: ClientCache,
        window_active: Callable[[], bool],
        schedule: Callable[[], PollSchedule] = PollSchedule,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._clients = clients
        self._window_active = window_active
        self._make_schedule = schedule
        self._schedule = schedule()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._job: Job | None = None
        self._target: tuple[str, ApiTarget, str] | None = None
        self._baseline: ConnectionSnapshot | None = None
        self._since: datetime | None = None
        self._failures = 0
        self._generation = 0
        self._armed = False

    @property
    def watching(self) -> bool:
        return self._target is not None and self._armed

    def prepare(self, api_key: str, target: ApiTarget, user_id: str) -> None:
        """Take the baseline now, while the link is being made: whatever it holds was
        there before the patient could have used the link (it is not on screen yet)."""
        self.stop()
        self._target = (api_key, target, user_id)
        self._schedule = self._make_schedule()
        self._baseline = None
        self._since = None
        self._armed = False
        self._failures = 0
        self._poll()

    def watch(self, since: datetime | None = None) -> None:
        """The link is out: poll until stopped. Without a baseline (its poll failed), the
        first answer is compared by time: a connection made after ``since`` (the link's
        making, on the server's clock) is news."""
        if self._target is None:
            return
        self._armed = True
        self._since = since
        # A failed baseline is not reported (nothing was handed out yet), so it must not
        # count either: otherwise the first failure after the hand-off is the second of
        # the spell and the one trouble sentence is never shown.
        self._failures = 0
        if self._job is None:
            self._next(failed=False)

    def stop(self) -> None:
        """Stop at once; an answer still on its way is dropped."""
        self._generation += 1
        self._timer.stop()
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._target = None
        self._armed = False

    @Slot()
    def on_timer_timeout(self) -> None:
        if self._target is not None and self._job is None:
            self._poll()

    def _poll(self) -> None:
        assert self._target is not None
        api_key, target, user_id = self._target
        clients, generation = self._clients, self._generation

        def poll(_token: CancelToken) -> list[ConnectedProvider]:
            return clients.get(api_key, target).connected_providers(user_id)

        self._job = self._service.start(
            poll,
            lambda result: self._on_polled(generation, result),
            lambda error: self._on_failed(generation, error),
        )

    def _on_polled(self, generation: int, result: object) -> None:
        if generation != self._generation or not isinstance(result, list):
            return
        self._job = None
        self._failures = 0
        providers = [p for p in result if isinstance(p, ConnectedProvider)]
        if self._baseline is not None:
            found = compare(self._baseline, providers)
        elif self._armed and self._since is not None:
            found = compare(ConnectionSnapshot(), providers, since=self._since)
        else:
            found = []
        self._baseline = ConnectionSnapshot.of(providers)
        if found:
            self.news.emit(found)
        self.polled.emit(providers)
        if self._armed:
            self._next(failed=False)

    def _on_failed(self, generation: int, _error: VitalError) -> None:
        if generation != self._generation:
            return
        self._job = None
        self._failures += 1
        if not self._armed:
            return  # the baseline could not be taken; watch() compares by time instead
        if self._failures == 1:  # one quiet line per failing spell, never a stream of them
            self.trouble.emit(poll_sentence(self._failures))
        self._next(failed=True)

    def _next(self, *, failed: bool) -> None:
        if self._target is None:
            return
        delay = self._schedule.next_delay(failed=failed, window_active=self._window_active())
        self._timer.start(max(0, int(delay * 1000)))
