"""The link window: the view with its controller attached, its menus and its memory."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from vital_desktop import __version__
from vital_desktop.qt import crash_guard
from vital_desktop.qt.controllers.link_controller import LinkController
from vital_desktop.qt.options import AppOptions
from vital_desktop.qt.settings_store import QSettingsStore
from vital_desktop.qt.views.link_view import LinkView


class LinkWindow(LinkView):
    """``LinkView`` (layout) driven by ``LinkController`` (behaviour)."""

    def __init__(self, options: AppOptions | None = None, **controller_seams: object) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.controller = LinkController(self, self.options, **controller_seams)  # type: ignore[arg-type]
        self._store: QSettingsStore | None = None
        self._history_view: QWidget | None = None
        self._history_controller: QObject | None = None
        problems = self.options.preferences.problems() if self.options.preferences else []
        history = self.options.history
        if history is not None and history.open_problem:
            problems.append(history.open_problem)
        if problems:
            self.message_area.show_note(" ".join(problems))

    # --------------------------------------------------------------- the app

    def install_menus(self, store: QSettingsStore) -> None:
        """File > Preferences, Quit; Help > Copy diagnostics; the crash window."""
        from vital_desktop.qt.diagnostics_action import add_help_menu

        self._store = store
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        preferences = QAction(self.tr("&Preferences…"), self)
        preferences.setObjectName("preferencesAction")
        preferences.setShortcut(QKeySequence.StandardKey.Preferences)
        preferences.triggered.connect(self.edit_preferences)
        file_menu.addAction(preferences)
        history = QAction(self.tr("&History of hand-offs…"), self)
        history.setObjectName("historyAction")
        history.setShortcut(QKeySequence("Ctrl+H"))
        history.triggered.connect(self.show_history)
        file_menu.addAction(history)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        add_help_menu(self, self.diagnostics)
        crash_guard.install(parent=self, diagnostics=self.diagnostics)

    def show_history(self) -> None:
        """The history window (built on first use; it refreshes after every write)."""
        store = self.options.history
        if store is None:
            return
        if self._history_view is None:
            from PySide6.QtCore import Qt

            from vital_desktop.qt.controllers.history_controller import HistoryController
            from vital_desktop.qt.views.history_view import HistoryView

            view = HistoryView(self)
            view.setWindowFlag(Qt.WindowType.Window, True)
            view.resize(1000, 600)
            self._history_controller = HistoryController(view, store, self.controller.service)
            self.controller.history.written.connect(self._history_controller.refresh)
            self._history_view = view
        self._history_view.show()
        self._history_view.raise_()
        self._history_view.activateWindow()

    def edit_preferences(self) -> None:
        from vital_desktop.qt.controllers.preferences_controller import edit_preferences

        prefs = self.options.preferences
        if prefs is None or self._store is None:
            return
        store = self._store
        saved = edit_preferences(self, prefs, store.sync)
        self.controller.apply_preferences(saved)

    def diagnostics(self) -> str:
        """What support needs, with nothing secret in it (see core.diagnostics)."""
        from vital_desktop.core.diagnostics import collect, default_log_path

        state = self.controller.connection()
        prefs = self.options.preferences
        return collect(
            app_version=__version__,
            qt_version=qVersion(),
            environment_label=state.label,
            settings_non_default=prefs.non_default() if prefs else None,
            log_path=default_log_path(),
            last_error=self.controller.last_error,
            extra={"API address": state.target.base_url if state.target else "none"},
        )

    def restore_geometry(self, store: QSettingsStore, preferred: QSize) -> None:
        """Where the window was last time, on a screen that still exists."""
        from vital_desktop.qt.geometry import restore_window_geometry

        self._store = store
        restore_window_geometry(self, store, preferred)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._store is not None:
            from vital_desktop.qt.geometry import save_window_geometry

            save_window_geometry(self, self._store)
            self._store.sync()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel work in flight and stop the practice server."""
        if self._history_controller is not None:
            self._history_controller.shutdown()  # type: ignore[attr-defined]
        self.controller.shutdown()
