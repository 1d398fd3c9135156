"""Last line of defence: an unexpected exception on the GUI thread opens a calm window.

PySide prints a traceback to stderr for an exception raised in a slot and carries on; the
person at the desk would see nothing, or a console full of code. Here the traceback goes to
the log for support, and a non-modal window (``crash_dialog``) says in one sentence that
nothing typed was lost, with the exception's type and message (scrubbed) and the
diagnostics one click away. What was typed stays where it was; the app carries on.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from vital_desktop import __version__
from vital_desktop.core.errors import VitalError

# core.diagnostics (platform, datetime) and qt.service are imported when a crash is
# reported, not at start-up: the guard is installed before the window's first paint.

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_MAX_MESSAGE = 2_000


def install(
    show_error: Callable[[VitalError], None] | None = None,
    *,
    parent: QWidget | None = None,
    diagnostics: Callable[[], str] | None = None,
) -> ExceptHook:
    """Route uncaught exceptions on the GUI thread to the crash window; return the old hook.

    ``parent`` is the window the crash window sits over (default: the active main window).
    ``diagnostics`` returns the text the Help menu's "Copy diagnostics" copies; it is shown
    under the exception (default: versions, platform and the log's last lines). When
    ``show_error`` is given, it also receives the error as a ``VitalError`` sentence (the
    message area); without it only the crash window speaks.
    """
    previous = sys.excepthook

    def hook(
        kind: type[BaseException], value: BaseException, traceback: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, traceback)
            return
        log.error("unexpected error", exc_info=(kind, value, traceback))
        if not _on_gui_thread():
            return  # the log has it; widgets may only be touched from the GUI thread
        try:
            # The dialog's module is imported when it is first needed, not at start.
            from vital_desktop.qt.crash_dialog import show_crash_dialog

            details = crash_details(value, diagnostics)
            show_crash_dialog(details, parent if parent is not None else _main_window())
        except Exception:  # the window itself is broken: the log has it
            log.exception("could not show the crash window")
        if show_error is not None:
            try:
                from vital_desktop.qt.service import unexpected_error

                show_error(value if isinstance(value, VitalError) else unexpected_error(value))
            except Exception:
                log.exception("could not show the unexpected error")

    sys.excepthook = hook
    return previous


def crash_details(error: BaseException, diagnostics: Callable[[], str] | None = None) -> str:
    """The crash window's details: what was raised (scrubbed), then the diagnostics."""
    from vital_desktop.core.diagnostics import clean

    message = str(error)
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + " […]"
    what = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
    lines = [f"What happened: {what}: {message}" if message else f"What happened: {what}"]
    lines.append("The full traceback is in the log file.")
    try:
        text = diagnostics() if diagnostics is not None else _default_diagnostics(what, message)
    except Exception as failure:  # the details must come out even if this cannot
        log.exception("could not collect diagnostics")
        text = f"Diagnostics could not be collected ({type(failure).__name__})."
    return clean("\n".join(lines) + "\n\n" + text)


def _default_diagnostics(what: str, message: str) -> str:
    from PySide6.QtCore import qVersion

    from vital_desktop.core.diagnostics import collect, default_log_path

    return collect(
        app_version=__version__,
        qt_version=qVersion(),
        environment_label="not known here",
        settings_non_default={},
        log_path=default_log_path(),
        last_error=f"{what}: {message}",
    )


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return isinstance(app, QApplication) and QThread.currentThread() == app.thread()


def _main_window() -> QWidget | None:
    from vital_desktop.qt.crash_dialog import CrashDialog

    active = QApplication.activeWindow()
    if active is not None and not isinstance(active, CrashDialog):
        return active
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMainWindow) and widget.isVisible():
            return widget
    return None
