"""A QR code painted module by module from the core's matrix (after Electrum's qrcodewidget).

Whole device pixels per module, the four-module quiet zone kept, always dark on white (a
phone camera cannot read a code inverted by a dark theme). The widget and the Copy / Save
buttons use the same render, so what is saved is what was scanned.

A link that may no longer be handed out (expired, for another patient, spent) is not drawn
greyed: a phone reads a grey code as well as a black one. Its code is dropped altogether and
a drawing that holds no code takes its place, with the reason in words.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from vital_desktop.core.qr import QUIET_ZONE, qr_matrix

MIN_CODE_PX = 240  # smallest code a phone reads at arm's length from a desk screen
MIN_MODULE_PX = 3
EXPORT_MODULE_PX = 8
DARK = QColor("#000000")
LIGHT = QColor("#ffffff")
GREYED = QColor("#9e9e9e")
REASON = QColor("#8c1d18")  # on the drawing's own white label, whatever the theme
_GREY = bytes([255, 0]) + bytes(254)  # a module's 0 (light) / 1 (dark) -> white / black


def module_image(matrix: list[list[bool]]) -> QImage:
    """The code one pixel a module, quiet zone included: black on white, made once."""
    modules = len(matrix) + 2 * QUIET_ZONE
    blank = b"\xff" * modules
    margin = b"\xff" * QUIET_ZONE
    rows = [blank] * QUIET_ZONE
    # bytes() of bools is 0/1 a module; translate() makes them grey levels, all in C.
    rows += [margin + bytes(cells).translate(_GREY) + margin for cells in matrix]
    rows += [blank] * QUIET_ZONE
    data = b"".join(rows)
    # copy(): the image must own its pixels, not borrow the bytes above.
    return QImage(data, modules, modules, modules, QImage.Format.Format_Grayscale8).copy()


def scaled_code(small: QImage, module_px: int) -> QImage:
    """``small`` at ``module_px`` whole pixels a module, edges kept sharp."""
    side = small.width() * module_px
    big = small.scaled(
        side,
        side,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )
    return big.convertToFormat(QImage.Format.Format_RGB32)


def render_qr(matrix: list[list[bool]], module_px: int) -> QImage:
    """The code with its quiet zone, ``module_px`` pixels a module, on white."""
    return scaled_code(module_image(matrix), module_px)


def retirement_text(reason: str) -> str:
    """Why a code was withdrawn, in the reader's language: the reasons are kept in English
    (``Retirement`` values, "Connected") and marked in the ``"Retirement"`` context."""
    return QCoreApplication.translate("Retirement", reason)


def paint_retired(painter: QPainter, area: QRect, reason: str, colour: QColor) -> None:
    """A crossed-out frame with ``reason`` in it: nothing a phone could read as a code."""
    side = min(area.width(), area.height()) - 16
    box = QRect(0, 0, side, side)
    box.moveCenter(area.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(GREYED, 3, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(box, 12, 12)
    painter.setPen(QPen(GREYED, 3))
    inner = box.adjusted(side // 5, side // 5, -side // 5, -side // 5)
    painter.drawLine(inner.topLeft(), inner.bottomRight())
    painter.drawLine(inner.topRight(), inner.bottomLeft())
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(14, side // 12))
    painter.setFont(font)
    label = painter.fontMetrics().boundingRect(
        box.adjusted(16, 0, -16, 0), Qt.TextFlag.TextWordWrap, reason
    )
    label = label.adjusted(-14, -8, 14, 8)
    label.moveCenter(box.center())
    painter.setPen(colour)
    painter.setBrush(QColor(255, 255, 255, 240))
    painter.drawRoundedRect(label, 6, 6)
    painter.drawText(label, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, reason)
    painter.restore()


class QRCodeWidget(QWidget):
    """Paints the link as a QR code, or says why it cannot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qrCode")
        self.setAccessibleName(self.tr("QR code of the link"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._text = ""
        self._matrix: list[list[bool]] = []
        self._small = QImage()
        self._retired_reason = ""

    # ------------------------------------------------------------------ state

    def set_text(self, text: str) -> None:
        """Show ``text`` as a code (encoded here: prefer ``set_code`` with a ready matrix)."""
        self.set_code(text, qr_matrix(text) if text else [])

    def set_code(self, text: str, matrix: list[list[bool]], image: QImage | None = None) -> None:
        """Show a code whose matrix was made elsewhere (in the worker that fetched the link).

        ``image`` is ``module_image(matrix)`` when the worker made that too (a QImage may be
        made on any thread); otherwise it is made here.
        """
        modules = self.modules
        self._text = text
        self._matrix = matrix if text else []
        # Painted by scaling this one small image: no per-module drawing on each paint.
        if not self._matrix:
            self._small = QImage()
        elif image is not None and not image.isNull():
            self._small = image
        else:
            self._small = module_image(self._matrix)
        self._retired_reason = ""
        self.setAccessibleDescription(
            self.tr("Scan with the phone camera to open the link")
            if text
            else self.tr("No link yet")
        )
        self._changed(modules)

    def _changed(self, modules_before: int) -> None:
        # The size hints follow the number of modules: a code of the same size as the last
        # one leaves the layout alone (no relayout of the whole window for a new link).
        if self.modules != modules_before:
            self.updateGeometry()
        self.update()

    def retire(self, reason: str) -> None:
        """Drop the code for good and draw ``reason`` instead ("Expired", "For another
        patient"); nothing on screen can be scanned any more."""
        modules = self.modules
        self._text = ""
        self._matrix = []
        self._small = QImage()
        self._retired_reason = reason
        self.setAccessibleDescription(
            self.tr("No code: {reason}").format(reason=retirement_text(reason))
        )
        self._changed(modules)

    def text(self) -> str:
        return self._text

    def set_expired(self, expired: bool) -> None:
        """Retire the code as expired (kept for callers of the first window)."""
        if expired:
            self.retire("Expired")

    @property
    def expired(self) -> bool:
        return self._retired_reason == "Expired"

    @property
    def retired_reason(self) -> str:
        """Why no code is shown for the last link ("" when a code is shown or none yet)."""
        return self._retired_reason

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
        return scaled_code(self._small, max(px, MIN_MODULE_PX))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._retired_reason:
            paint_retired(painter, self.rect(), retirement_text(self._retired_reason), REASON)
            return
        if not self._matrix:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr("The QR code appears here."),
            )
            return
        if not self.fits():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr(
                    "Not enough room to show a QR code a phone can read. Make the window larger, "
                    "or use Copy link."
                ),
            )
            return
        ratio = self.devicePixelRatioF()
        image = scaled_code(self._small, self.module_px())
        image.setDevicePixelRatio(ratio)
        side_logical = image.width() / ratio
        x = int((self.width() - side_logical) / 2)
        y = int((self.height() - side_logical) / 2)
        painter.drawImage(x, y, image)
