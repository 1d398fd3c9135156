"""What the stand-in received, for tests to inspect. The API key's value is never kept."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from vital_desktop.sandbox.messages import Request

_SECRET_HEADERS = ("x-vital-api-key", "x-vital-link-token", "authorization")


@dataclass(frozen=True)
class LoggedRequest:
    """One request: the JSON body when it parsed, else its text, else None."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    header_names: tuple[str, ...]
    at: float

    @classmethod
    def from_request(cls, request: Request) -> LoggedRequest:
        """Record ``request`` with any secret header value scrubbed from body and query."""
        secrets = [v for k, v in request.headers.items() if k in _SECRET_HEADERS and v]

        def scrub(text: str) -> str:
            for secret in secrets:
                text = text.replace(secret, "[redacted]")
            return text

        raw = scrub(request.body.decode("utf-8", "replace"))
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, RecursionError):
                body = raw
        return cls(
            request.method,
            request.path,
            {k: scrub(v[0]) for k, v in request.query.items() if v},
            body,
            tuple(request.headers),
            time.time(),
        )


class RequestLog(Sequence[LoggedRequest]):
    """A thread-safe, list-like record of requests, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[LoggedRequest] = []

    def append(self, item: LoggedRequest) -> None:
        """Add one request."""
        with self._lock:
            self._items.append(item)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[LoggedRequest]:
        """A copy that later requests do not change."""
        with self._lock:
            return list(self._items)

    def matching(self, method: str, path: str) -> list[LoggedRequest]:
        """Requests with this method and exact path."""
        return [r for r in self.snapshot() if r.method == method and r.path == path]

    @overload
    def __getitem__(self, index: int) -> LoggedRequest: ...

    @overload
    def __getitem__(self, index: slice) -> list[LoggedRequest]: ...

    def __getitem__(self, index: int | slice) -> LoggedRequest | list[LoggedRequest]:
        with self._lock:
            return self._items[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())
