"""Knowing keyring's choice without loading keyring: only when certain, and then the same.

Where ``keyring_finds_nothing()`` says True, keyring itself (asked in a fresh process with
the same environment) picks its ``fail`` backend, and ``KeyStore()`` is the same unusable
store as with that backend, without keyring, its plug-ins or cryptography in the process.
Every sign that keyring could find something (another system, its variable or config file,
a session bus, another backend's library, a third-party plug-in) sends the app to keyring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from keyring.backends import fail

from vital_desktop.core import keychain_choice
from vital_desktop.core.environments import Environment, Region
from vital_desktop.core.keychain_choice import FAIL_BACKEND_NAME, keyring_finds_nothing
from vital_desktop.core.keystore import NO_KEYCHAIN, KeychainError, KeyStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A Linux computer with nothing keyring could use; the environment to pass."""
    monkeypatch.setattr(keychain_choice.sys, "platform", "linux")
    monkeypatch.delitem(sys.modules, "keyring", raising=False)  # this process has it
    monkeypatch.setattr(keychain_choice, "_installed", lambda name: False)
    monkeypatch.setattr(keychain_choice, "_runtime_dirs", lambda env: [env["XDG_RUNTIME_DIR"]])
    own = [
        EntryPoint(name, f"keyring.backends.{name}", "keyring.backends")
        for name in ("SecretService", "chainer", "macOS")
    ]
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: own)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("run", "config"):
        (tmp_path / name).mkdir()
    yield {"XDG_RUNTIME_DIR": str(tmp_path / "run"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


def test_a_bare_linux_computer_is_known_to_have_no_keychain(bare: dict[str, str]) -> None:
    assert keyring_finds_nothing(bare) is True
    assert FAIL_BACKEND_NAME == fail.Keyring.name


@pytest.mark.parametrize("platform", ["darwin", "win32", "cygwin"])
def test_other_systems_always_ask_keyring(
    bare: dict[str, str], monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(keychain_choice.sys, "platform", platform)
    assert keyring_finds_nothing(bare) is False


@pytest.mark.parametrize(
    "variable", ["PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"], ids=["keyring", "dbus"]
)
def test_a_variable_keyring_or_dbus_reads_sends_the_app_to_keyring(
    bare: dict[str, str], variable: str
) -> None:
    assert keyring_finds_nothing({**bare, variable: ""}) is False


def test_a_session_bus_socket_sends_the_app_to_keyring(bare: dict[str, str]) -> None:
    Path(bare["XDG_RUNTIME_DIR"], "bus").touch()
    assert keyring_finds_nothing(bare) is False


def test_keyring_already_loaded_is_asked(bare: dict[str, str]) -> None:
    import keyring

    sys.modules["keyring"] = keyring  # put back for this test (the fixture restores)
    assert keyring_finds_nothing(bare) is False


@pytest.mark.parametrize("package", ["gi", "dbus", "win32ctypes", "win32cred"])
def test_another_backends_library_sends_the_app_to_keyring(
    bare: dict[str, str], monkeypatch: pytest.MonkeyPatch, package: str
) -> None:
    monkeypatch.setattr(keychain_choice, "_installed", lambda name: name == package)
    assert keyring_finds_nothing(bare) is False


def test_the_real_installed_check_does_not_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "json", raising=False)
    assert keychain_choice._installed("json") is True
    assert "json" not in sys.modules
    assert keychain_choice._installed("no_such_package_for_vital") is False


def test_a_keyring_config_file_sends_the_app_to_keyring(
    bare: dict[str, str], tmp_path: Path
) -> None:
    folder = Path(bare["XDG_CONFIG_HOME"], "python_keyring")
    folder.mkdir()
    (folder / "keyringrc.cfg").write_text("[backend]\ndefault-keyring=x.Keyring\n")
    assert keyring_finds_nothing(bare) is False
    # Without XDG_CONFIG_HOME keyring looks under ~/.config, and so does the check.
    without = {k: v for k, v in bare.items() if k != "XDG_CONFIG_HOME"}
    assert keyring_finds_nothing(without) is True
    (tmp_path / "home" / ".config").mkdir(parents=True)
    (folder.parent).rename(tmp_path / "home" / ".config")
    assert keyring_finds_nothing(without) is False


def test_a_third_party_plugin_sends_the_app_to_keyring(
    bare: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = EntryPoint("file", "keyrings.alt.file", "keyring.backends")
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [plugin])
    assert keyring_finds_nothing(bare) is False


def test_unreadable_plugin_metadata_sends_the_app_to_keyring(
    bare: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(group: str) -> list[EntryPoint]:
        raise ValueError("bad metadata")

    monkeypatch.setattr("importlib.metadata.entry_points", broken)
    assert keyring_finds_nothing(bare) is False


_AGREES = textwrap.dedent(
    """
    import json, sys
    from vital_desktop.core.keychain_choice import keyring_finds_nothing
    from vital_desktop.core.keystore import KeyStore
    known = keyring_finds_nothing()
    store = KeyStore()
    report = {
        "known": known,
        "store": [store.usable, store.insecure, store.backend_name, store.why_unusable],
        "loaded": [m for m in ("keyring", "secretstorage", "cryptography") if m in sys.modules],
    }
    import keyring
    chosen = keyring.get_keyring()
    report["keyring"] = [type(chosen).__module__, chosen.name]
    print(json.dumps(report))
    """
)


def test_where_it_is_known_keyring_agrees_and_is_never_loaded(tmp_path: Path) -> None:
    """In a real process without a session bus or keyring set-up: the same answer."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
    }
    for name in ("XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / name).mkdir()
        env[name] = str(tmp_path / name)
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    ran = subprocess.run(
        [sys.executable, "-c", _AGREES], capture_output=True, text=True, timeout=60, env=env
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    report = json.loads(ran.stdout)
    if not report["known"]:
        pytest.skip(f"this computer may have a keychain (keyring chose {report['keyring']})")
    assert report["keyring"] == ["keyring.backends.fail", FAIL_BACKEND_NAME]
    assert report["store"] == [False, False, FAIL_BACKEND_NAME, NO_KEYCHAIN]
    assert report["loaded"] == []


def test_the_store_without_keyring_is_the_fail_backends_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What KeyStore() is when the answer is known equals KeyStore(fail.Keyring())."""
    real = KeyStore(fail.Keyring())
    monkeypatch.setattr("vital_desktop.core.keystore.keyring_finds_nothing", lambda: True)
    store = KeyStore()
    assert (store.usable, store.insecure, store.backend_name, store.why_unusable) == (
        real.usable,
        real.insecure,
        real.backend_name,
        real.why_unusable,
    )
    assert store.load(Environment.SANDBOX, Region.US) is None
    assert store.stored() == [] and store.forget(Environment.SANDBOX, Region.US) is False
    assert store.status() == real.status()
    with pytest.raises(KeychainError) as caught:
        store.save("sk_us_" + "0123456789abcdef0123456789a1b2")
    assert caught.value.message == NO_KEYCHAIN
    assert FAIL_BACKEND_NAME in repr(store)
