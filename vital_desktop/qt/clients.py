"""One ``VitalClient`` per key and target for the whole session, shared by the workers.

Building an httpx client loads the certificate store while holding the GIL (15-30 ms), a
visible hitch for the GUI thread if it happened on every click; built once, it happens at
most once per target, and its connection pool is reused.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from vital_desktop.core.cancel import interruptible_sleep
from vital_desktop.core.client_settings import ClientSettings
from vital_desktop.core.environments import ApiTarget

if TYPE_CHECKING:  # httpx comes with it: imported by the first worker that asks, not at start
    from vital_desktop.core.client import VitalClient


class ClientCache:
    """Thread-safe: ``get`` from any worker; ``close_all`` when the window closes."""

    def __init__(self, settings: ClientSettings, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self._environ = environ  # proxy and CA settings; None means the process's own
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, ApiTarget], VitalClient] = {}

    def get(self, api_key: str, target: ApiTarget) -> VitalClient:
        """The client for this key and target; raises VitalError for a bad key."""
        with self._lock:
            client = self._clients.get((api_key, target))
            if client is None:
                from vital_desktop.core.client import VitalClient

                client = VitalClient(
                    api_key,
                    target,
                    self.settings,
                    sleep=interruptible_sleep,
                    environ=self._environ,
                )
                self._clients[(api_key, target)] = client
            return client

    def replace_settings(self, settings: ClientSettings) -> None:
        """Use ``settings`` for clients built from now on (the old ones are closed)."""
        self.settings = settings
        self.close_all()

    def close_all(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
