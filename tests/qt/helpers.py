"""Small helpers for the Qt tests: decode what is on screen, read what the server issued."""

from __future__ import annotations

import base64
import io
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWidget

from vital_desktop.qt.main_window import LinkWindow

CONTRACT_NAMES = (
    "apiKeyEdit",
    "environmentCombo",
    "userIdEdit",
    "providerCombo",
    "filterList",
    "redirectUrlEdit",
    "generateButton",
    "countdownLabel",
    "qrCode",
    "linkUrlEdit",
    "openBrowserButton",
    "copyLinkButton",
    "messageArea",
)


def to_pil(picture: QImage | QPixmap) -> Image.Image:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGB")


def decode_qr(picture: QImage | QPixmap) -> list[str]:
    """Every QR code a real decoder finds in the picture."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(to_pil(picture))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def token_claims(link_web_url: str) -> dict[str, Any]:
    """The unverified JWT claims of the token inside a link."""
    token = parse_qs(urlsplit(link_web_url).query)["token"][0]
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return dict(json.loads(base64.urlsafe_b64decode(payload)))


def child(window: QWidget, name: str) -> Any:
    widget = window.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name}"
    return widget


def wait_for_link(qtbot: Any, window: LinkWindow, timeout: int = 10_000) -> str:
    qtbot.waitUntil(lambda: bool(child(window, "linkUrlEdit").text()), timeout=timeout)
    return str(child(window, "linkUrlEdit").text())


def wait_for_message(qtbot: Any, window: LinkWindow, timeout: int = 10_000) -> str:
    area = child(window, "messageArea")
    qtbot.waitUntil(lambda: bool(area.text()), timeout=timeout)
    return str(area.text())


def wait_for_demo(qtbot: Any, window: LinkWindow, timeout: int = 5000) -> None:
    """The practice server starts after the first paint: wait until it serves."""
    qtbot.waitUntil(lambda: window.controller.demo.server is not None, timeout=timeout)


def decode_zbar(picture: QImage | QPixmap) -> list[str]:
    """Every QR code zbar (a second, independent decoder) finds in the picture."""
    import os
    import shutil
    import subprocess
    import tempfile

    import pytest

    if shutil.which("zbarimg") is None:
        if os.environ.get("VITAL_REQUIRE_XVFB") == "1":
            pytest.fail("zbarimg is missing (apt-get install zbar-tools)")
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools)")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "code.png")
        assert picture.save(path, "PNG")
        ran = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path],
            capture_output=True,
            text=True,
            timeout=30,
        )
    # zbarimg exits 4 when it finds nothing.
    assert ran.returncode in (0, 4), ran.stderr
    return [line for line in ran.stdout.splitlines() if line]


def nothing_scannable(widget: QWidget) -> bool:
    """True when neither decoder finds any code in what ``widget`` shows."""
    picture = widget.grab()
    return decode_qr(picture) == [] and decode_zbar(picture) == []
