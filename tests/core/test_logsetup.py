"""Logging is configured once, and every record on its handlers comes out scrubbed."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vital_desktop.core import logsetup
from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.logsetup import configure_logging, register_secret

from .helpers import KEY

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLWJ5dGVz"
SECRET = "sk_eu_LogSecretValue0123456789abcdefXYZ"


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[tuple[io.StringIO, Path]]:
    stream = io.StringIO()
    path = tmp_path / "logs" / "app.log"
    logsetup._unconfigure_for_tests()
    configure_logging(logging.DEBUG, stream=stream, path=path)
    register_secret(SECRET)
    try:
        yield stream, path
    finally:
        logsetup._unconfigure_for_tests()


def _outputs(configured: tuple[io.StringIO, Path]) -> list[str]:
    stream, path = configured
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [stream.getvalue(), path.read_text(encoding="utf-8")]


def test_configure_logging_is_idempotent(configured: tuple[io.StringIO, Path]) -> None:
    before = list(logging.getLogger().handlers)
    configure_logging(logging.DEBUG, stream=io.StringIO())
    assert logging.getLogger().handlers == before


def test_any_logger_is_scrubbed(configured: tuple[io.StringIO, Path]) -> None:
    log = logging.getLogger("some.library.nobody.filtered")
    log.info("key %s", SECRET)
    log.info("lower %s and bare %s", SECRET.lower(), SECRET[6:])
    log.info("fragment %s", SECRET[9:23])
    log.info("link https://link.tryvital.io/?token=%s&env=sandbox", "abc%2Edef")
    log.info("jwt %s", JWT)
    log.info("code %s", "skus0123abcd")
    for text in _outputs(configured):
        assert SECRET not in text and SECRET.lower() not in text and SECRET[6:] not in text
        assert SECRET[9:23] not in text
        assert "abc%2Edef" not in text and JWT not in text and "skus0123abcd" not in text
        assert "token=[redacted]&env=sandbox" in text
        assert text.count("[redacted]") >= 6
        assert "some.library.nobody.filtered" in text  # dotted names are not taken for JWTs


def test_exception_text_is_scrubbed(configured: tuple[io.StringIO, Path]) -> None:
    log = logging.getLogger("another.module")
    try:
        raise RuntimeError(f"server said {SECRET} and {JWT}")
    except RuntimeError:
        log.exception("call failed for %s", SECRET.upper())
    for text in _outputs(configured):
        assert "RuntimeError: server said [redacted] and [redacted]" in text
        assert "call failed for [redacted]" in text
        assert SECRET not in text and JWT not in text and SECRET.upper() not in text


def test_client_registers_its_key(configured: tuple[io.StringIO, Path]) -> None:
    key = "sk_us_ClientRegistersThisKey0123456789"
    with VitalClient(key, custom_target("http://127.0.0.1:9")):
        pass
    logging.getLogger("elsewhere").warning("it was %s", key[6:].lower())
    for text in _outputs(configured):
        assert key[6:].lower() not in text and "it was [redacted]" in text


def test_args_are_not_formatted_again_by_other_handlers(
    configured: tuple[io.StringIO, Path],
) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "key=%s", (KEY,), None)
    register_secret(KEY)
    logsetup.ScrubFilter().filter(record)
    assert record.args is None and record.getMessage() == "key=[redacted]"


def test_log_file_is_created_at_once_and_rotated(
    configured: tuple[io.StringIO, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stream, path = configured
    assert path.exists()  # made by configure_logging, before any record
    monkeypatch.setattr(logsetup, "LOG_FILE_BYTES", 400)
    for number in range(60):
        logging.getLogger("vital_desktop.test").warning("line %d of the log", number)
    _outputs(configured)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["app.log", "app.log.1", "app.log.2", "app.log.3"]
    assert "line 59 of the log" in path.read_text(encoding="utf-8")
    assert all(p.stat().st_size <= 400 for p in path.parent.iterdir())


def test_an_unwritable_log_file_is_reported_and_the_app_carries_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    path = folder / "app.log"
    path.mkdir()  # a folder where the file should be: it cannot be opened
    logsetup._unconfigure_for_tests()
    try:
        configure_logging(logging.INFO, stream=io.StringIO(), path=path)
        logging.getLogger("vital_desktop.test").warning("still logged to the stream")
    finally:
        logsetup._unconfigure_for_tests()
    assert "cannot write the log file" in capsys.readouterr().err


def test_start_up_does_not_import_logging_handlers(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "from vital_desktop.core.logsetup import configure_logging\n"
        f"configure_logging(path={str(tmp_path / 'x.log')!r})\n"
        "print('logging.handlers' in sys.modules)\n"
        "logging.getLogger('vital_desktop').warning('first record')\n"
        "print('logging.handlers' in sys.modules)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.split() == ["False", "True"]
    assert "first record" in (tmp_path / "x.log").read_text(encoding="utf-8")
