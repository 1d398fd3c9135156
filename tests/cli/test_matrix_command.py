"""``vital-link matrix`` against the sandbox stand-in over real HTTP: rows, reports, exit codes."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from vital_desktop.cli.main import build_parser, main
from vital_desktop.cli.matrix_command import run_matrix
from vital_desktop.cli.matrix_report import (
    CSV_COLUMNS,
    MatrixReport,
    MatrixRow,
    fingerprint,
    format_table,
    render_html,
    write_csv,
)
from vital_desktop.core.client import DEMO_PROVIDERS
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.sandbox import SandboxServer

UNKNOWN_USER = "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b"
TRICKY_CLIENT_ID = 'qa,"matrix" 7, ward B'
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] ([a-z0-9_]+): (web link|app code|demo connect) "
                      r"(ok|failed|skipped) \((\d+\.\d\d) s\)")  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> SandboxServer:
    monkeypatch.setenv("VITAL_API_KEY", sandbox.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", sandbox.base_url)
    return sandbox


def _user(server: SandboxServer, client_id: str | None = None) -> str:
    name = client_id or f"matrix-patient-{uuid.uuid4().hex}"
    return str(server.state.create_user(name)["user_id"])


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


class _TableRows(HTMLParser):
    """The text of every cell of the report's table, row by row, plus the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.row_classes: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._in_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if tag == "table":
            self._in_table = True
        elif tag == "tr" and self._in_table:
            self.rows.append([])
            self.row_classes.append(values.get("class") or "")
        elif tag in ("td", "th") and self._in_table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse_html(path: Path) -> _TableRows:
    parser = _TableRows()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _progress_lines(stderr: str) -> list[re.Match[str]]:
    return [m for line in stderr.splitlines() if (m := PROGRESS.match(line))]


def _assert_no_secrets(text: str, server: SandboxServer) -> None:
    """No key (or a long piece of it), no link, no token, no app code anywhere in ``text``."""
    key = server.demo_key
    assert key not in text
    assert key[len("sk_us_") :][:12] not in text
    assert "token=" not in text and server.base_url + "/link" not in text
    assert "eyJ" not in text  # every JWT (the link token) starts with it
    assert "tryvital://" not in text
    assert not re.search(r"(sk|pk)(us|eu)[0-9a-f]{8}", text)  # a link code


# ------------------------------------------------------------- the whole matrix


def test_whole_matrix_passes_with_csv_and_html_reports(env, tmp_path, capsys) -> None:
    csv_path, html_path = tmp_path / "matrix.csv", tmp_path / "matrix.html"
    code = main(
        [
            "matrix",
            "--client-user-id",
            TRICKY_CLIENT_ID,
            "--create",
            "--demo-connect",
            "--csv",
            str(csv_path),
            "--html",
            str(html_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    user_id = str(env.state.resolve(TRICKY_CLIENT_ID)["user_id"])
    catalogue = bundled_catalogue()  # the stand-in serves exactly the bundled table
    expected: list[tuple[str, str]] = []
    names: list[str] = []
    for provider in catalogue:
        expected.append((provider.slug, "web-link" if provider.linkable else "app-code"))
        names.append(provider.name)
        if provider.slug in DEMO_PROVIDERS:  # its demo connection follows its own row
            expected.append((provider.slug, "demo-connect"))
            names.append(provider.name)
    assert len(expected) == len(catalogue) + len(DEMO_PROVIDERS)

    rows = _read_csv(csv_path)
    assert [(r["provider"], r["route"]) for r in rows] == expected
    for row, name in zip(rows, names, strict=True):
        assert row["outcome"] == "ok", row
        assert row["name"] == name
        assert row["user_id"] == user_id
        assert row["client_user_id"] == TRICKY_CLIENT_ID  # comma and quotes round-trip
        assert float(row["seconds"]) >= 0
        pattern = {
            "web-link": r"Link issued \(sha256 [0-9a-f]{8}\)\.",
            "app-code": r"App code issued \(sha256 [0-9a-f]{8}\), valid until .+\.",
            "demo-connect": r"Demo connection made and seen connected after \d+ polls?\.",
        }[row["route"]]
        assert re.fullmatch(pattern, row["sentence"]), row
    # Every link and code was a fresh one: no two fingerprints alike.
    prints = [m.group(1) for r in rows if (m := re.search(r"sha256 ([0-9a-f]{8})", r["sentence"]))]
    assert len(prints) == len(catalogue) and len(set(prints)) == len(prints)

    # What the stand-in received: one token per web provider, straight to it, and one code
    # per phone-only provider.
    tokens = env.request_log.matching("POST", "/v2/link/token")
    assert [t.body for t in tokens] == [
        {"user_id": user_id, "provider": slug} for slug, route in expected if route == "web-link"
    ]
    codes = env.request_log.matching("POST", "/v2/link/code/create")
    assert len(codes) == sum(1 for _, route in expected if route == "app-code")
    assert all(c.query == {"user_id": user_id} for c in codes)
    demos = env.request_log.matching("POST", "/v2/link/connect/demo")
    assert [d.body for d in demos] == [
        {"user_id": user_id, "provider": slug}
        for slug, route in expected
        if route == "demo-connect"
    ]
    assert {c["slug"] for c in env.state.connections(user_id)} == set(DEMO_PROVIDERS)

    page = _parse_html(html_path)
    assert page.rows[0] == ["provider", "route", "outcome", "seconds", "sentence"]
    assert len(page.rows) - 1 == len(rows)
    for cells, row, css in zip(page.rows[1:], rows, page.row_classes[1:], strict=True):
        assert cells == [row["provider"], row["route"], row["outcome"], row["seconds"],
                         row["sentence"]]  # fmt: skip
        assert css == "ok"
    text = "".join(page.text)
    n = len(rows)
    assert f"{n} rows: {n} ok, 0 failed, 0 skipped." in text
    assert "sandbox US" in text and env.base_url in text
    stamp = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", text)
    assert stamp is not None
    when = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 120
    assert TRICKY_CLIENT_ID in text and user_id in text
    # Self-contained: inline style, no script, nothing fetched from elsewhere.
    assert "style" in page.tags and "script" not in page.tags and "link" not in page.tags
    assert page.links == []
    _assert_no_secrets(html_path.read_text(encoding="utf-8"), env)
    _assert_no_secrets(csv_path.read_text(encoding="utf-8"), env)

    # stdout: the table, a line per row; stderr: a progress line per row, then the summary.
    table = captured.out.strip().splitlines()
    assert table[0].split() == ["provider", "route", "outcome", "seconds", "sentence"]
    assert [line.split()[:3] for line in table[1:]] == [[s, r, "ok"] for s, r in expected]
    _assert_no_secrets(captured.out + captured.err, env)
    progress = _progress_lines(captured.err)
    assert [(int(m[1]), int(m[2]), m[3], m[5]) for m in progress] == [
        (i, n, slug, "ok") for i, (slug, _) in enumerate(expected, start=1)
    ]
    assert captured.err.strip().splitlines()[-1] == f"{n} rows: {n} ok, 0 failed, 0 skipped."


def test_a_providers_list_gives_one_web_link_and_one_app_code(env, tmp_path, capsys) -> None:
    user_id = _user(env)
    csv_path = tmp_path / "two.csv"
    code = main(
        [
            "matrix",
            "--user-id",
            user_id,
            "--providers",
            " oura, apple_health_kit,oura",
            "--csv",
            str(csv_path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    rows = _read_csv(csv_path)
    assert [(r["provider"], r["route"], r["outcome"]) for r in rows] == [
        ("oura", "web-link", "ok"),
        ("apple_health_kit", "app-code", "ok"),
    ]
    assert [t.body for t in env.request_log.matching("POST", "/v2/link/token")] == [
        {"user_id": user_id, "provider": "oura"}
    ]
    assert len(env.request_log.matching("POST", "/v2/link/code/create")) == 1


def test_demo_connect_sees_both_connections(env, tmp_path, capsys) -> None:
    user_id = _user(env)
    html_path = tmp_path / "demo.html"
    code = main(
        [
            "matrix",
            "--user-id",
            user_id,
            "--providers",
            "oura,fitbit",
            "--demo-connect",
            "--html",
            str(html_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    page = _parse_html(html_path)
    assert [cells[:3] for cells in page.rows[1:]] == [
        ["oura", "web-link", "ok"],
        ["oura", "demo-connect", "ok"],
        ["fitbit", "web-link", "ok"],
        ["fitbit", "demo-connect", "ok"],
    ]
    assert all(
        "seen connected" in cells[4] for cells in page.rows[1:] if cells[1] == "demo-connect"
    )
    demos = env.request_log.matching("POST", "/v2/link/connect/demo")
    assert [d.body for d in demos] == [
        {"user_id": user_id, "provider": "oura"},
        {"user_id": user_id, "provider": "fitbit"},
    ]
    assert len(env.request_log.matching("GET", f"/v2/user/providers/{user_id}")) >= 2
    assert {c["slug"] for c in env.state.connections(user_id)} == {"oura", "fitbit"}
    assert [m[4] for m in _progress_lines(captured.err)] == [
        "web link", "demo connect", "web link", "demo connect"
    ]  # fmt: skip


class FakeTime:
    """A clock that moves only when slept on, and the sleeps asked of it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _run_direct(argv: list[str], server: SandboxServer, fake: FakeTime) -> tuple[int, str, str]:
    args = build_parser().parse_args(argv)
    environ = {"VITAL_API_KEY": server.demo_key, "VITAL_BASE_URL": server.base_url}
    out, err = io.StringIO(), io.StringIO()
    code = run_matrix(args, environ, out, err, sleep=fake.sleep, clock=fake.clock)
    return code, out.getvalue(), err.getvalue()


def test_demo_connection_is_polled_until_it_shows_up(sandbox) -> None:
    # The first two looks at the connected providers fail; the third sees the connection.
    user_id = _user(sandbox)
    sandbox.faults.add("GET /v2/user/providers/{user_id}=500,times=2")
    fake = FakeTime()
    code, out, err = _run_direct(
        ["matrix", "--user-id", user_id, "--providers", "fitbit", "--demo-connect"],
        sandbox,
        fake,
    )
    assert code == 0, err
    assert len(sandbox.request_log.matching("GET", f"/v2/user/providers/{user_id}")) == 3
    assert len(fake.sleeps) == 2 and all(0.5 <= s <= 2.0 for s in fake.sleeps)
    demo_line = [line for line in out.splitlines() if "demo-connect" in line]
    assert len(demo_line) == 1 and "after 3 polls" in demo_line[0]


def test_demo_connection_never_seen_fails_after_the_poll_timeout(sandbox) -> None:
    user_id = _user(sandbox)
    sandbox.faults.add("GET /v2/user/providers/{user_id}=500")
    fake = FakeTime()
    code, out, _ = _run_direct(
        [
            "matrix",
            "--user-id",
            user_id,
            "--providers",
            "oura",
            "--demo-connect",
            "--poll-timeout",
            "12",
        ],
        sandbox,
        fake,
    )
    assert code == 3
    assert sum(fake.sleeps) == pytest.approx(12.0)
    assert all(s <= 2.0 for s in fake.sleeps) and all(s >= 0.5 for s in fake.sleeps[:-1])
    polls = sandbox.request_log.matching("GET", f"/v2/user/providers/{user_id}")
    assert len(polls) == len(fake.sleeps) + 1
    lines = {line.split()[1]: line for line in out.splitlines()[1:]}
    assert lines["web-link"].split()[2] == "ok"
    assert lines["demo-connect"].split()[2] == "failed"
    assert "within 12 s" in lines["demo-connect"] and "error 500" in lines["demo-connect"]


def test_demo_connect_in_production_is_refused(monkeypatch, capsys, sandbox) -> None:
    monkeypatch.setenv("VITAL_API_KEY", "pk_us_" + "0123456789abcdef" * 2)
    monkeypatch.delenv("VITAL_BASE_URL", raising=False)
    code = main(["matrix", "--user-id", UNKNOWN_USER, "--demo-connect"])
    captured = capsys.readouterr()
    assert code == 2
    assert "only in sandbox" in captured.err and "production US" in captured.err
    assert captured.out == ""
    assert "0123456789abcdef" not in captured.err


# ------------------------------------------------------------------ failures


def test_a_fault_on_one_provider_fails_that_row_only(env, tmp_path, capsys) -> None:
    user_id = _user(env)
    # The first token request of the run answers 500 (not retried); the rest are fine.
    env.faults.add("POST /v2/link/token=500,times=1")
    csv_path, html_path = tmp_path / "f.csv", tmp_path / "f.html"
    code = main(
        [
            "matrix",
            "--user-id",
            user_id,
            "--providers",
            "garmin,oura,health_connect",
            "--csv",
            str(csv_path),
            "--html",
            str(html_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    rows = _read_csv(csv_path)
    assert [(r["provider"], r["route"], r["outcome"]) for r in rows] == [
        ("garmin", "web-link", "failed"),
        ("oura", "web-link", "ok"),
        ("health_connect", "app-code", "ok"),
    ]
    assert "error 500" in rows[0]["sentence"]
    page = _parse_html(html_path)
    assert page.row_classes[1:] == ["failed", "ok", "ok"]
    assert "3 rows: 2 ok, 1 failed, 0 skipped." in "".join(page.text)
    progress = _progress_lines(captured.err)
    assert [m[5] for m in progress] == ["failed", "ok", "ok"]
    assert any(
        line.startswith("[1/3] garmin: web link failed") and "error 500" in line
        for line in captured.err.splitlines()
    )


def test_an_unknown_provider_fails_its_row(env, tmp_path, capsys) -> None:
    user_id = _user(env)
    csv_path = tmp_path / "u.csv"
    code = main(
        ["matrix", "--user-id", user_id, "--providers", "oura,no_such_band", "--csv", str(csv_path)]
    )
    assert code != 0 and code == 2
    rows = _read_csv(csv_path)
    assert [(r["provider"], r["outcome"]) for r in rows] == [
        ("oura", "ok"),
        ("no_such_band", "failed"),
    ]
    assert "not a provider Vital knows" in rows[1]["sentence"]
    # Refused locally: only oura's request reached the API.
    assert [t.body["provider"] for t in env.request_log.matching("POST", "/v2/link/token")] == [
        "oura"
    ]
    capsys.readouterr()


def test_a_network_failure_skips_the_rest_and_exits_4(env, tmp_path, capsys) -> None:
    user_id = _user(env)
    env.faults.add("POST /v2/link/token=drop")
    csv_path = tmp_path / "n.csv"
    code = main(
        [
            "matrix",
            "--user-id",
            user_id,
            "--providers",
            "oura,fitbit,garmin",
            "--csv",
            str(csv_path),
            "--timeout",
            "10",
        ]
    )
    captured = capsys.readouterr()
    assert code == 4, captured.err
    rows = _read_csv(csv_path)
    assert [r["outcome"] for r in rows] == ["failed", "skipped", "skipped"]
    assert len(env.request_log.matching("POST", "/v2/link/token")) == 1
    assert "1 failed, 2 skipped" in captured.err


def test_the_provider_list_failing_falls_back_to_the_bundled_table(env, capsys) -> None:
    user_id = _user(env)
    env.faults.add("GET /v2/providers=500")
    code = main(["matrix", "--user-id", user_id, "--providers", "oura,samsung_health"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "bundled table" in captured.err
    assert [line.split()[:3] for line in captured.out.splitlines()[1:]] == [
        ["oura", "web-link", "ok"],
        ["samsung_health", "app-code", "ok"],
    ]
    assert len(env.request_log.matching("GET", "/v2/providers")) == 1


# ------------------------------------------------------------------ the patient


def test_an_unknown_user_id_stops_before_any_row(env, capsys) -> None:
    code = main(["matrix", "--user-id", UNKNOWN_USER])
    captured = capsys.readouterr()
    assert code == 3
    assert "no such user" in captured.err
    assert captured.out == "" and not _progress_lines(captured.err)
    assert not env.request_log.matching("POST", "/v2/link/token")


def test_a_missing_client_id_needs_create(env, capsys) -> None:
    code = main(["matrix", "--client-user-id", "nobody-yet", "--providers", "oura"])
    captured = capsys.readouterr()
    assert code == 3 and "--create" in captured.err
    assert not env.request_log.matching("POST", "/v2/user")


def test_create_uses_the_existing_patient_on_a_duplicate(env, tmp_path, capsys) -> None:
    existing = _user(env, TRICKY_CLIENT_ID)
    csv_path = tmp_path / "d.csv"
    code = main(
        [
            "matrix",
            "--client-user-id",
            TRICKY_CLIENT_ID,
            "--create",
            "--providers",
            "oura",
            "--csv",
            str(csv_path),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(env.request_log.matching("POST", "/v2/user")) == 1  # answered 400 duplicate
    assert existing in captured.err
    rows = _read_csv(csv_path)
    assert rows[0]["user_id"] == existing and rows[0]["client_user_id"] == TRICKY_CLIENT_ID
    assert env.request_log.matching("POST", "/v2/link/token")[0].body["user_id"] == existing


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--client-user-id", "x", "--user-id", UNKNOWN_USER], "not allowed with"),
        (["--user-id", UNKNOWN_USER, "--create"], "--create needs --client-user-id"),
        (["--user-id", UNKNOWN_USER, "--providers", " , "], "names no provider"),
        (["--user-id", UNKNOWN_USER, "--poll-timeout", "0"], "above zero"),
        (["--user-id", UNKNOWN_USER, "--csv", "/no/such/folder/m.csv"], "no such folder"),
    ],
)
def test_bad_input_exits_2_before_any_request(env, capsys, argv, words) -> None:
    try:
        code = main(["matrix", *argv])
    except SystemExit as stop:  # argparse's own refusals
        code = stop.code
    assert code == 2
    assert words in capsys.readouterr().err
    assert len(env.request_log) == 0


# ------------------------------------------------------------------ writers


def test_csv_quotes_and_defuses_hostile_cells(tmp_path) -> None:
    rows = (
        MatrixRow("oura", "=HYPERLINK(\"http://x\")", "web-link", "failed",
                  'Vital said: "no",\nagain\x1b[2J', 0.5),
    )  # fmt: skip
    report = MatrixReport(rows, UNKNOWN_USER, 'a,b"c', "sandbox US", "test", datetime.now(UTC))
    path = tmp_path / "h.csv"
    write_csv(str(path), report)
    (row,) = _read_csv(path)
    assert row["name"].startswith("'=")  # a spreadsheet shows it, never runs it
    # Quoted, not split into rows; the escape sequence made visible.
    assert row["sentence"] == 'Vital said: "no",\nagain\\x1b[2J'
    assert row["client_user_id"] == 'a,b"c'


def test_html_and_table_make_server_text_inert() -> None:
    hostile = '<script>alert(1)</script>\x1b[2J\u202e"'
    rows = (MatrixRow("new_band", hostile, "web-link", "failed", hostile, 0.0),)
    report = MatrixReport(rows, UNKNOWN_USER, "<b>", "sandbox US", "test", datetime.now(UTC))
    page = render_html(report)
    assert "<script>" not in page and "<b>" not in page and "\x1b" not in page
    assert "\u202e" not in page and "&lt;script&gt;" in page
    table = format_table(rows)
    assert "\x1b" not in table and "\\x1b[2J" in table and "\\u202e" in table


def test_fingerprint_is_the_first_8_hex_of_sha256() -> None:
    link = "https://link.tryvital.io/?token=abc&env=sandbox&region=us"
    assert fingerprint(link) == hashlib.sha256(link.encode()).hexdigest()[:8]


# ------------------------------------------------------------------ the real command


def test_the_installed_command_runs_a_matrix(sandbox, tmp_path) -> None:
    user_id = _user(sandbox)
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")
    }
    environ.update(VITAL_API_KEY=sandbox.demo_key, VITAL_BASE_URL=sandbox.base_url)
    result = subprocess.run(
        [sys.executable, "-m", "vital_desktop.cli.main", "matrix", "--user-id", user_id,
         "--providers", "oura,manual", "--demo-connect", "--poll-timeout", "10"],
        capture_output=True, text=True, timeout=60, env=environ,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [line.split()[:3] for line in result.stdout.splitlines()[1:]] == [
        ["oura", "web-link", "ok"],
        ["oura", "demo-connect", "ok"],
        ["manual", "app-code", "ok"],
    ]
    assert [m[1] + "/" + m[2] for m in _progress_lines(result.stderr)] == ["1/3", "2/3", "3/3"]
    assert "Traceback" not in result.stderr
    _assert_no_secrets(result.stdout + result.stderr, sandbox)
