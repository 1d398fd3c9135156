"""Cancelling a call from another thread: the token, and the call it belongs to.

A ``CancelToken`` is shared by whoever may cancel (the GUI, Ctrl+C) and the thread running
the call. ``cancel()`` wakes a retry wait at once and runs every registered closer, so a
socket blocked in ``recv`` is shut down and the worker returns within moments instead of
waiting out a read timeout. The client finds the token of the call its thread is running
through ``current_token()``; ``running(token)`` sets it for the duration of a call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Cancelled(Exception):
    """Raised inside a call when its token was cancelled."""


class CancelToken:
    """Set once by ``cancel()``; observed by ``sleep()``, ``check()`` and the closers."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closers: dict[int, Callable[[], None]] = {}
        self._next = 0

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"

    def cancel(self) -> None:
        """Cancel the call: wake its waits and close what it registered (idempotent)."""
        with self._lock:
            self._event.set()
            closers, self._closers = list(self._closers.values()), {}
        for close in closers:
            try:
                close()
            except OSError:
                pass  # already closed: the point was to stop it, and it is stopped

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or raise ``Cancelled`` as soon as the call is cancelled."""
        if self._event.wait(max(0.0, seconds)):
            raise Cancelled

    def check(self) -> None:
        """Raise ``Cancelled`` if the call was cancelled."""
        if self._event.is_set():
            raise Cancelled

    def on_cancel(self, close: Callable[[], None]) -> Callable[[], None]:
        """Run ``close`` when the call is cancelled (at once if it already was).

        Returns a function that unregisters ``close``; call it once the resource is closed
        in the ordinary way.
        """
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._closers[key] = close

                def forget() -> None:
                    with self._lock:
                        self._closers.pop(key, None)

                return forget
        try:
            close()
        except OSError:
            pass
        return lambda: None


_current = threading.local()


def current_token() -> CancelToken | None:
    """The token of the call this thread is running, or None."""
    token = getattr(_current, "token", None)
    return token if isinstance(token, CancelToken) else None


@contextmanager
def running(token: CancelToken | None) -> Iterator[CancelToken | None]:
    """Make ``token`` this thread's current token for the ``with`` block."""
    previous = current_token()
    _current.token = token
    try:
        yield token
    finally:
        _current.token = previous


def interruptible_sleep(seconds: float) -> None:
    """A retry wait that the current call's ``cancel()`` cuts short (raises ``Cancelled``)."""
    token = current_token()
    if token is None:
        threading.Event().wait(max(0.0, seconds))
    else:
        token.sleep(seconds)
