"""The API service: every call the window makes runs here, off the GUI thread.

One bounded pool of daemon worker threads takes calls from a queue; each call gets a
``CancelToken`` and runs with it as the thread's current token, so the client registers the
socket of the exchange in flight and ``cancel()`` shuts it down at once: the worker returns
within moments and the server sees the connection closed. The client's own overall deadline
bounds every exchange, so no worker is held by a trickling server for longer than that.
The outcome comes back to the GUI thread as a queued signal, and a cancelled call's outcome
is dropped, so the window never sees a late answer.

Daemon threads, not a QThreadPool or ThreadPoolExecutor: both join their workers at exit,
so quitting while a request is open would freeze the app. A worker exits when the queue is
empty; an idle service holds no threads.

Workers run Python next to the GUI thread, and CPython hands the GIL to a thread that asks
for it only every switch interval (5 ms by default): every slot, timer and paint override of
the GUI thread would wait that long while a worker computes. The service shortens it to
``SWITCH_INTERVAL``. A worker that has CPU-heavy Python to do right after a click (encoding a
QR code) also waits, briefly, for ``after_next_paint``: the GIL and the CPU are then the GUI
thread's while it lays out and paints what the click changed.
"""

from __future__ import annotations

import collections
import itertools
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from vital_desktop.core.cancel import Cancelled, CancelToken, running
from vital_desktop.core.errors import ErrorKind, VitalError

log = logging.getLogger(__name__)

MAX_WORKERS = 4  # a link, a lookup, a poll and the catalogue may overlap; never more
# How long a worker holds back for the window's next paint (``after_next_paint``) at most:
# a window that never paints (hidden, or a platform that skips it) only delays the work.
PAINT_WAIT_SECONDS = 0.1
# The longest the GUI thread waits for the GIL while a worker runs Python (CPython's default
# is 5 ms; a frame is 16).
SWITCH_INTERVAL = 0.001


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
        QCoreApplication.translate(
            "Service",
            "Something unexpected stopped the app from finishing this. Try again; if it keeps "
            "happening, send the details to support.",
        ),
        server_message=f"{type(exc).__name__}: {exc}"[:300],
    )


@dataclass
class Job:
    """One call. ``cancel()`` from the GUI thread; its callbacks never run then."""

    job_id: int
    fn: Callable[[CancelToken], Any] = field(repr=False)
    on_success: Callable[[Any], None] = field(repr=False)
    on_error: Callable[[VitalError], None] = field(repr=False)
    token: CancelToken = field(default_factory=CancelToken)

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


class ApiService(QObject):
    """Runs calls on at most ``max_workers`` daemon threads; outcomes arrive on the GUI thread."""

    # job id, result, error: emitted from a worker, delivered queued to this GUI-thread object
    finished = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None, max_workers: int = MAX_WORKERS) -> None:
        super().__init__(parent)
        self.max_workers = max_workers
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}  # GUI thread only: jobs whose outcome is awaited
        self._queue: collections.deque[Job] = collections.deque()
        self._running: set[int] = set()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self.finished.connect(self._on_finished)
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)

    def start(
        self,
        fn: Callable[[CancelToken], Any],
        on_success: Callable[[Any], None],
        on_error: Callable[[VitalError], None],
    ) -> Job:
        """Queue ``fn(token)``; exactly one callback runs later on the GUI thread, unless
        the job is cancelled first."""
        job = Job(next(self._ids), fn, on_success, on_error)
        self._jobs[job.job_id] = job
        with self._lock:
            if self._closed:
                job.cancel()
                return job
            self._queue.append(job)
            if len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._work, name="vital-api", daemon=True)
                self._threads.add(thread)
                thread.start()
        return job

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._threads.discard(threading.current_thread())
                    self._idle.notify_all()
                    return
                job = self._queue.popleft()
                self._running.add(job.job_id)
            try:
                self._run(job)
            finally:
                with self._lock:
                    self._running.discard(job.job_id)

    def _run(self, job: Job) -> None:
        # Every job reports back, a cancelled one with nothing, so the GUI thread can forget
        # it; _on_finished drops the outcome of a cancelled job.
        outcome: tuple[object, object] = (None, None)
        try:
            if not job.cancelled:
                with running(job.token):
                    outcome = (job.fn(job.token), None)
        except Cancelled:
            pass
        except VitalError as exc:
            outcome = (None, detached(exc))
        except Exception as exc:
            log.exception("background call failed")
            outcome = (None, unexpected_error(exc))
        try:
            self.finished.emit(job.job_id, *outcome)
        except RuntimeError:
            pass  # the window is gone (the app is closing): nobody is waiting for this

    def cancel_all(self) -> None:
        """Cancel every call, queued or running (their sockets close at once)."""
        for job in list(self._jobs.values()):
            job.cancel()
        self._jobs.clear()

    def shutdown(self) -> None:
        """Cancel everything and accept no more calls."""
        with self._lock:
            self._closed = True
        self.cancel_all()

    def active_count(self) -> int:
        """Worker threads still alive (a cancelled call's worker included, until it returns)."""
        with self._lock:
            return len(self._threads)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Wait until no worker thread is left (tests, benchmarks); False on time-out."""
        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000
        with self._lock:
            while self._threads:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @Slot(int, object, object)
    def _on_finished(self, job_id: int, result: object, error: object) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None or job.cancelled:
            return
        if isinstance(error, VitalError):
            job.on_error(error)
        else:
            job.on_success(result)


class _NextPaint(QObject):
    """Sets ``done`` once ``window`` has painted (the event loop has come round after its
    next update request)."""

    def __init__(self, window: QWidget, done: threading.Event) -> None:
        super().__init__(window)
        self._window = window
        self._done = done
        window.installEventFilter(self)
        # No paint at all (nothing changed on screen): gone by the time a worker stops waiting.
        QTimer.singleShot(int(PAINT_WAIT_SECONDS * 1000), self, self._open)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.UpdateRequest:
            self._window.removeEventFilter(self)
            # The paint runs when this filter returns; the zero timer after it.
            QTimer.singleShot(0, self, self._open)
        return False

    @Slot()
    def _open(self) -> None:
        self._window.removeEventFilter(self)
        self._done.set()
        self.deleteLater()


def after_next_paint(widget: QWidget) -> threading.Event:
    """An event set on the GUI thread once ``widget``'s window has painted what changed so
    far (at once when the window is not on screen, so nothing waits for a paint that never
    comes). A worker waits on it with ``wait(PAINT_WAIT_SECONDS)``.
    """
    done = threading.Event()
    window = widget.window()
    if not window.isVisible() or window.isMinimized():
        done.set()
    else:
        _NextPaint(window, done)
    return done
