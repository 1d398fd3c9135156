"""A QR code painted module by module from the core's matrix (after Electrum's qrcodewidget).

Whole device pixels per module, the four-module quiet zone kept, always dark on white (a
phone camera cannot read a code inverted by a dark theme). The widget and the Copy / Save
buttons use the same render, so what is saved is what was scanned.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from vital_desktop.core.qr import QUIET_ZONE, qr_matrix

MIN_CODE_PX = 240  # smallest code a phone reads at arm's length from a desk screen
MIN_MODULE_PX = 3
EXPORT_MODULE_PX = 8
DARK = QColor("#000000")
LIGHT = QColor("#ffffff")
GREYED = QColor("#c4c4c4")


def render_qr(matrix: list[list[bool]], module_px: int, *, expired: bool = False) -> QImage:
    """The code with its quiet zone, ``module_px`` pixels a module, on white."""
    modules = len(matrix) + 2 * QUIET_ZONE
    side = modules * module_px
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(LIGHT)
    painter = QPainter(image)
    colour = GREYED if expired else DARK
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                painter.fillRect(
                    (col + QUIET_ZONE) * module_px,
                    (row + QUIET_ZONE) * module_px,
                    module_px,
                    module_px,
                    colour,
                )
    if expired:
        _paint_expired(painter, QRect(0, 0, side, side))
    painter.end()
    return image


def _paint_expired(painter: QPainter, area: QRect) -> None:
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(14, area.height() // 9))
    painter.setFont(font)
    text = "Expired"
    box = painter.fontMetrics().boundingRect(text).adjusted(-16, -8, 16, 8)
    box.moveCenter(area.center())
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#8c1d18"))
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawRoundedRect(box, 6, 6)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


class QRCodeWidget(QWidget):
    """Paints the link as a QR code, or says why it cannot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self.setAccessibleName("QR code of the link")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._text = ""
        self._matrix: list[list[bool]] = []
        self._expired = False

    # ------------------------------------------------------------------ state

    def set_text(self, text: str) -> None:
        self._text = text
        self._matrix = qr_matrix(text) if text else []
        self._expired = False
        self.setAccessibleDescription(
            "Scan with the phone camera to open the link" if text else "No link yet"
        )
        self.updateGeometry()
        self.update()

    def text(self) -> str:
        return self._text

    def set_expired(self, expired: bool) -> None:
        self._expired = expired
        self.setAccessibleDescription("Expired: generate a new link" if expired else "")
        self.update()

    @property
    def expired(self) -> bool:
        return self._expired

    @property
    def modules(self) -> int:
        """Modules across, quiet zone included (0 without a code)."""
        return len(self._matrix) + 2 * QUIET_ZONE if self._matrix else 0

    # --------------------------------------------------------------- geometry

    def module_px(self) -> int:
        """Whole device pixels a module at the current size (0 when there is no code)."""
        if not self.modules:
            return 0
        ratio = self.devicePixelRatioF()
        available = int(min(self.width(), self.height()) * ratio)
        return available // self.modules

    def fits(self) -> bool:
        """True when the code can be drawn large enough for a phone to read it."""
        px = self.module_px()
        ratio = self.devicePixelRatioF()
        return px >= MIN_MODULE_PX and px * self.modules / ratio >= MIN_CODE_PX

    def minimumSizeHint(self) -> QSize:
        side = max(MIN_CODE_PX, self.modules * MIN_MODULE_PX) + 8
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        side = max(360, self.modules * 5)
        return QSize(side, side)

    # ---------------------------------------------------------------- drawing

    def render_image(self) -> QImage:
        """The image the widget shows (or, when too cramped, a readable larger one)."""
        px = self.module_px() if self.fits() else EXPORT_MODULE_PX
        return render_qr(self._matrix, max(px, MIN_MODULE_PX), expired=self._expired)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if not self._matrix:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "The QR code appears here.",
            )
            return
        if not self.fits():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "Not enough room to show a QR code a phone can read. Make the window larger, "
                "or use Copy link.",
            )
            return
        ratio = self.devicePixelRatioF()
        image = render_qr(self._matrix, self.module_px(), expired=self._expired)
        image.setDevicePixelRatio(ratio)
        side_logical = image.width() / ratio
        x = int((self.width() - side_logical) / 2)
        y = int((self.height() - side_logical) / 2)
        painter.drawImage(x, y, image)
