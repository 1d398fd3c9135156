"""Help > Copy diagnostics: what support needs, on the clipboard, in one click."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu

log = logging.getLogger(__name__)

HELP_MENU_NAME = "helpMenu"


def add_help_menu(window: QMainWindow, diagnostics: Callable[[], str]) -> QAction:
    """Add Help > "Copy diagnostics" (``copyDiagnosticsAction``) to ``window``; return it.

    The Help menu is made (``helpMenu``) unless the window has one already. Triggering the
    action puts ``diagnostics()`` on the clipboard; that text should come from
    ``core.diagnostics.collect`` so nothing secret is in it.
    """
    bar = window.menuBar()
    menu = bar.findChild(QMenu, HELP_MENU_NAME)
    if menu is None:
        menu = bar.addMenu(QCoreApplication.translate("HelpMenu", "&Help"))
        menu.setObjectName(HELP_MENU_NAME)
    action = QAction(QCoreApplication.translate("HelpMenu", "Copy &diagnostics"), window)
    action.setObjectName("copyDiagnosticsAction")
    action.setStatusTip(
        QCoreApplication.translate(
            "HelpMenu",
            "Copy the app's versions, settings and recent log lines (nothing secret) for support",
        )
    )

    def copy() -> None:
        try:
            text = diagnostics()
        except Exception as error:  # support still gets something to go on
            log.exception("could not collect diagnostics")
            text = f"Diagnostics could not be collected ({type(error).__name__}); see the log."
        QGuiApplication.clipboard().setText(text)

    action.triggered.connect(copy)
    menu.addAction(action)
    return action
