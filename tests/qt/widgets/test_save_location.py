"""Where a QR picture is saved: a fresh name in the Pictures folder, never the current one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QStandardPaths

from vital_desktop.qt import save_location
from vital_desktop.qt.save_location import fresh_qr_path, pictures_folder

NOW = datetime(2026, 11, 29, 14, 2, 37)


def test_fresh_name_from_the_time(tmp_path: Path) -> None:
    assert fresh_qr_path(tmp_path, NOW) == tmp_path / "vital-link-2026-11-29-1402.png"


def test_taken_names_get_a_number(tmp_path: Path) -> None:
    (tmp_path / "vital-link-2026-11-29-1402.png").write_bytes(b"png")
    assert fresh_qr_path(tmp_path, NOW).name == "vital-link-2026-11-29-1402-2.png"
    (tmp_path / "vital-link-2026-11-29-1402-2.png").write_bytes(b"png")
    (tmp_path / "vital-link-2026-11-29-1402-3.png").mkdir()  # a folder takes the name too
    assert fresh_qr_path(tmp_path, NOW).name == "vital-link-2026-11-29-1402-4.png"
    # Another minute starts afresh.
    later = NOW.replace(minute=3)
    assert fresh_qr_path(tmp_path, later).name == "vital-link-2026-11-29-1403.png"


class FakeStandardPaths:
    """Stands in for QStandardPaths with chosen answers per location."""

    StandardLocation = QStandardPaths.StandardLocation
    answers: ClassVar[dict[QStandardPaths.StandardLocation, str]] = {}

    @classmethod
    def writableLocation(cls, location: QStandardPaths.StandardLocation) -> str:
        return cls.answers.get(location, "")


@pytest.fixture
def fake_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[QStandardPaths.StandardLocation, str]:
    answers: ClassVar[dict[QStandardPaths.StandardLocation, str]] = {}
    monkeypatch.setattr(FakeStandardPaths, "answers", answers)
    monkeypatch.setattr(save_location, "QStandardPaths", FakeStandardPaths)
    work = tmp_path / "somewhere-else"
    work.mkdir()
    monkeypatch.chdir(work)  # the current folder must never be the answer
    return answers


def test_pictures_folder_when_the_platform_has_one(
    fake_paths: dict[Any, str], tmp_path: Path
) -> None:
    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    fake_paths[QStandardPaths.StandardLocation.PicturesLocation] = str(pictures)
    fake_paths[QStandardPaths.StandardLocation.HomeLocation] = str(tmp_path)
    assert pictures_folder() == pictures


@pytest.mark.parametrize("answer", ["", "missing", "relative/Pictures", "a-file"])
def test_home_folder_when_pictures_is_empty_or_missing(
    fake_paths: dict[Any, str], tmp_path: Path, answer: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    relative = answer == "relative/Pictures"
    if relative:
        Path("relative/Pictures").mkdir(parents=True)  # exists, but only from the cwd
    location = answer if relative or not answer else str(tmp_path / answer)
    fake_paths[QStandardPaths.StandardLocation.PicturesLocation] = location
    fake_paths[QStandardPaths.StandardLocation.HomeLocation] = str(tmp_path)
    assert pictures_folder() == tmp_path
    assert pictures_folder() != Path.cwd()


def test_home_from_the_environment_when_qt_knows_none(
    fake_paths: dict[Any, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    assert pictures_folder() == tmp_path


def test_the_real_platform_answer_is_an_absolute_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = pictures_folder()
    assert folder.is_absolute() and folder.is_dir()
    assert folder != tmp_path
