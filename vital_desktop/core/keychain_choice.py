"""What ``keyring`` would pick on this computer, when that can be known without asking it.

Asking keyring (``keyring.get_keyring()``) imports keyring, scans every installed package for
``keyring.backends`` plug-ins and imports every backend to rank it: on Linux the Secret
Service backend brings secretstorage, jeepney and cryptography's OpenSSL bindings, about
14 MB that stay in the process for good, even on a computer without any keychain.

``keyring_finds_nothing()`` answers, from cheap checks only, the one case the app can settle
without keyring: on Linux, with no D-Bus session bus, no keyring configuration and no
backend but keyring's own installed, keyring's choice is its ``fail`` backend (none of its
backends is viable, and its chainer ranks below ``fail`` when it has nothing to chain). It
says True only when each check is certain; anything else (another operating system, a
``PYTHON_KEYRING_BACKEND``, a ``keyringrc.cfg``, a session bus or its socket, python-dbus or
PyGObject installed, any third-party plug-in) is False, and the caller asks keyring itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path

# The name keyring gives its ``fail`` backend (``keyring.backends.fail.Keyring.name``).
FAIL_BACKEND_NAME = "fail Keyring"

# What keyring's libsecret (PyGObject), KWallet (python-dbus) and Windows (pywin32-ctypes or
# pywin32) backends import: without these they cannot rank themselves at all.
_OTHER_BACKENDS_NEED = ("gi", "dbus", "win32ctypes", "win32cred")

# keyring's own plug-ins (its ``keyring.backends`` entry points).
_KEYRING_OWN_PLUGINS = frozenset(
    f"keyring.backends.{name}"
    for name in ("kwallet", "SecretService", "Windows", "chainer", "libsecret", "macOS")
)


def keyring_finds_nothing(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``keyring.get_keyring()`` would certainly return its ``fail`` backend.

    ``environ`` stands for ``os.environ`` (which keyring and D-Bus read) in tests.
    """
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False  # macOS and Windows always have their own keychain backend
    if "keyring" in sys.modules:
        return False  # a backend may have been set (keyring.set_keyring) or found already
    if "PYTHON_KEYRING_BACKEND" in env:
        return False  # keyring loads the named backend, whatever it is
    if _session_bus_possible(env):
        return False  # Secret Service or KWallet may answer
    if any(_installed(name) for name in _OTHER_BACKENDS_NEED):
        return False  # libsecret, KWallet or Windows backends could rank themselves
    if _config_file_possible(env):
        return False  # keyringrc.cfg names a backend (or could not be checked)
    return _only_keyrings_own_plugins()


def _installed(name: str) -> bool:
    """True when the top-level package ``name`` could be imported (it is not imported)."""
    try:
        return find_spec(name) is not None
    except (ImportError, ValueError):  # half there: count it as installed
        return True


def _session_bus_possible(env: Mapping[str, str]) -> bool:
    """True unless there is certainly no D-Bus session bus to reach.

    jeepney (through secretstorage) finds the session bus by ``DBUS_SESSION_BUS_ADDRESS``
    only; the usual socket is checked too, should a later version fall back to it.
    """
    if "DBUS_SESSION_BUS_ADDRESS" in env:
        return True
    try:
        return any(folder and Path(folder, "bus").exists() for folder in _runtime_dirs(env))
    except OSError:
        return True


def _runtime_dirs(env: Mapping[str, str]) -> list[str]:
    """Where a session bus socket (``bus``) would be: the user's runtime folders."""
    folders = [env.get("XDG_RUNTIME_DIR", "")]
    if hasattr(os, "getuid"):
        folders.append(f"/run/user/{os.getuid()}")
    return folders


def _config_file_possible(env: Mapping[str, str]) -> bool:
    """True unless keyring's config file (``keyring.core._config_path()``) certainly does
    not exist: ``$XDG_CONFIG_HOME/python_keyring/keyringrc.cfg``, else under ``~/.config``."""
    try:
        root = env.get("XDG_CONFIG_HOME") or Path.home() / ".config"
        return Path(root, "python_keyring", "keyringrc.cfg").exists()
    except (OSError, RuntimeError, KeyError):  # no home folder to be found: ask keyring
        return True


def _only_keyrings_own_plugins() -> bool:
    """True when every installed ``keyring.backends`` plug-in is one of keyring's own."""
    try:
        from importlib.metadata import entry_points

        plugins = entry_points(group="keyring.backends")
    except Exception:  # a broken package's metadata: let keyring deal with it
        return False
    return all(plugin.value in _KEYRING_OWN_PLUGINS for plugin in plugins)
