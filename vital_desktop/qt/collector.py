"""Python's cyclic garbage collector around start-up: off while the window is built, then
the start-up objects are set aside for good.

Start-up makes some 50,000 objects (modules, classes, Qt wrappers, the provider table) that
live as long as the window. While they are being made, the collector runs dozens of times
and finds nothing to free. Afterwards each full collection walks all of them again, 10 ms or
more on the GUI thread at a moment nobody chose: during a click, it is a frame dropped.
``pause()`` turns collection off at the start of ``main()``; ``settle(window)`` waits for
the window's first paint, then ``gc.freeze()`` moves everything alive into the permanent
generation (never walked again; still freed by reference counting) and turns collection back
on for what the session makes from then on.
"""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QWidget

from vital_desktop.qt.first_paint import after_first_paint


def pause() -> None:
    """No cyclic collection until ``settle``'s callback runs."""
    gc.disable()


def resume() -> None:
    """Set aside what start-up made, and collect again from here on."""
    gc.freeze()
    gc.enable()


def settle(window: QWidget) -> None:
    """``resume()`` once the event loop is idle after ``window``'s first paint (or after
    ``first_paint.FALLBACK_MS`` whatever happens)."""
    after_first_paint(window, resume)
