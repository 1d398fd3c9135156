"""The collector is off while the window is built and back on, with the start-up objects
set aside, once it has painted."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from vital_desktop.qt import collector


@pytest.fixture(autouse=True)
def _restore_collector() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def test_collection_resumes_after_the_first_paint_with_start_up_objects_frozen(
    qtbot: Any,
) -> None:
    gc.unfreeze()
    collector.pause()
    assert not gc.isenabled()
    window = QLabel("Vital link")
    qtbot.addWidget(window)
    window.show()
    collector.settle(window)
    assert not gc.isenabled()  # not before the event loop has come round after a paint
    qtbot.waitUntil(gc.isenabled, timeout=5000)
    assert gc.get_freeze_count() > 0


def test_a_window_never_shown_does_not_keep_collection_off(qtbot: Any) -> None:
    collector.pause()
    window = QLabel("never shown")
    qtbot.addWidget(window)
    collector.settle(window)
    qtbot.waitUntil(gc.isenabled, timeout=5000)
