"""Shared test setup: Qt renders offscreen, tests/ helpers import by name, sandbox fixture."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Whatever the app writes (logs now; settings and history later) goes to a folder of this
# test run, never into the home folder of whoever runs the tests. Subprocesses inherit it.
if "VITAL_TEST_HOME" not in os.environ:
    import tempfile

    _home = tempfile.mkdtemp(prefix="vital-test-home-")
    os.environ["VITAL_TEST_HOME"] = _home
    for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[_name] = os.path.join(_home, _name.lower())
    # The app under test is never the second copy of a desk's own running app, nor of
    # another test run's.
    os.environ.setdefault("VITAL_INSTANCE_NAME", os.path.basename(_home))
    # Never a real keychain of the person running the tests: the keychain tests bring their
    # own (an in-memory backend, or gnome-keyring under dbus-run-session).
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    # Nor a clinic's real policy file.
    os.environ.setdefault("VITAL_POLICY_FILE", os.path.join(_home, "no-policy.toml"))
sys.path.insert(0, os.path.dirname(__file__))

from conftest_sandbox import sandbox  # noqa: F401 - re-exported as a fixture
