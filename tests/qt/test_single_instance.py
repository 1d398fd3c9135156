"""A second launch brings the running window to the front instead of opening a second copy."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vital_desktop.qt.single_instance import (
    INSTANCE_ENV,
    SingleInstance,
    default_server_name,
    raise_window,
)

# The first launch builds the real window (demo mode: no API key) and prints what it does;
# a later launch only asks the first to come to the front and exits.
_DRIVER = """
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from vital_desktop.qt.single_instance import SingleInstance, raise_window

app = QApplication([])
instance = SingleInstance()
if not instance.claim():
    print("NOTIFIED", instance.notify_running(), flush=True)
    sys.exit(0)

from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.options import AppOptions

window = LinkWindow(AppOptions(environ=dict(os.environ)))
window.show()
window.showMinimized()

def on_activation():
    raise_window(window)
    print("RAISED minimized=%s visible=%s" % (window.isMinimized(), window.isVisible()),
          flush=True)
    if "--stay" not in sys.argv:
        QTimer.singleShot(0, app.quit)

instance.activation_requested.connect(on_activation)
print("READY", instance.full_server_name, "minimized=%s" % window.isMinimized(), flush=True)
QTimer.singleShot(60000, app.quit)  # never outlive a broken test
code = app.exec()
window.controller.shutdown()
print("EXIT", code, flush=True)
"""


class Launch:
    """A running first instance whose stdout lines can be awaited."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _DRIVER, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.stderr: list[str] = []
        self._pumps = [
            threading.Thread(target=self._pump_stdout, daemon=True),
            threading.Thread(target=self._pump_stderr, daemon=True),
        ]
        for pump in self._pumps:
            pump.start()

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def wait_for(self, prefix: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        self.stop()
        stderr = "".join(self.stderr)[-2000:]
        raise AssertionError(f"no {prefix!r} line; stdout={self.seen!r} stderr={stderr}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        for pump in self._pumps:
            pump.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def instance_env() -> Iterator[dict[str, str]]:
    """Environment for launches: offscreen, demo mode, a name of this test alone.

    ``XDG_RUNTIME_DIR`` is a private folder of this test, so the socket file lands where
    the test can see it (and nothing is left in the real runtime folder).
    """
    runtime = tempfile.mkdtemp(prefix="vsi-")  # short: socket paths are limited to ~100 bytes
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        INSTANCE_ENV: uuid.uuid4().hex[:10],
        "XDG_RUNTIME_DIR": runtime,
    }
    env.pop("VITAL_API_KEY", None)
    yield env
    shutil.rmtree(runtime, ignore_errors=True)


def _second_launch(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER], capture_output=True, text=True, timeout=30, env=env
    )
    return result, time.monotonic() - start


def test_second_launch_raises_the_first_window_and_exits(instance_env: dict[str, str]) -> None:
    first = Launch(instance_env)
    try:
        ready = first.wait_for("READY")
        assert "minimized=True" in ready
        result, elapsed = _second_launch(instance_env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "NOTIFIED True" in result.stdout, result.stdout + result.stderr
        assert elapsed < 10, f"the second launch took {elapsed:.1f} s to hand over"
        raised = first.wait_for("RAISED", timeout=10)
        assert raised == "RAISED minimized=False visible=True"
        assert first.wait_for("EXIT") == "EXIT 0"
        assert first.process.wait(timeout=10) == 0
    finally:
        first.stop()
    if sys.platform != "win32":
        socket_path = ready.split()[1]
        assert socket_path.startswith(instance_env["XDG_RUNTIME_DIR"])
        assert not os.path.exists(socket_path), "a clean exit removes the socket file"


def test_each_later_launch_raises_the_same_window(instance_env: dict[str, str]) -> None:
    first = Launch(instance_env, "--stay")
    try:
        first.wait_for("READY")
        for _ in range(3):
            result, _elapsed = _second_launch(instance_env)
            assert "NOTIFIED True" in result.stdout, result.stdout + result.stderr
            first.wait_for("RAISED", timeout=10)
        assert first.process.poll() is None, "the first window is still open"
    finally:
        first.stop()


def test_a_different_instance_name_starts_its_own_window(instance_env: dict[str, str]) -> None:
    first = Launch(instance_env, "--stay")
    other = Launch({**instance_env, INSTANCE_ENV: uuid.uuid4().hex[:10]}, "--stay")
    try:
        first.wait_for("READY")
        other.wait_for("READY")  # not "NOTIFIED": it is a first instance too
    finally:
        first.stop()
        other.stop()


def test_launches_at_the_same_moment_open_one_window(instance_env: dict[str, str]) -> None:
    launches = [Launch(instance_env, "--stay") for _ in range(3)]
    try:
        firsts = [launch.wait_for("") for launch in launches]
        assert sorted(line.split()[0] for line in firsts) == ["NOTIFIED", "NOTIFIED", "READY"]
        assert all(line != "NOTIFIED False" for line in firsts), firsts
    finally:
        for launch in launches:
            launch.stop()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes vanish with their process")
def test_a_killed_first_instance_does_not_block_the_next(instance_env: dict[str, str]) -> None:
    crashed = Launch(instance_env, "--stay")
    socket_path = crashed.wait_for("READY").split()[1]
    os.kill(crashed.process.pid, signal.SIGKILL)
    crashed.stop()
    assert os.path.exists(socket_path), "SIGKILL leaves the socket file behind"

    start = time.monotonic()
    successor = Launch(instance_env)
    try:
        assert successor.wait_for("READY").split()[1] == socket_path
        assert time.monotonic() - start < 15
        result, _elapsed = _second_launch(instance_env)
        assert "NOTIFIED True" in result.stdout, result.stdout + result.stderr
        successor.wait_for("RAISED", timeout=10)
        assert successor.process.wait(timeout=10) == 0
    finally:
        successor.stop()


# -- in process: the name, the claim, a busy first instance --------------------------------


def test_the_name_is_per_user_and_per_suffix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    alice = default_server_name({})
    assert Path(alice).name.startswith("vital-desktop-")
    assert default_server_name({}) == alice, "stable from one launch to the next"
    monkeypatch.setenv("USER", "bob")
    monkeypatch.setenv("LOGNAME", "bob")
    assert default_server_name({}) != alice
    suffixed = default_server_name({INSTANCE_ENV: "qa/../1 two"})
    assert suffixed.endswith("-qa1two"), "the suffix keeps only safe characters"
    assert "/" not in Path(suffixed).name


@pytest.mark.skipif(sys.platform == "win32", reason="Unix runtime folder")
def test_the_socket_goes_in_a_private_runtime_folder_only(tmp_path: Path) -> None:
    private = Path(tempfile.mkdtemp(prefix="vsi-"))
    try:
        assert default_server_name({"XDG_RUNTIME_DIR": str(private)}).startswith(str(private))
        private.chmod(0o755)  # readable by others: not trusted, Qt's temp folder instead
        assert not os.path.isabs(default_server_name({"XDG_RUNTIME_DIR": str(private)}))
    finally:
        shutil.rmtree(private, ignore_errors=True)
    assert not os.path.isabs(default_server_name({"XDG_RUNTIME_DIR": "relative/dir"}))


@pytest.fixture
def unique_name() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="vsi-")
    yield (
        os.path.join(folder, "vital-desktop-test")
        if sys.platform != "win32"
        else (f"vital-desktop-test-{uuid.uuid4().hex[:10]}")
    )
    shutil.rmtree(folder, ignore_errors=True)


def test_only_the_first_claim_succeeds(qtbot: Any, unique_name: str) -> None:
    first = SingleInstance(unique_name)
    second = SingleInstance(unique_name)
    assert first.claim() is True
    assert first.is_listening
    assert second.claim() is False
    assert not second.is_listening
    assert SingleInstance(unique_name + "-other").claim() is True
    first.close()
    assert second.claim() is True, "once the first has closed, the next one is first"
    second.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")
def test_a_leftover_socket_file_is_replaced(qtbot: Any, unique_name: str) -> None:
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(unique_name)  # bound, never listening, then gone: what a crash leaves
    leftover.close()
    assert os.path.exists(unique_name)
    instance = SingleInstance(unique_name)
    assert instance.claim() is True
    assert instance.is_listening
    instance.close()


def test_a_busy_first_instance_answers_late_and_the_caller_does_not_hang(
    qtbot: Any, unique_name: str
) -> None:
    first = SingleInstance(unique_name)
    assert first.claim()
    raised: list[bool] = []
    first.activation_requested.connect(lambda: raised.append(True))
    # Same thread: the first cannot answer while notify_running blocks, like a busy GUI.
    start = time.monotonic()
    assert SingleInstance(unique_name).notify_running(timeout_ms=300) is False
    assert time.monotonic() - start < 3
    qtbot.waitUntil(lambda: bool(raised), timeout=3000)  # the request was still delivered
    first.close()


def test_claim_or_notify(qtbot: Any, unique_name: str) -> None:
    first = SingleInstance(unique_name)
    assert first.claim_or_notify() is True
    # A first instance that does not answer (here: same thread) still counts as running.
    assert SingleInstance(unique_name).claim_or_notify(timeout_ms=200) is False
    first.close()
    later = SingleInstance(unique_name)
    assert later.claim_or_notify() is True
    later.close()


def test_junk_from_a_peer_is_dropped(qtbot: Any, unique_name: str) -> None:
    from PySide6.QtNetwork import QLocalSocket

    first = SingleInstance(unique_name)
    assert first.claim()
    raised: list[bool] = []
    first.activation_requested.connect(lambda: raised.append(True))
    junk = QLocalSocket()
    junk.connectToServer(unique_name)
    assert junk.waitForConnected(1000)
    junk.write(b"x" * 500)
    junk.flush()
    qtbot.waitUntil(lambda: junk.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert raised == []
    first.close()


def test_raise_window_unminimises_and_shows(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    assert window.isMinimized()
    raise_window(window)
    assert not window.isMinimized()
    assert window.isVisible()
    window.hide()
    raise_window(window)
    assert window.isVisible()


_APP_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from vital_desktop.qt import app as app_module
from vital_desktop.qt import single_instance

def raised(window):
    print("RAISED", flush=True)
    QTimer.singleShot(100, window.close)

single_instance.raise_window = raised
qt_app = QApplication([])  # main() uses it; the timer below needs it first
QTimer.singleShot(300, lambda: print("READY", flush=True))
print("EXIT", app_module.main([]), flush=True)
"""


def test_the_real_app_raises_itself_on_a_second_launch(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VITAL_API_KEY"}
    env.update(QT_QPA_PLATFORM="offscreen", VITAL_INSTANCE_NAME=f"app-{tmp_path.name}"[:32])
    first = subprocess.Popen(
        [sys.executable, "-c", _APP_DRIVER], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "READY"
        second = subprocess.run(
            [sys.executable, "-m", "vital_desktop"], env=env, timeout=30, capture_output=True
        )
        assert second.returncode == 0, second.stderr
        assert first.stdout.readline().strip() == "RAISED"
        assert first.wait(30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        if first.stdout is not None:
            first.stdout.close()
