"""The README screenshot script: the real app, in a real X window under Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.xvfb


def _require_xvfb() -> None:
    if shutil.which("xvfb-run") is None:
        if os.environ.get("VITAL_REQUIRE_XVFB") == "1":
            pytest.fail("xvfb-run is missing but VITAL_REQUIRE_XVFB=1 (apt-get install xvfb)")
        pytest.skip("xvfb-run is not installed (apt-get install xvfb)")


def test_screenshot_script_shows_a_scannable_link_mid_countdown(tmp_path: Path) -> None:
    _require_xvfb()
    output = tmp_path / "window.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["PYTHON"] = sys.executable
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "screenshot.sh"), str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with Image.open(output) as opened:
        image = opened.convert("RGB")
    assert image.width >= 900 and image.height >= 600
    codes = zxingcpp.read_barcodes(image)
    assert codes, "no QR code visible in the real window"
    url = codes[0].text
    assert url.startswith("http://127.0.0.1:") and "/link/?token=" in url
    assert "env=sandbox" in url
