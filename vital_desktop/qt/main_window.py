"""The link window: the view with its controller attached."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent

from vital_desktop.qt.controllers.link_controller import LinkController
from vital_desktop.qt.options import AppOptions
from vital_desktop.qt.views.link_view import LinkView


class LinkWindow(LinkView):
    """``LinkView`` (layout) driven by ``LinkController`` (behaviour)."""

    def __init__(self, options: AppOptions | None = None, **controller_seams: object) -> None:
        super().__init__()
        self.options = options or AppOptions()
        self.controller = LinkController(self, self.options, **controller_seams)  # type: ignore[arg-type]

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel work in flight and stop the practice server."""
        self.controller.shutdown()
