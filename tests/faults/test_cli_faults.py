"""Every fault through the command line: `vital-link token` on its one call, `matrix` on
each call it makes, and `history` afterwards. In-process (``main()``) with captured
streams, so the whole matrix stays fast; test_canary.py runs the real processes.

For each: the right kind of sentence on stderr, no traceback, a failure exit code, no link
printed, no history row for a link never issued (and a sound history file), and the canary
key in no output and no file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from vital_desktop.cli.main import main
from vital_desktop.core.history import HistoryStore

from .hostile import (
    CANARY,
    CLIENT_ID,
    FAULTS,
    HTTP_FAULTS,
    REDIRECT,
    SENTENCES,
    SERVER_FAULTS,
    UID,
    Servers,
    files_holding,
    holds_secret,
    sentence,
)

TIMEOUT_ARG = "1"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("VITAL_API_KEY", CANARY)
    monkeypatch.setenv("VITAL_HISTORY_DB", str(tmp_path / "history.sqlite3"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "history.sqlite3"


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(path: Path) -> list[Any]:
    if not path.exists():
        return []
    with HistoryStore(path) as store:
        return list(store.query(None, None, None, None, None, None))


def _sound(path: Path) -> None:
    if path.exists():
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _no_leak(servers: Servers, folder: Path, *texts: str) -> None:
    secrets_ = [CANARY, *servers.hostile.issued]
    for text in texts:
        assert holds_secret(text, [CANARY]) == []
    assert files_holding(folder, secrets_) == []


@pytest.mark.parametrize("fault", FAULTS)
def test_token_ends_in_its_sentence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    servers: Servers,
    tmp_path: Path,
    fault: str,
) -> None:
    servers.arm(fault, "token")
    monkeypatch.setenv("VITAL_BASE_URL", servers.base_url(fault))
    argv = ["token", "--user-id", UID, "--provider", "oura", "--redirect-url", REDIRECT]
    code, out, err = _run(capsys, [*argv, "--timeout", TIMEOUT_ARG, "--verbose"])
    assert code in (3, 4), err
    assert sentence(fault, "token") in err
    assert "Traceback" not in err
    assert out == "", "something was printed as a link"
    assert _rows(cli_env) == []
    _sound(cli_env)
    if fault in HTTP_FAULTS:
        # Only the link was asked for (429 and 503 are retried within --timeout).
        assert set(servers.hostile.calls_seen()) == {"token"}
    if fault == "redirect":
        assert servers.other_host.events == []

    # The history command afterwards: nothing to show, and it says so plainly.
    code, listed, listed_err = _run(capsys, ["history"])
    assert code == 0 and "Traceback" not in listed_err
    assert UID[:8] not in listed
    _no_leak(servers, tmp_path, out, err, listed, listed_err)


MATRIX_CALLS = ("resolve", "create", "catalogue", "token", "code", "poll")
MATRIX_CASES = [(f, c) for f in HTTP_FAULTS for c in MATRIX_CALLS] + [
    (f, "resolve") for f in SERVER_FAULTS
]


def _matrix_argv(call: str) -> list[str]:
    patient = (
        ["--client-user-id", "MRN-NEW-7", "--create"]
        if call == "create"
        else [
            "--client-user-id",
            CLIENT_ID,
        ]
    )
    return [
        "matrix",
        *patient,
        "--providers",
        "oura,apple_health_kit",
        "--demo-connect",
        "--poll-timeout",
        "1",
        "--timeout",
        TIMEOUT_ARG,
    ]


@pytest.mark.parametrize(("fault", "call"), MATRIX_CASES, ids=[f"{f}-{c}" for f, c in MATRIX_CASES])
def test_matrix_ends_in_its_sentence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    servers: Servers,
    tmp_path: Path,
    fault: str,
    call: str,
) -> None:
    servers.arm(fault, call)
    monkeypatch.setenv("VITAL_BASE_URL", servers.base_url(fault))
    code, out, err = _run(capsys, _matrix_argv(call))
    assert "Traceback" not in err
    assert "Something unexpected" not in out + err
    if fault in HTTP_FAULTS:
        assert call in servers.hostile.calls_seen()
    rows = _rows(cli_env)
    routes = sorted(row.route for row in rows)
    if fault == "404" and call == "resolve":
        assert code == 3
        assert "no patient with that clinic ID" in err
        assert rows == []
    elif call in ("resolve", "create"):
        assert code in (3, 4)
        assert sentence(fault, call) in err
        assert rows == [] and out == ""
    elif call == "catalogue":
        # The bundled table stands in, and stderr says why in the same words.
        assert code == 0, err
        assert "Using the bundled table" in err
        assert sentence(fault, call) in err
        assert len(rows) == 2
    elif call in ("token", "code"):
        assert code in (3, 4)
        assert sentence(fault, call) in out + err
        # Only what was issued is recorded: never the failed row (a network failure stops
        # the run, so the other row may not have been made either).
        failed = "oura" if call == "token" else "apple_health_kit"
        assert len(rows) <= 1 and all(row.provider != failed for row in rows), routes
    else:  # poll: the demo row fails, in the fault's words or as "not seen in time"
        assert code in (3, 4)
        assert sentence(fault, call) in out + err or "not among the connected providers" in err
        # A network failure stops the run before the app code's row.
        assert 1 <= len(rows) <= 2 and all(row.outcome == "pending" for row in rows)
    _sound(cli_env)
    if fault == "redirect":
        assert servers.other_host.events == []
    _no_leak(servers, tmp_path, out, err)


@pytest.mark.parametrize("call", ["token", "matrix"])
def test_the_healthy_server_succeeds_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_env: Path,
    servers: Servers,
    tmp_path: Path,
    call: str,
) -> None:
    """The control: the same commands succeed without a fault."""
    servers.arm(None, call)
    monkeypatch.setenv("VITAL_BASE_URL", servers.base_url(None))
    argv = (
        ["token", "--user-id", UID, "--timeout", TIMEOUT_ARG]
        if call == "token"
        else _matrix_argv("resolve")
    )
    code, _out, err = _run(capsys, argv)
    assert code == 0, err
    assert len(_rows(cli_env)) == (1 if call == "token" else 2)
    assert set(servers.hostile.calls_seen()) >= (
        {"token"} if call == "token" else {"resolve", "catalogue", "token", "code", "demo", "poll"}
    )
    # The token is printed (that is the point) but never written to a file.
    _no_leak(servers, tmp_path, err)


def test_sentence_kinds_are_distinct() -> None:
    assert len(set(SENTENCES.values())) == len(SENTENCES)
