"""Last line of defence: an unexpected exception on the GUI thread becomes a sentence.

PySide prints a traceback to stderr for an exception raised in a slot and carries on; the
person at the desk would see nothing, or a console full of code. Here the traceback goes to
the log for support, and the window shows one plain sentence with the exception's name in
Details. What was typed stays where it was.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from vital_desktop.core.errors import VitalError
from vital_desktop.qt.service import unexpected_error

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install(show_error: Callable[[VitalError], None]) -> ExceptHook:
    """Route uncaught exceptions to ``show_error``; return the previous hook."""
    previous = sys.excepthook

    def hook(
        kind: type[BaseException], value: BaseException, traceback: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, traceback)
            return
        log.error("unexpected error", exc_info=(kind, value, traceback))
        try:
            show_error(value if isinstance(value, VitalError) else unexpected_error(value))
        except Exception:  # the window itself is broken: the log has it
            log.exception("could not show the unexpected error")

    sys.excepthook = hook
    return previous
