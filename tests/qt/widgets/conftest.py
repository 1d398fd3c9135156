"""Widgets on their own: a shown, active host window and synthetic provider catalogues."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QVBoxLayout, QWidget

from vital_desktop.core.providers import Provider, ProviderCatalogue, WebSupport

Host = Callable[[QWidget], QWidget]


def synthetic_catalogue(count: int, *, start: int = 0) -> ProviderCatalogue:
    """``count`` linkable providers ``Provider 00000`` / ``provider_00000`` and on."""
    return ProviderCatalogue(
        Provider(f"provider_{n:05d}", f"Provider {n:05d}", "oauth", WebSupport.YES)
        for n in range(start, start + count)
    )


def show_tooltip(qtbot: Any, target: QWidget, pos: QPoint) -> bool:
    """Ask ``target`` for its tooltip at ``pos`` as a hovering mouse would; True if shown."""
    QToolTip.hideText()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, target.mapToGlobal(pos))
    QApplication.sendEvent(target, event)
    try:
        qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    except qtbot.TimeoutError:
        return False
    return True


@pytest.fixture
def host(qtbot: Any) -> Iterator[Host]:
    """Put a widget in a shown, active top-level window (popups and focus need one)."""
    windows: list[QWidget] = []

    def place(widget: QWidget) -> QWidget:
        window = QWidget()
        layout = QVBoxLayout(window)
        layout.addWidget(widget)
        window.resize(480, 320)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        windows.append(window)
        return window

    yield place
    QToolTip.hideText()
    for window in windows:
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
