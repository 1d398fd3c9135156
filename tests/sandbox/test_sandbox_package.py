"""The stand-in stays free of Qt so the CLI and headless tests can use it."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_sandbox_loads_no_qt() -> None:
    code = (
        "import sys, vital_desktop.sandbox as s; "
        "assert s.SandboxServer; "
        "print(sorted(m for m in sys.modules if 'PySide' in m or 'Qt' in m))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
