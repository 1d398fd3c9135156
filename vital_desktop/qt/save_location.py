"""Where a saved QR picture goes: the platform's Pictures folder, under a fresh name.

Paths come from the platform (QStandardPaths), never from the current directory, which for
an app started from a desktop icon is wherever the launcher happened to be.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths

QR_PREFIX = "vital-link"
QR_SUFFIX = ".png"


def fresh_qr_path(folder: Path, now: datetime) -> Path:
    """``folder/vital-link-2026-11-29-1402.png``, or ``…-1402-2.png``, ``-3`` … if taken."""
    stem = f"{QR_PREFIX}-{now:%Y-%m-%d-%H%M}"
    candidate = folder / f"{stem}{QR_SUFFIX}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{QR_SUFFIX}"
        number += 1
    return candidate


def usable_folder(location: str) -> Path | None:
    """``location`` as a folder to offer, or None when empty, relative or not a folder."""
    if not location:
        return None
    path = Path(location)
    if not path.is_absolute() or not path.is_dir():
        return None
    return path


def home_folder() -> Path:
    """The person's home folder, as the platform reports it."""
    home = usable_folder(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation)
    )
    return home if home is not None else Path.home()


def pictures_folder() -> Path:
    """The Pictures folder when the platform names one that exists, else the home folder."""
    pictures = usable_folder(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    )
    return pictures if pictures is not None else home_folder()
