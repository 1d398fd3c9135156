"""Asks for one link at a time, off the GUI thread; a cancelled request's answer is ignored."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.environments import ApiTarget
from vital_desktop.core.errors import VitalError
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.workers import BackgroundCalls, Job


class LinkRequester(QObject):
    """``busy_changed(bool)``, then ``succeeded(LinkSession)`` or ``failed(VitalError)``."""

    busy_changed = Signal(bool)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        calls: BackgroundCalls,
        clients: ClientCache,
        link_ttl: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls = calls
        self._clients = clients
        self.link_ttl = link_ttl
        self._job: Job | None = None
        # Bumped by every request and every cancel: only the newest request may answer.
        self.generation = 0

    @property
    def busy(self) -> bool:
        return self._job is not None

    def request(self, api_key: str, target: ApiTarget, request: LinkTokenRequest) -> None:
        """Start POST /v2/link/token; any request still in flight is cancelled first."""
        self.cancel()
        self.generation += 1
        generation = self.generation
        clients = self._clients

        def create(_token: CancelToken) -> LinkToken:
            # Fetched in the worker: the first use of a target builds its httpx client.
            return clients.get(api_key, target).create_link_token(request)

        def on_success(link: object) -> None:
            if generation != self.generation or not isinstance(link, LinkToken):
                return
            self._finish()
            self.succeeded.emit(LinkSession(request, link, self.link_ttl))

        def on_error(error: VitalError) -> None:
            if generation != self.generation:
                return
            self._finish()
            self.failed.emit(error)

        self._job = self._calls.start(create, on_success, on_error)
        self.busy_changed.emit(True)

    def cancel(self) -> bool:
        """Drop the request in flight; True when there was one."""
        if self._job is None:
            return False
        self._job.cancel()
        self.generation += 1
        self._finish()
        return True

    def _finish(self) -> None:
        self._job = None
        self.busy_changed.emit(False)
