"""``vital-link token``/``matrix`` record their hand-offs; ``vital-link history`` lists them.

Everything runs against the sandbox stand-in over real HTTP and a real SQLite file in
tmp_path (``VITAL_HISTORY_DB``).
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from vital_desktop.cli.main import main
from vital_desktop.core.history import HistoryStore, fingerprint, read_csv
from vital_desktop.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, db: Path) -> SandboxServer:
    monkeypatch.setenv("VITAL_API_KEY", sandbox.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("VITAL_HISTORY_DB", str(db))
    return sandbox


def _user(server: SandboxServer, client_id: str | None = None) -> str:
    name = client_id or f"history-patient-{uuid.uuid4().hex}"
    return str(server.state.create_user(name)["user_id"])


def _token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _token_requests(server: SandboxServer) -> int:
    return sum(1 for r in server.request_log if r.path == "/v2/link/token")


class _CheckingOut(io.StringIO):
    """stdout that, at the moment the link is written, looks in the history file."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db
        self.rows_seen: list[tuple[str, str]] | None = None

    def write(self, text: str) -> int:
        if self.rows_seen is None and "token=" in text:
            with sqlite3.connect(self.db) as conn:  # another connection: committed rows only
                self.rows_seen = conn.execute("SELECT fingerprint, route FROM handoffs").fetchall()
            conn.close()
        return super().write(text)


# ------------------------------------------------------------------ token


def test_token_commits_the_hand_off_before_printing_the_link(env, db, capsys) -> None:
    from vital_desktop.cli.main import build_parser
    from vital_desktop.cli.token_command import run_token

    user_id = _user(env)
    args = build_parser().parse_args(
        ["token", "--user-id", user_id, "--filter", "oura,fitbit",
         "--redirect-url", "https://clinic.example/done"]
    )  # fmt: skip
    out = _CheckingOut(db)
    assert run_token(args, os.environ, out, io.StringIO()) == 0
    link = out.getvalue().strip()
    assert out.rows_seen == [(fingerprint(_token_of(link)), "cli")]
    with HistoryStore(db) as store:
        (row,) = store.query()
    assert row.user_id == user_id and row.client_user_id is None
    assert (row.route, row.how, row.outcome) == ("cli", {"cli_printed"}, "pending")
    assert (row.environment, row.region, row.base_url) == ("sandbox", "us", env.base_url)
    assert row.filter == ("oura", "fitbit") and row.provider is None
    assert row.redirect_url == "https://clinic.example/done"


def test_no_history_records_nothing(env, db, capsys) -> None:
    assert main(["token", "--user-id", _user(env), "--provider", "oura", "--no-history"]) == 0
    assert "token=" in capsys.readouterr().out
    assert not db.exists()


def test_qr_picture_is_noted_as_a_way(env, db, tmp_path, capsys) -> None:
    png = tmp_path / "link.png"
    code = main(["token", "--user-id", _user(env), "--provider", "oura", "--qr-png", str(png)])
    assert code == 0 and png.exists()
    with HistoryStore(db) as store:
        assert store.query()[0].how == {"cli_printed", "qr_saved"}


def test_an_unusable_history_stops_the_run_before_a_link_is_spent(
    env, tmp_path, monkeypatch, capsys
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("VITAL_HISTORY_DB", str(blocker / "history.sqlite3"))
    assert main(["token", "--user-id", _user(env), "--provider", "oura"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "could not be used" in captured.err and "--no-history" in captured.err
    assert _token_requests(env) == 0


def test_a_damaged_history_is_moved_aside_and_the_run_goes_on(env, db, capsys) -> None:
    db.write_bytes(b"garbage, not SQLite\n" * 100)
    assert main(["token", "--user-id", _user(env), "--provider", "oura"]) == 0
    captured = capsys.readouterr()
    assert "token=" in captured.out
    assert "The history file was damaged; it was moved aside to " in captured.err
    assert len(list(db.parent.glob("history-corrupt-*.sqlite3"))) == 1
    with HistoryStore(db) as store:
        assert store.count() == 1


def test_neither_the_key_nor_the_token_reaches_the_file_or_its_wal(sandbox, db) -> None:
    key = sandbox.demo_key
    user_id = _user(sandbox)
    child_env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")
    }
    child_env.update(
        VITAL_API_KEY=key,
        VITAL_BASE_URL=sandbox.base_url,
        VITAL_HISTORY_DB=str(db),
        PYTHONPATH=str(ROOT),
    )
    # Held open, so the child's commits stay in the -wal file instead of being checkpointed
    # and the -wal deleted when it exits: both files are searched.
    with HistoryStore(db) as watcher:
        result = subprocess.run(
            [sys.executable, "-m", "vital_desktop.cli.main", "token", "--user-id", user_id,
             "--provider", "oura", "--json"],
            capture_output=True, text=True, timeout=60, env=child_env, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        token = _token_of(result.stdout.split('"link_web_url": "')[1].split('"')[0])
        assert len(token) > 20
        wal = Path(f"{db}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        contents = db.read_bytes() + wal.read_bytes()
        assert fingerprint(token).encode() in contents  # the row is there...
        for secret in (key, token, token[:24], token[-24:]):
            assert secret.encode() not in contents  # ...and no secret with it
        assert [row.user_id for row in watcher.query()] == [user_id]


# ------------------------------------------------------------------ matrix


def test_matrix_records_every_link_and_code_with_the_clinic_id(env, db, capsys) -> None:
    client_id = f"MRN-{uuid.uuid4().hex[:8]}"
    code = main(["matrix", "--client-user-id", client_id, "--create",
                 "--providers", "oura,apple_health_kit"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    with HistoryStore(db) as store:
        rows = store.query()
    assert sorted(row.provider for row in rows) == ["apple_health_kit", "oura"]
    assert {row.client_user_id for row in rows} == {client_id}
    assert {row.route for row in rows} == {"cli"}
    assert all(row.how == {"cli_printed"} and len(row.fingerprint) == 12 for row in rows)


def test_matrix_leaves_out_clinic_ids_when_the_policy_says_so(
    env, db, tmp_path, monkeypatch, capsys
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[settings]\nstore_client_ids = false\n", encoding="utf-8")
    monkeypatch.setenv("VITAL_POLICY_FILE", str(policy))
    client_id = f"MRN-{uuid.uuid4().hex[:8]}"
    assert main(["matrix", "--client-user-id", client_id, "--create", "--providers", "oura"]) == 0
    with HistoryStore(db) as store:
        (row,) = store.query()
    assert row.client_user_id is None and row.user_id
    assert client_id.encode() not in db.read_bytes()


def test_matrix_no_history(env, db, capsys) -> None:
    client_id = f"MRN-{uuid.uuid4().hex[:8]}"
    assert main(["matrix", "--client-user-id", client_id, "--create", "--providers", "oura",
                 "--no-history"]) == 0  # fmt: skip
    assert not db.exists()


# ------------------------------------------------------------------ history


def _seed(db: Path) -> dict[str, int]:
    now = datetime.now(UTC)
    with HistoryStore(db) as store:
        ids = {
            "old": store.record(
                user_id="1b4e28ba-2fa1-41d2-883f-0016d3cca427", route="web_link", secret="a",
                environment="sandbox", region="us", base_url="https://x", provider="oura",
                client_user_id="MRN-OLD", created_at=now - timedelta(days=10),
            ),
            "new": store.record(
                user_id="0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b", route="app_code", secret="b",
                environment="production", region="eu", base_url="https://y",
                provider="apple_health_kit", client_user_id='ward "3",\nbed 7',
                created_at=now - timedelta(hours=1), how=("qr_shown",),
            ),
        }  # fmt: skip
        store.set_outcome(ids["new"], "connected", "Apple Health at 14:02")
    return ids


def test_history_prints_a_table_newest_first_in_local_time(env, db, capsys) -> None:
    ids = _seed(db)
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["When", "(local)"]
    assert "apple_health_kit" in lines[1] and "connected: Apple Health at 14:02" in lines[1]
    assert 'ward "3",\\x0abed 7' in lines[1]  # a line break in an id is shown, not obeyed
    assert "MRN-OLD" in lines[2] and "oura" in lines[2]
    with HistoryStore(db) as store:
        local = store.get(ids["old"]).created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert lines[2].startswith(local)
    assert len(lines) == 3


def test_history_filters(env, db, capsys) -> None:
    _seed(db)
    day = (datetime.now(UTC) - timedelta(days=5)).astimezone().date().isoformat()
    for args, wanted in (
        (["--since", day], ["apple_health_kit"]),
        (["--until", day], ["MRN-OLD"]),
        (["--user", "mrn-old"], ["MRN-OLD"]),
        (["--user", "0b9e8f3a"], ["apple_health_kit"]),
        (["--provider", "oura"], ["MRN-OLD"]),
        (["--outcome", "connected"], ["apple_health_kit"]),
        (["--env", "production"], ["apple_health_kit"]),
    ):
        assert main(["history", *args]) == 0
        body = capsys.readouterr().out.splitlines()[1:]
        assert len(body) == 1 and wanted[0] in body[0], (args, body)
    assert main(["history", "--outcome", "expired"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No hand-offs match." in captured.err


def test_history_exports_csv(env, db, tmp_path, capsys) -> None:
    ids = _seed(db)
    out = tmp_path / "export.csv"
    assert main(["history", "--csv", str(out)]) == 0
    assert "Wrote 2 hand-offs" in capsys.readouterr().err
    rows = read_csv(out)
    assert [int(r["id"]) for r in rows] == [ids["new"], ids["old"]]
    assert rows[0]["client_user_id"] == 'ward "3",\nbed 7'
    assert rows[0]["created_at"].endswith("Z")


def test_history_with_db_and_bad_input(env, tmp_path, capsys) -> None:
    other = tmp_path / "other.sqlite3"
    _seed(other)
    assert main(["history", "--db", str(other), "--provider", "oura"]) == 0
    assert "MRN-OLD" in capsys.readouterr().out
    assert main(["history", "--since", "last tuesday"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["history", "--db", str(tmp_path / "missing.sqlite3")]) == 0
    assert "No hand-offs recorded yet" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()


def test_history_help_stays_light() -> None:
    code = (
        "import sys\n"
        "from vital_desktop.cli.main import main\n"
        "for argv in (['history', '--help'], ['--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('sqlite3', 'vital_desktop.core.history_store') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
