"""Handing a link to the patient: open it, copy it, copy or save its QR code.

Every hand-off first asks the board whether the link may still leave the desk for the
patient the form names now (``LinkBoard.hand_out``); a refused one says so and does nothing,
whatever path it came by (a button, Ctrl+C, a click queued before the form changed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP
from vital_desktop.core.link_board import Binding, IssuedLink, LinkBoard
from vital_desktop.qt.save_location import fresh_qr_path, pictures_folder
from vital_desktop.qt.views.link_view import LinkView
from vital_desktop.qt.widgets.result_panel import COPY, COPY_QR, OPEN, SAVE_QR

REFUSED = QT_TRANSLATE_NOOP(
    "HandOff",
    "That link can no longer be handed out. Generate a new one for the patient in the form.",
)


def ask_save_path(parent: QWidget, proposed: str) -> str:
    """The native Save dialog, starting at ``proposed``; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("HandOff", "Save QR code"),
        proposed,
        QCoreApplication.translate("HandOff", "PNG image (*.png)"),
    )
    return path


class HandOff:
    """Carries out hand-offs for one view, if and only if the board allows them."""

    def __init__(
        self,
        view: LinkView,
        board: LinkBoard,
        binding: Callable[[], Binding],
        refused: Callable[[], None],
        *,
        open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl,
        choose_save_path: Callable[[QWidget, str], str] = ask_save_path,
        handed: Callable[[str], None] = lambda _way: None,
    ) -> None:
        self._view = view
        self._board = board
        self._binding = binding
        self._refused = refused  # re-render: the board just retired what was shown
        self._open_url = open_url
        self._choose_save_path = choose_save_path
        self._handed = handed  # tells the history how the link left the desk

    def __call__(self, kind: str) -> None:
        """Hand off the current link as ``kind`` (OPEN, COPY, COPY_QR or SAVE_QR)."""
        issued = self._board.hand_out(self._binding())
        if issued is None:
            self._refused()
            self._view.message_area.show_note(QCoreApplication.translate("HandOff", REFUSED))
            return
        if kind == OPEN and issued.code is None:
            self._open(issued.qr_text)
        elif kind == COPY:
            QGuiApplication.clipboard().setText(issued.copy_text)
            self._handed("link_copied")
            self._view.show_notice(
                QCoreApplication.translate("HandOff", "Code copied.")
                if issued.code
                else QCoreApplication.translate("HandOff", "Link copied.")
            )
        elif kind == COPY_QR:
            QGuiApplication.clipboard().setImage(self._view.result.qr.render_image())
            self._handed("qr_copied")
            self._view.show_notice(
                QCoreApplication.translate("HandOff", "QR code copied as a picture.")
            )
        elif kind == SAVE_QR:
            self._save_qr(issued)

    def _open(self, url: str) -> None:
        if self._open_url(QUrl(url, QUrl.ParsingMode.StrictMode)):
            self._handed("opened_in_browser")
            self._view.show_notice(
                QCoreApplication.translate("HandOff", "Opened the link in the web browser.")
            )
            return
        self._view.message_area.show_note(
            QCoreApplication.translate(
                "HandOff",
                "The web browser could not be opened on this computer. The link is still "
                "ready: copy it, or let the patient scan the code.",
            )
        )

    def _save_qr(self, issued: IssuedLink) -> None:
        proposed = fresh_qr_path(pictures_folder(), datetime.now())
        path = self._choose_save_path(self._view, str(proposed))
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        # The dialog is modal: the link may have expired or been retired meanwhile.
        if self._board.hand_out(self._binding()) is not issued:
            self._refused()
            self._view.message_area.show_note(QCoreApplication.translate("HandOff", REFUSED))
            return
        if self._view.result.qr.render_image().save(path):
            self._handed("qr_saved")
            self._view.show_notice(
                QCoreApplication.translate("HandOff", "QR code saved as {name}.").format(
                    name=Path(path).name
                )
            )
        else:
            self._view.message_area.show_note(
                QCoreApplication.translate(
                    "HandOff", "The QR code could not be saved there. Choose another folder."
                )
            )
