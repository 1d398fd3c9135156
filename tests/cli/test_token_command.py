"""``vital-link token`` against the sandbox server over real HTTP: output and exit codes."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from vital_desktop.cli.main import main
from vital_desktop.sandbox import SandboxServer

UNKNOWN_USER = "0b9e8f3a-7c1d-4e2f-9a8b-1c2d3e4f5a6b"


@pytest.fixture
def server():
    with SandboxServer() as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, server: SandboxServer) -> SandboxServer:
    monkeypatch.setenv("VITAL_API_KEY", server.demo_key)
    monkeypatch.setenv("VITAL_BASE_URL", server.base_url)
    return server


def _user(server: SandboxServer) -> str:
    return str(server.state.create_user("cli-patient")["user_id"])


def _decode_terminal_qr(text: str) -> str:
    """Turn the half-block drawing back into pixels and decode it with a real decoder."""
    drawn_top = {"\u2588", "\u2580"}  # glyphs whose upper half is drawn (a light module)
    drawn_bottom = {"\u2588", "\u2584"}
    lines = [
        line for line in text.splitlines() if line and set(line) <= {*drawn_top, *drawn_bottom, " "}
    ]
    width = len(lines[0])
    scale = 6
    image = Image.new("L", (width * scale, len(lines) * 2 * scale), 0)
    for row, line in enumerate(lines):
        for col, glyph in enumerate(line):
            for half, drawn in ((0, drawn_top), (1, drawn_bottom)):
                if glyph in drawn:
                    box = (col * scale, (2 * row + half) * scale)
                    image.paste(255, (*box, box[0] + scale, box[1] + scale))
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found in the terminal drawing"
    return str(results[0].text)


def test_prints_the_link_and_exits_zero(env, capsys) -> None:
    user_id = _user(env)
    code = main(["token", "--user-id", user_id, "--provider", "oura"])
    out = capsys.readouterr().out.strip()
    assert code == 0
    assert out.startswith(env.base_url + "/link/?token=")
    assert "env=sandbox" in out and "region=us" in out
    sent = [r for r in env.request_log if r.path == "/v2/link/token"][-1]
    assert sent.body == {"user_id": user_id, "provider": "oura"}


def test_json_output_and_filter_are_sent(env, capsys) -> None:
    user_id = _user(env)
    code = main(["token", "--user-id", f"  '{user_id}' ", "--filter", "oura, fitbit", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["link_web_url"].startswith(env.base_url)
    query = parse_qs(urlsplit(payload["link_web_url"]).query)
    assert query["token"] == [payload["link_token"]]
    assert (payload["environment"], payload["region"]) == ("sandbox", "us")
    sent = [r for r in env.request_log if r.path == "/v2/link/token"][-1]
    assert sent.body == {"user_id": user_id, "filter_on_providers": ["oura", "fitbit"]}


def test_qr_in_the_terminal_decodes_to_the_link(env, capsys) -> None:
    code = main(["token", "--user-id", _user(env), "--qr"])
    out = capsys.readouterr().out
    url = out.strip().splitlines()[-1]
    assert code == 0
    assert _decode_terminal_qr(out) == url


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
    monkeypatch.setenv("VITAL_API_KEY", "sk_us_0123456789abcdef")
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
    monkeypatch.setenv("VITAL_API_KEY", "sk_us_0123456789abcdef")
    monkeypatch.setenv("VITAL_BASE_URL", f"http://127.0.0.1:{port}")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 4
    assert "Could not connect" in capsys.readouterr().err


def test_plain_http_to_another_host_is_refused(monkeypatch, capsys) -> None:
    monkeypatch.setenv("VITAL_API_KEY", "sk_us_0123456789abcdef")
    monkeypatch.setenv("VITAL_BASE_URL", "http://api.example.com")
    assert main(["token", "--user-id", UNKNOWN_USER]) == 2
    assert "https://" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token"])
    assert exit_info.value.code == 2
    assert "--user-id" in capsys.readouterr().err
