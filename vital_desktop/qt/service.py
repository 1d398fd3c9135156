"""Run core calls off the GUI thread and hand their outcome back to it as signals.

Every call gets a ``CancelToken``. Cancelling drops the call's outcome (the GUI never sees a
late result) and wakes any retry wait at once; an HTTP exchange already in flight cannot be
interrupted, so it runs on in its worker until the client's read timeout and is then
discarded.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from vital_desktop.core.cancel import Cancelled, CancelToken, running
from vital_desktop.core.errors import ErrorKind, VitalError

log = logging.getLogger(__name__)


def detached(error: VitalError) -> VitalError:
    """``error`` without traceback or chained exceptions, safe to keep or pass between threads.

    A kept traceback holds its frames, and they hold widgets in a cycle that only the garbage
    collector breaks, perhaps on a worker thread, where Qt objects must not be destroyed.
    """
    error.__traceback__ = None
    error.__context__ = None
    error.__cause__ = None
    return error


def unexpected_error(exc: BaseException) -> VitalError:
    """A bug, not a user mistake: a plain sentence, the exception name in the details."""
    return VitalError(
        ErrorKind.BAD_RESPONSE,
        "Something unexpected stopped the app from finishing this. Try again; if it keeps "
        "happening, send the details to support.",
        server_message=f"{type(exc).__name__}: {exc}"[:300],
    )


@dataclass
class Job:
    """One call in flight. ``cancel()`` from the GUI thread; its callbacks never run then."""

    job_id: int
    token: CancelToken
    on_success: Callable[[Any], None]
    on_error: Callable[[VitalError], None]

    def cancel(self) -> None:
        self.token.cancel()


class BackgroundCalls(QObject):
    """Runs each call on a daemon thread; outcomes arrive on the GUI thread via ``finished``.

    Daemon threads, not a QThreadPool: a pool waits for its workers when it is destroyed, so
    quitting while a slow server holds a request open would freeze the app until the
    client's read timeout. A daemon thread is simply abandoned at exit.
    """

    # job id, result, error: emitted from a worker, delivered queued to this GUI-thread object
    finished = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self.finished.connect(self._on_finished)

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        on_success: Callable[[Any], None],
        on_error: Callable[[VitalError], None],
    ) -> Job:
        """Run ``fn(token)`` in a worker; exactly one callback runs later unless cancelled."""
        job = Job(next(self._ids), CancelToken(), on_success, on_error)
        self._jobs[job.job_id] = job
        thread = threading.Thread(
            target=self._run,
            args=(job.job_id, fn, job.token),
            name=f"vital-call-{job.job_id}",
            daemon=True,
        )
        with self._lock:
            self._threads.add(thread)
        thread.start()
        return job

    def _run(self, job_id: int, fn: Callable[[CancelToken], Any], token: CancelToken) -> None:
        outcome: tuple[object, object]
        try:
            with running(token):
                outcome = (fn(token), None)
        except Cancelled:
            outcome = (None, None)
        except VitalError as exc:
            outcome = (None, detached(exc))
        except Exception as exc:
            log.exception("background call failed")
            outcome = (None, unexpected_error(exc))
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())
        try:
            self.finished.emit(job_id, *outcome)
        except RuntimeError:
            pass  # the window is gone (the app is closing): nobody is waiting for this

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.cancel()

    def active_count(self) -> int:
        """Workers still running, cancelled ones included."""
        with self._lock:
            return len(self._threads)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Join the workers (for tests and benchmarks); False if any outlives ``msecs``."""
        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return self.active_count() == 0

    @Slot(int, object, object)
    def _on_finished(self, job_id: int, result: object, error: object) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None or job.token.cancelled:
            return
        if isinstance(error, VitalError):
            job.on_error(error)
        else:
            job.on_success(result)
