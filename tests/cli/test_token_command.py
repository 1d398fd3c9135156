"""``vital-link token`` against the sandbox server over real HTTP: output and exit codes."""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from cli.servers import CannedServer, TrickleServer, running
from cli.terminal_image import DARK, LIGHT, decode, render
from vital_desktop.cli.main import main
from vital_desktop.cli.token_command import draw_terminal_qr
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.qr import MAX_QR_BYTES
from vital_desktop.sandbox import SandboxServer

UNKNOWN_USER = "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b"
FAKE_KEY = "sk_us_0123456789abcdef"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer) -> SandboxServer:
    monkeypatch.setenv("VITAL_API_KEY", sandbox.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", sandbox.base_url)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return sandbox


def _user(server: SandboxServer) -> str:
    return str(server.state.create_user(f"cli-patient-{uuid.uuid4().hex}")["user_id"])


def _token_requests(server: SandboxServer) -> list[object]:
    return [r for r in server.request_log if r.path == "/v2/link/token"]


def _run(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real ``vital-link`` as its own process (stdout a pipe, not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "vital_desktop.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _child_env(**extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")
    }
    return {**base, **extra}


# ------------------------------------------------------------------ the link


def test_prints_the_link_and_exits_zero(env, capsys) -> None:
    user_id = _user(env)
    code = main(["token", "--user-id", user_id, "--provider", "oura"])
    out = capsys.readouterr().out.strip()
    assert code == 0
    assert out.startswith(env.base_url + "/link/?token=")
    assert "env=sandbox" in out and "region=us" in out
    assert _token_requests(env)[-1].body == {"user_id": user_id, "provider": "oura"}


def test_json_output_and_filter_are_sent(env, capsys) -> None:
    user_id = _user(env)
    code = main(["token", "--user-id", f"  '{user_id}' ", "--filter", "oura, fitbit", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["link_web_url"].startswith(env.base_url)
    query = parse_qs(urlsplit(payload["link_web_url"]).query)
    assert query["token"] == [payload["link_token"]]
    assert (payload["environment"], payload["region"]) == ("sandbox", "us")
    assert _token_requests(env)[-1].body == {
        "user_id": user_id,
        "filter_on_providers": ["oura", "fitbit"],
    }


def test_json_expiry_is_the_tokens_own_not_a_constant(monkeypatch, capsys) -> None:
    # The stand-in issues 90-second tokens; the CLI's setting is ten minutes. The honest
    # answer is the shorter one, as the window shows it.
    with SandboxServer(link_ttl=90.0) as server:
        monkeypatch.setenv("VITAL_API_KEY", server.demo_key)
        monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
        before = time.time()
        assert main(["token", "--user-id", _user(server), "--json"]) == 0
        after = time.time()
    payload = json.loads(capsys.readouterr().out)
    left = payload["valid_for_seconds"]
    assert isinstance(left, int) and 80 <= left <= 90
    stamp = payload["expires_at"]
    assert stamp.endswith(("Z", "+00:00"))
    expires = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert expires.tzinfo is not None and expires.utcoffset().total_seconds() == 0
    assert before + left - 2 <= expires.timestamp() <= after + left + 2
    assert expires.astimezone(UTC).timestamp() < after + 120


# ------------------------------------------------------------------- QR codes


def test_link_comes_first_then_a_plain_qr_that_decodes(env, capsys) -> None:
    code = main(["token", "--user-id", _user(env), "--qr", "--color", "never"])
    out = capsys.readouterr().out
    first, drawing = out.split("\n", 1)
    assert code == 0
    assert first.startswith(env.base_url + "/link/?token=")
    assert "\x1b" not in drawing
    assert decode(render(drawing, DARK)) == [first]


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=lambda t: t.name)
def test_colour_qr_decodes_on_light_and_dark_terminals(env, capsys, theme) -> None:
    code = main(["token", "--user-id", _user(env), "--qr", "--color", "always"])
    first, drawing = capsys.readouterr().out.split("\n", 1)
    assert code == 0
    assert decode(render(drawing, theme)) == [first]


def test_colour_auto_stays_plain_when_not_a_terminal_or_no_color(env, capsys, monkeypatch) -> None:
    assert main(["token", "--user-id", _user(env), "--qr"]) == 0
    assert "\x1b" not in capsys.readouterr().out  # captured output is not a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["token", "--user-id", _user(env), "--qr"]) == 0
    assert "\x1b" not in capsys.readouterr().out


def test_colour_auto_colours_a_terminal(env, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("TERM", raising=False)
    assert main(["token", "--user-id", _user(env), "--qr"]) == 0
    captured = capsys.readouterr()
    first, drawing = captured.out.split("\n", 1)
    assert "\x1b[" in drawing
    assert decode(render(drawing, LIGHT)) == [first]
    assert "valid for about 10 minutes" in captured.err


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_console_without_block_characters_keeps_the_link(env, encoding) -> None:
    result = _run(
        ["token", "--user-id", _user(env), "--qr"],
        _child_env(
            VITAL_API_KEY=env.demo_key, VITAL_BASE_URL=env.base_url, PYTHONIOENCODING=encoding
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(env.base_url + "/link/?token=")
    assert len(result.stdout.strip().splitlines()) == 1
    assert result.stderr.count("\n") == 1 and "No QR code drawn" in result.stderr
    assert codecs.lookup(encoding).name in result.stderr and "Traceback" not in result.stderr
    assert len(_token_requests(env)) == 1


def test_the_program_loads_only_what_a_plain_link_needs(env, tmp_path) -> None:
    # Run as the program (no argv: what the console script does), with the key in
    # $VITAL_API_KEY and a plain http stand-in: no keychain, no QR encoder or picture
    # library, no system trust store (no TLS here), no Qt and no stand-in code.
    script = (
        "import atexit, sys\n"
        "heavy = ('keyring', 'vital_desktop.core.keystore', 'segno', 'PIL', 'truststore', "
        "'PySide6', 'vital_desktop.sandbox', 'vital_desktop.qt')\n"
        "atexit.register(lambda: print('LOADED', sorted(m for m in heavy if m in sys.modules), "
        "file=sys.stderr))\n"
        "from vital_desktop.cli.main import main\n"
        "sys.exit(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "token", "--user-id", _user(env), "--provider", "oura"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_child_env(
            VITAL_API_KEY=env.demo_key,
            VITAL_BASE_URL=env.base_url,
            VITAL_HISTORY_DB=str(tmp_path / "history.sqlite3"),
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(env.base_url + "/link/?token=")
    assert "LOADED []" in result.stderr, result.stderr
    assert len(_token_requests(env)) == 1


def test_a_link_too_long_for_a_qr_gets_a_sentence_not_a_drawing() -> None:
    # The core now refuses such a reply outright, so no server can bring one this far; the
    # command's own guard is checked directly, as run_token calls it after the link.
    out, err = io.StringIO(), io.StringIO()
    draw_terminal_qr("https://link.example/?token=" + "a" * MAX_QR_BYTES, False, out, err)
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1
    assert "longer than a QR code can hold" in err.getvalue()


def test_qr_png_decodes_to_the_link(env, capsys, tmp_path: Path) -> None:
    path = tmp_path / "link.png"
    assert main(["token", "--user-id", _user(env), "--qr-png", str(path)]) == 0
    link = capsys.readouterr().out.strip()
    with Image.open(path) as image:
        found = [r.text for r in zxingcpp.read_barcodes(image.convert("L"), try_invert=False)]
    assert found == [link]


def test_qr_png_into_a_missing_folder_is_refused_before_sending(env, capsys, tmp_path) -> None:
    path = tmp_path / "no-such-folder" / "link.png"
    assert main(["token", "--user-id", _user(env), "--qr-png", str(path)]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert _token_requests(env) == []


def test_json_and_terminal_qr_cannot_be_mixed(env, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token", "--user-id", UNKNOWN_USER, "--json", "--qr"])
    assert exit_info.value.code == 2
    assert _token_requests(env) == []


# ---------------------------------------------------------- text from servers


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\r\x7f\x9b31m\u202egnp.exe\u2066\u200b"


def test_a_link_with_control_characters_is_never_printed_raw(monkeypatch, capsys) -> None:
    # The core refuses such a link (exit 3); whatever is said about it must be inert too.
    # safe_text itself is covered character by character in test_output.py.
    link = "https://link.example/?token=abc" + HOSTILE
    with running(CannedServer(200, {"link_token": "t", "link_web_url": link})) as server:
        monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
        monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
        assert main(["token", "--user-id", UNKNOWN_USER, "--verbose", "--qr"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    for raw in ("\x1b", "\x07", "\r", "\x7f", "\x9b", "\u202e", "\u2066", "\u200b"):
        assert raw not in captured.err


def test_control_characters_in_server_errors_are_made_inert(monkeypatch, capsys) -> None:
    body = {"detail": {"error_type": "INVALID_REQUEST", "error_message": "bad" + HOSTILE}}
    with running(CannedServer(400, body)) as server:
        monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
        monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
        assert main(["token", "--user-id", UNKNOWN_USER, "--verbose"]) == 3
    err = capsys.readouterr().err
    assert "bad\\x1b]0;pwned" in err  # the server's words are shown, escaped
    for raw in ("\x1b", "\x07", "\r", "\x7f", "\x9b", "\u202e", "\u2066"):
        assert raw not in err


# --------------------------------------------------------------- --timeout


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf", "soon"])
def test_timeout_must_be_finite_and_positive(env, capsys, value) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token", "--user-id", UNKNOWN_USER, f"--timeout={value}"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "--timeout" in err and err.count("\n") == 1
    assert env.request_log.snapshot() == []


@pytest.mark.parametrize("head_first", [False, True], ids=["trickled-head", "trickled-body"])
def test_timeout_bounds_a_trickling_server(monkeypatch, capsys, head_first) -> None:
    with running(TrickleServer(head_first)) as server:
        monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
        monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
        start = time.monotonic()
        code = main(["token", "--user-id", UNKNOWN_USER, "--timeout", "2"])
        elapsed = time.monotonic() - start
    assert code == 4
    assert "did not answer in time" in capsys.readouterr().err
    assert 1.5 <= elapsed < 5


# ----------------------------------------------------------- phone-only


@pytest.mark.parametrize(
    ("args", "slug"),
    [
        (["--provider", "apple_health_kit"], "apple_health_kit"),
        (["--filter", "oura,omron_ble"], "omron_ble"),
        (["--filter", "manual"], "manual"),
    ],
)
def test_phone_only_providers_are_refused_with_the_windows_sentence(
    env, capsys, args, slug
) -> None:
    assert main(["token", "--user-id", UNKNOWN_USER, *args]) == 2
    reason = bundled_catalogue().get(slug).unavailable_reason
    assert reason and capsys.readouterr().err == reason + "\n"
    assert env.request_log.snapshot() == []


# ------------------------------------------------------- errors and codes


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--user-id", "not-a-uuid"], "user ID"),
        (["--user-id", UNKNOWN_USER, "--provider", "Oura!"], "provider"),
        (["--user-id", UNKNOWN_USER, "--redirect-url", "javascript:alert(1)"], "javascript"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(env, capsys, args, fragment) -> None:
    code = main(["token", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err
    assert env.request_log.snapshot() == []


@pytest.mark.parametrize(
    "variables",
    [
        {"HTTPS_PROXY": "ftp://x"},
        {"HTTPS_PROXY": "http://[bad"},
        {"SSL_CERT_FILE": "/nonexistent/ca.pem"},
        {"VITAL_BASE_URL": "http://[bad"},
    ],
    ids=["proxy-scheme", "proxy-malformed", "ssl-cert-file", "base-url"],
)
def test_client_setup_errors_are_one_sentence_not_a_traceback(variables) -> None:
    result = _run(
        ["token", "--user-id", UNKNOWN_USER, "--timeout", "5"],
        _child_env(VITAL_API_KEY=FAKE_KEY, **variables),
    )
    assert result.returncode in (2, 4), result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("."), result.stderr
    assert result.stdout == ""


def test_management_key_is_refused_before_sending(env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VITAL_API_KEY", "mg_live_abcdef")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 2
    assert "management key" in capsys.readouterr().err
    assert env.request_log.snapshot() == []


def test_missing_key_exits_2(env, monkeypatch, capsys) -> None:
    monkeypatch.delenv("VITAL_API_KEY")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 2
    assert "No API key" in capsys.readouterr().err


def test_key_disagreeing_with_chosen_environment_exits_2(monkeypatch, capsys) -> None:
    monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
    monkeypatch.delenv("VITAL_BASE_URL", raising=False)
    # Production is a real host: the mismatch must be caught before any connection is tried.
    assert main(["token", "--user-id", UNKNOWN_USER, "--env", "production"]) == 2
    err = capsys.readouterr().err
    assert "sandbox US key" in err and "production US" in err


def test_unknown_user_exits_3_with_the_sentence(env, capsys) -> None:
    assert main(["token", "--user-id", UNKNOWN_USER]) == 3
    err = capsys.readouterr().err
    assert "no such user" in err
    assert env.demo_key not in err


def test_wrong_region_key_is_refused_by_the_api(env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VITAL_API_KEY", "sk_eu_0123456789abcdef")
    assert main(["token", "--user-id", _user(env), "--verbose"]) == 3
    err = capsys.readouterr().err
    assert "did not accept the API key" in err
    assert "HTTP status: 401" in err
    assert "sk_eu_0123456789abcdef" not in err


def test_server_error_exits_3(env, capsys) -> None:
    env.faults.add("/v2/link/token=500")
    assert main(["token", "--user-id", _user(env)]) == 3
    assert "error 500" in capsys.readouterr().err


def test_network_failure_exits_4(monkeypatch, capsys) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
    monkeypatch.setenv("VITAL_BASE_URL", f"http://127.0.0.1:{port}")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 4
    assert "Could not connect" in capsys.readouterr().err


def test_plain_http_to_another_host_is_refused(monkeypatch, capsys) -> None:
    monkeypatch.setenv("VITAL_API_KEY", FAKE_KEY)
    monkeypatch.setenv("VITAL_BASE_URL", "http://api.example.com")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 2
    assert "https://" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token"])
    assert exit_info.value.code == 2
    assert "--user-id" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["\ud800", "\x00", "a\x00b.png"])
def test_an_unusable_qr_png_name_is_refused_before_anything_is_sent(path: str) -> None:
    from vital_desktop.cli.main import main as cli_main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli_main(
            ["token", "--user-id", "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "--qr-png", path]
        )
    assert code == 2
    assert "not a usable file name" in err.getvalue()
    assert "Traceback" not in err.getvalue()
