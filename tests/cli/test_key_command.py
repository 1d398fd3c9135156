"""``vital-link key`` and the stored key in ``vital-link token``, with an in-memory keychain
(a real keyring backend registered through ``keyring.set_keyring``) and the stand-in API."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator

import keyring
import pytest
from core.test_keystore import PRODUCTION_US, SANDBOX_EU, SANDBOX_US, MemoryKeyring
from keyring.backends import fail

from vital_desktop.cli.main import main
from vital_desktop.core.keystore import SERVICE
from vital_desktop.sandbox import SandboxServer


class Stdin(io.StringIO):
    """A piped standard input (not a terminal)."""

    def isatty(self) -> bool:
        return False


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("VITAL_API_KEY", raising=False)
    monkeypatch.delenv("VITAL_BASE_URL", raising=False)
    yield backend
    keyring.set_keyring(previous)


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", Stdin(stdin))
    return main(list(argv))


def test_set_reads_standard_input_and_status_masks(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "key", "set", stdin=SANDBOX_US + "\n") == 0
    out = capsys.readouterr().out
    assert "sandbox US" in out and "sk_us_…a1b2" in out and SANDBOX_US not in out
    assert memory.entries == {(SERVICE, "sandbox-us"): SANDBOX_US}

    assert run(monkeypatch, "key", "set", "--env", "production", "--region", "us",
               stdin=PRODUCTION_US) == 0  # fmt: skip
    capsys.readouterr()
    assert run(monkeypatch, "key", "status") == 0
    out = capsys.readouterr().out
    assert "MemoryKeyring" in out or memory.name in out
    lines = [line.split() for line in out.splitlines()[1:]]
    assert lines == [
        ["sandbox-us", "sk_us_…a1b2"],
        ["sandbox-eu", "(none)"],
        ["production-us", "pk_us_…9e8f"],
        ["production-eu", "(none)"],
    ]
    assert SANDBOX_US not in out and PRODUCTION_US not in out


@pytest.mark.parametrize(
    ("stdin", "flags", "words"),
    [
        ("", (), "No key on standard input"),
        ("\n", (), "No key on standard input"),
        ("mg_us_abcdef0123456789", (), "management key"),
        ("sk_us_abc def0123456789", (), "does not look like"),
        (SANDBOX_US + "\n" + SANDBOX_EU, (), "does not look like"),
        (SANDBOX_US, ("--env", "production"), "--env production"),
        (SANDBOX_US, ("--env", "sandbox", "--region", "eu"), "--region eu"),
    ],
    ids=["empty", "newline", "management", "space", "two-lines", "env", "region"],
)
def test_set_refuses_bad_input_with_exit_2(
    memory: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    flags: tuple[str, ...],
    words: str,
) -> None:
    assert run(monkeypatch, "key", "set", *flags, stdin=stdin) == 2
    captured = capsys.readouterr()
    assert words in captured.err
    assert "0123456789" not in captured.err + captured.out
    assert memory.entries == {}


def test_a_key_given_as_an_argument_is_refused_and_not_echoed(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "key", "set", SANDBOX_US, stdin=SANDBOX_US) == 2
    captured = capsys.readouterr()
    assert "standard input only" in captured.err
    assert "0123456789abcdef" not in captured.err + captured.out
    assert memory.entries == {}


def test_forget_needs_env_and_region_unless_one_key_is_stored(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "key", "forget") == 0
    assert "nothing to forget" in capsys.readouterr().out

    run(monkeypatch, "key", "set", stdin=SANDBOX_US)
    run(monkeypatch, "key", "set", stdin=SANDBOX_EU)
    capsys.readouterr()
    assert run(monkeypatch, "key", "forget") == 2
    assert "sandbox US, sandbox EU" in capsys.readouterr().err
    assert run(monkeypatch, "key", "forget", "--env", "sandbox") == 2
    assert len(memory.entries) == 2

    assert run(monkeypatch, "key", "forget", "--env", "sandbox", "--region", "eu") == 0
    assert "Removed the sandbox EU key" in capsys.readouterr().out
    assert list(memory.entries) == [(SERVICE, "sandbox-us")]
    assert run(monkeypatch, "key", "forget") == 0  # the only one left
    assert "Removed the sandbox US key" in capsys.readouterr().out
    assert memory.entries == {}
    assert run(monkeypatch, "key", "forget", "--env", "sandbox", "--region", "us") == 0
    assert "No sandbox US key was stored" in capsys.readouterr().out


def test_without_a_keychain_nothing_is_written_anywhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: os.PathLike[str]
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    home = os.fspath(tmp_path)
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, home)
    monkeypatch.chdir(home)
    try:
        assert run(monkeypatch, "key", "set", stdin=SANDBOX_US) == 2
        assert "No keychain is available" in capsys.readouterr().err
        assert run(monkeypatch, "key", "status") == 0
        assert "No keychain is available" in capsys.readouterr().out
        assert run(monkeypatch, "key", "forget") == 0
    finally:
        keyring.set_keyring(previous)
    assert os.listdir(home) == []


def test_token_uses_the_stored_key_and_the_variable_wins(
    memory: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
) -> None:
    user_id = str(sandbox.state.create_user("cli-keychain")["user_id"])
    monkeypatch.setenv("VITAL_BASE_URL", sandbox.base_url)
    token = ("token", "--user-id", user_id, "--provider", "oura", "--timeout", "5")

    assert run(monkeypatch, *token) == 2
    assert "No API key is set" in capsys.readouterr().err

    assert run(monkeypatch, "key", "set", stdin=sandbox.demo_key) == 0
    capsys.readouterr()
    assert run(monkeypatch, *token) == 0
    assert capsys.readouterr().out.startswith("http")

    # The variable wins for that run: the stand-in refuses this production key (401),
    # although the stored sandbox key is good.
    monkeypatch.setenv("VITAL_API_KEY", PRODUCTION_US)
    assert run(monkeypatch, *token) == 3
    assert PRODUCTION_US not in capsys.readouterr().err
    monkeypatch.delenv("VITAL_API_KEY")
    assert run(monkeypatch, *token) == 0


def test_token_asks_which_key_when_several_are_stored(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(monkeypatch, "key", "set", stdin=SANDBOX_US)
    run(monkeypatch, "key", "set", stdin=PRODUCTION_US)
    capsys.readouterr()
    user = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
    assert run(monkeypatch, "token", "--user-id", user) == 2
    err = capsys.readouterr().err
    assert "sandbox US, production US" in err and "--env and --region" in err
    assert run(monkeypatch, "token", "--user-id", user, "--env", "sandbox", "--region", "eu") == 2
    assert "no sandbox EU key is stored" in capsys.readouterr().err


def test_key_help_does_not_import_keyring() -> None:
    code = (
        "import sys\n"
        "from vital_desktop.cli.main import main\n"
        "try:\n"
        "    main(['key', 'set', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'keyring' not in sys.modules, 'keyring imported for --help'\n"
        "assert 'vital_desktop.core.keystore' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "standard input" in result.stdout
