"""Find the bundled resources whether installed (a wheel) or run from a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """Path of ``resources/<name>``: inside the installed package, else the checkout's."""
    for base in (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"):
        candidate = base / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"bundled resource {name!r} is missing from this installation")
