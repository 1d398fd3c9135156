"""Demo mode: the local API stand-in, started in this process, with a practice patient."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.environments import ApiTarget, custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.qt.service import ApiService

if TYPE_CHECKING:
    from vital_desktop.sandbox import SandboxServer

log = logging.getLogger(__name__)

DEMO_CLIENT_USER_ID = "demo-patient"


class DemoPractice(QObject):
    """Starts a ``SandboxServer`` on a free loopback port and creates a demo patient.

    ``ready(user_id)`` or ``failed(VitalError)`` follows ``start()``; the patient is
    created in a worker so the window paints at once.
    """

    ready = Signal(str)
    failed = Signal(object)

    def __init__(
        self,
        calls: ApiService,
        link_ttl: float,
        environ: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._environ = environ
        self._calls = calls
        self._link_ttl = link_ttl
        self.server: SandboxServer | None = None
        self.user_id: str | None = None

    @property
    def target(self) -> ApiTarget | None:
        return custom_target(self.server.base_url) if self.server is not None else None

    @property
    def api_key(self) -> str:
        return self.server.demo_key if self.server is not None else ""

    def start(self) -> None:
        if self.server is not None:
            return
        try:
            from vital_desktop.sandbox import FaultPlan, SandboxServer

            server = SandboxServer(
                host="127.0.0.1",
                port=0,
                link_ttl=self._link_ttl,
                faults=FaultPlan.from_env(self._environ),
            )
            server.start()
        except Exception as exc:  # an OSError from bind, or a missing optional piece
            log.warning("demo server did not start: %s", exc)
            self.failed.emit(
                VitalError(
                    ErrorKind.CANNOT_CONNECT,
                    QCoreApplication.translate(
                        "DemoPractice",
                        "Demo mode could not start its practice server on this computer. "
                        "Paste a team API key to use Vital instead.",
                    ),
                    server_message=f"{type(exc).__name__}: {exc}"[:300],
                )
            )
            return
        self.server = server

        def create_patient(_token: CancelToken) -> str:
            record = server.state.create_user(DEMO_CLIENT_USER_ID)
            return str(record["user_id"])

        self._calls.start(create_patient, self._on_patient, self.failed.emit)

    def _on_patient(self, user_id: object) -> None:
        self.user_id = str(user_id)
        self.ready.emit(self.user_id)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
