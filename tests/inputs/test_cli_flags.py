"""Hostile text in every flag of ``vital-link token``, ``matrix``, ``history`` and ``key``,
run in-process through ``main()``: exit 2 with one sentence on stderr (never a traceback),
or a run whose every request the stand-in received validates against the contract; the
history file stays intact."""

from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from core.helpers import assert_sent_by_contract
from hypothesis import given
from hypothesis import strategies as st

from vital_desktop.cli.main import main
from vital_desktop.core.history_store import HistoryStore
from vital_desktop.sandbox import SandboxServer

from .hostile import FEW, HOSTILE, hostile_or_paste, hostile_text

# argv reaches Python decoded with surrogateescape: bytes that are not UTF-8 arrive as
# lone surrogates U+DC80-U+DCFF, so those are as real as any other text here.
argv_text = st.one_of(
    hostile_or_paste,
    st.binary(min_size=1, max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape")),
)
UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
VALID = {
    "--user-id": None,  # the stand-in's patient, filled in per test
    "--provider": "oura",
    "--filter": "oura,fitbit",
    "--redirect-url": "https://clinic.example/done",
}


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxServer, str]]:
    server = SandboxServer()
    server.start()
    user_id = str(server.state.create_user("cli-inputs")["user_id"])
    try:
        yield server, user_id
    finally:
        server.stop()


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-history") / "history.sqlite3"
    with HistoryStore(path) as store:
        store.record(user_id=UID, route="web_link", secret="t", environment="sandbox",
                     region="us", base_url="https://api.example",
                     client_user_id="'; DROP TABLE handoffs; --")  # fmt: skip
    return path


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as leaving:  # argparse refusing a value
        code = leaving.code if isinstance(leaving.code, int) else 2
    text = err.getvalue()
    assert "Traceback" not in text, text[-2000:]
    assert code in (0, 2, 3, 4), (code, text[-500:])
    if code == 2:
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, "exit 2 says why"
        assert lines[-1].rstrip()[-1:] in ".?)" or ": " in lines[-1], lines[-1][:300]
    for stream in (text, out.getvalue()):
        # Whatever came in is echoed inert: no raw ESC or other control character.
        assert not any(ord(c) < 32 and c not in "\n\t" for c in stream), ascii(stream[:300])
    return code, text


def _intact(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert names == {"handoffs", "handoff_ways", "sqlite_sequence"}
        rows = conn.execute("SELECT client_user_id FROM handoffs ORDER BY id").fetchall()
        assert rows[0] == ("'; DROP TABLE handoffs; --",)


@HOSTILE
@given(st.sampled_from(["--user-id", "--provider", "--filter", "--redirect-url", "--base-url",
                        "--qr-png", "--timeout", "--env", "--region", "--color"]),
       argv_text, st.booleans())  # fmt: skip
def test_token_flags(
    stand_in: tuple[SandboxServer, str],
    history_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
    value: str,
    as_json: bool,
) -> None:
    server, user_id = stand_in
    monkeypatch.setenv("VITAL_API_KEY", server.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
    monkeypatch.setenv("VITAL_HISTORY_DB", str(history_file))
    options = {**VALID, "--user-id": user_id, flag: value}
    if flag == "--qr-png":
        options[flag] = str(tmp_path_factory.mktemp("png")) + "/" + value
    argv = ["token"] + [part for item in options.items() for part in item]
    server.request_log.clear()
    code, _ = _run([*argv, "--json"] if as_json else argv, monkeypatch)
    sent = server.request_log.snapshot()
    assert_sent_by_contract(sent)
    if code == 2:
        assert not [r for r in sent if r.path == "/v2/link/token"]
    _intact(history_file)


@FEW
@given(st.sampled_from(["--user-id", "--client-user-id", "--providers", "--csv", "--html",
                        "--base-url", "--poll-timeout"]), argv_text)  # fmt: skip
def test_matrix_flags(
    stand_in: tuple[SandboxServer, str],
    history_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
    value: str,
) -> None:
    server, user_id = stand_in
    monkeypatch.setenv("VITAL_API_KEY", server.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
    monkeypatch.setenv("VITAL_HISTORY_DB", str(history_file))
    if flag in ("--csv", "--html"):
        value = str(tmp_path_factory.mktemp("report")) + "/" + value
    patient = [] if flag in ("--user-id", "--client-user-id") else ["--user-id", user_id]
    providers = [] if flag == "--providers" else ["--providers", "oura"]
    server.request_log.clear()
    _run(["matrix", *patient, *providers, flag, value], monkeypatch)
    assert_sent_by_contract(server.request_log.snapshot())
    _intact(history_file)


@HOSTILE
@given(st.sampled_from(["--since", "--until", "--user", "--provider", "--env", "--limit",
                        "--csv", "--db", "--outcome"]), argv_text)  # fmt: skip
def test_history_flags(
    history_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
    value: str,
) -> None:
    monkeypatch.setenv("VITAL_HISTORY_DB", str(history_file))
    if flag == "--csv":
        value = str(tmp_path_factory.mktemp("csv")) + "/" + value
    _run(["history", flag, value], monkeypatch)
    _intact(history_file)


@HOSTILE
@given(st.sampled_from(["set", "status", "forget"]), argv_text, hostile_text)
def test_key_commands(monkeypatch: pytest.MonkeyPatch, action: str, value: str, stdin: str) -> None:
    monkeypatch.delenv("VITAL_API_KEY", raising=False)
    if action == "set":
        _run(["key", "set"], monkeypatch, stdin=stdin + value)
        _run(["key", "set", value], monkeypatch)  # typed on the command line: refused
    else:
        _run(["key", action, "--env", value], monkeypatch)
        _run(["key", action, "--region", value], monkeypatch)


@HOSTILE
@given(argv_text)
def test_sandbox_and_diagnostics_flags(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    # A value that happens to be a valid port (" 0", "٠") would start the stand-in for good:
    # what is tested here is the flags' checking, so serving returns at once.
    import vital_desktop.sandbox as sandbox_package

    monkeypatch.setattr(sandbox_package, "run_foreground", lambda *args, **kwargs: 0)
    for argv in (["sandbox", "--port", value], ["sandbox", "--host", value, "--port", "-1"],
                 ["diagnostics", value]):  # fmt: skip
        _run(argv, monkeypatch)
