"""One window per person: a second launch brings the running window to the front.

Two copies of the app would fight over the settings file and the keychain entry, and the
person at the desk would not know which window holds the patient's link. So the first
launch listens on a local socket (a Unix socket file, or a named pipe on Windows) and every
later launch, instead of opening a window, asks the first one to come to the front and
exits::

    instance = SingleInstance()
    if not instance.claim_or_notify():  # another window is open: it was asked to come up
        return 0
    window = LinkWindow(...)
    instance.activation_requested.connect(lambda: raise_window(window))

The name is per user (a hash of the user name and, on Unix, the runtime directory or UID),
so two people on one terminal server each get their own window. ``VITAL_INSTANCE_NAME``
adds a suffix, so tests (and a support engineer who really wants two copies) can keep
instances apart.

A first instance that crashed or was killed leaves its socket file behind on Unix; the next
launch finds nobody answering there, removes the file and listens afresh. A short lock file
around that check keeps two launches started at the same moment from both deciding they
are first.

Failure to listen at all (an odd file system, a name taken by someone else) never stops the
app from starting: ``claim()`` then returns True and the app simply runs without the
single-instance guard, as it did before this module existed.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import re
import stat
import sys

from PySide6.QtCore import QByteArray, QDir, QLockFile, QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

INSTANCE_ENV = "VITAL_INSTANCE_NAME"
"""Environment variable whose value (letters, digits, ``-``, ``_``) suffixes the name."""

RAISE_MESSAGE = b"raise\n"
ACK_MESSAGE = b"ok\n"

_PREFIX = "vital-desktop-"
_MAX_MESSAGE = 64  # a peer that sends more than this without a newline is cut off
_PEER_TIMEOUT_MS = 3000  # a peer that connects and says nothing is dropped after this
_UNIX_PATH_MAX = 100  # sun_path is 104 (macOS) or 108 (Linux) bytes, keep a margin


def _user_identity(environ: dict[str, str] | os._Environ[str]) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        user = ""
    parts = [user]
    if sys.platform == "win32":
        parts.append(environ.get("USERDOMAIN", ""))
    else:
        parts.append(str(os.getuid()))
        parts.append(environ.get("XDG_RUNTIME_DIR", ""))
    return "\0".join(parts)


def _suffix(environ: dict[str, str] | os._Environ[str]) -> str:
    raw = environ.get(INSTANCE_ENV, "")
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "", raw)[:32]
    return f"-{cleaned}" if cleaned else ""


def _private_runtime_dir(environ: dict[str, str] | os._Environ[str]) -> str | None:
    """``XDG_RUNTIME_DIR`` if it is a directory only this user can enter, else None."""
    if sys.platform == "win32":
        return None
    path = environ.get("XDG_RUNTIME_DIR", "")
    if not path or not os.path.isabs(path):
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return path


def default_server_name(environ: dict[str, str] | None = None) -> str:
    """The per-user name the app listens on.

    ``vital-desktop-<12 hex digits>[-<VITAL_INSTANCE_NAME>]``. On Unix, when the user has a
    private ``XDG_RUNTIME_DIR``, the socket goes there (a full path), so nobody else can
    create or remove it; otherwise Qt puts it in the temporary folder, still named per user
    and created with owner-only permissions. On Windows it is a named pipe restricted to the
    user.
    """
    env = os.environ if environ is None else environ
    digest = hashlib.sha256(_user_identity(env).encode("utf-8", "replace")).hexdigest()[:12]
    name = f"{_PREFIX}{digest}{_suffix(env)}"
    runtime = _private_runtime_dir(env)
    if runtime:
        full = os.path.join(runtime, name)
        if len(full.encode("utf-8", "replace")) <= _UNIX_PATH_MAX:
            return full
    return name


class SingleInstance(QObject):
    """Claims the per-user name; the first claimant hears later launches.

    Create it after the ``QApplication`` and before the window (so a second launch never
    builds a window, reads settings or touches the keychain). Keep a reference for the life
    of the app: the server stops listening when the object is deleted.
    """

    activation_requested = Signal()
    """Another launch asked this one to come to the front (emitted on the GUI thread)."""

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or default_server_name()
        self._server: QLocalServer | None = None
        self._peers: dict[QLocalSocket, QByteArray] = {}

    # -- first instance -------------------------------------------------------------------

    @property
    def is_listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    @property
    def full_server_name(self) -> str:
        """Where the server listens (the socket file's path on Unix), or '' if it doesn't."""
        return self._server.fullServerName() if self.is_listening and self._server else ""

    def claim(self) -> bool:
        """True if this is the first instance (it now listens); False if one is running.

        A name left behind by a crashed instance (nobody answers) is removed and reused.
        If listening fails for any other reason, the app should still start: this logs a
        warning and returns True without listening.
        """
        if self.is_listening:
            return True
        lock = QLockFile(self._lock_path())
        lock.setStaleLockTime(10_000)
        locked = lock.tryLock(3000)
        if not locked:
            log.warning("single instance: could not lock %s (%s)", lock.fileName(), lock.error())
        try:
            if self._someone_answers():
                return False
            return self._listen()
        finally:
            if locked:
                lock.unlock()

    def claim_or_notify(self, timeout_ms: int = 2000) -> bool:
        """True: run the app (this is the first instance). False: exit quietly.

        False means another instance is running and was asked to come to the front. If it
        closes between our look and our message, we try to become the first once more. An
        instance that accepts but does not answer in time (a busy or hung window) still
        counts as running: a second copy would fight it over settings and the keychain.
        """
        for _attempt in range(2):
            if self.claim():
                return True
            if self.notify_running(timeout_ms):
                return False
        log.warning("single instance: %s is running but did not answer", self.name)
        return False

    def close(self) -> None:
        """Stop listening (and remove the socket file); safe to call twice."""
        for peer in list(self._peers):
            self._drop(peer)
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _lock_path(self) -> str:
        if os.path.isabs(self.name):
            return self.name + ".lock"
        return os.path.join(QDir.tempPath(), self.name + ".lock")

    def _someone_answers(self, timeout_ms: int = 1000) -> bool:
        # Connect before listening: on Windows a second server can listen on a pipe name
        # that is already served, so "listen failed" is not a reliable sign of a rival.
        # A first instance whose GUI thread is busy still accepts (the kernel queues it).
        probe = QLocalSocket()
        try:
            probe.connectToServer(self.name)
            return probe.waitForConnected(timeout_ms)
        finally:
            probe.abort()

    def _listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # Nobody answered (checked under the lock), so whatever holds the name is a
            # leftover from an instance that died: remove it and try once more.
            log.info("single instance: removing stale %s (%s)", self.name, server.errorString())
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning(
                    "single instance: cannot listen on %s (%s); running without the guard",
                    self.name,
                    server.errorString(),
                )
                server.deleteLater()
                return True
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def _on_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            peer = server.nextPendingConnection()
            if peer is None:
                break
            self._peers[peer] = QByteArray()
            peer.readyRead.connect(lambda p=peer: self._on_ready_read(p))
            peer.disconnected.connect(lambda p=peer: self._drop(p))
            QTimer.singleShot(_PEER_TIMEOUT_MS, peer, lambda p=peer: self._drop(p))
            if peer.bytesAvailable():
                self._on_ready_read(peer)

    def _on_ready_read(self, peer: QLocalSocket) -> None:
        if peer not in self._peers:
            return
        buffer = self._peers[peer]
        buffer.append(peer.readAll())
        newline = buffer.indexOf(b"\n")
        if newline < 0:
            if buffer.size() > _MAX_MESSAGE:
                self._drop(peer)
            return
        message = bytes(buffer.left(newline + 1).data())
        self._peers[peer] = QByteArray()  # one message per connection is all we expect
        if message == RAISE_MESSAGE:
            peer.write(ACK_MESSAGE)
            peer.flush()
            peer.disconnectFromServer()  # after the ack is written
            self.activation_requested.emit()
        else:
            log.info("single instance: ignoring unknown message %r", message[:_MAX_MESSAGE])
            self._drop(peer)

    def _drop(self, peer: QLocalSocket) -> None:
        if self._peers.pop(peer, None) is None:
            return
        peer.abort()
        peer.deleteLater()

    # -- later launches -------------------------------------------------------------------

    def notify_running(self, timeout_ms: int = 2000) -> bool:
        """Ask the running instance to come to the front; True once it has said "ok".

        Blocks for at most about ``timeout_ms`` (no event loop needed). False means the
        first instance is gone or too busy to answer in time; it will still raise itself
        when it gets to the message, if it was delivered.
        """
        _allow_any_process_to_take_foreground()
        socket = QLocalSocket()
        try:
            socket.connectToServer(self.name)
            if not socket.waitForConnected(timeout_ms):
                return False
            socket.write(RAISE_MESSAGE)
            if not socket.waitForBytesWritten(timeout_ms):
                return False
            reply = QByteArray()
            while reply.indexOf(b"\n") < 0 and reply.size() <= _MAX_MESSAGE:
                if not socket.bytesAvailable() and not socket.waitForReadyRead(timeout_ms):
                    break
                reply.append(socket.readAll())
            return bytes(reply.data()).startswith(ACK_MESSAGE)
        finally:
            socket.abort()


def _allow_any_process_to_take_foreground() -> None:
    """Windows: let the first instance take the foreground from us (the launched one).

    Windows only lets a process bring its window to the front if the foreground process
    allows it; the freshly launched second instance is the foreground process, so it hands
    that right on (``AllowSetForegroundWindow(ASFW_ANY)``). Qt has no call for this. Without
    it (or if Windows still refuses) the window's taskbar button flashes instead.
    """
    if sys.platform != "win32":
        return
    try:
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)
    except Exception:  # best effort: flashing in the taskbar is the fallback
        log.debug("AllowSetForegroundWindow failed", exc_info=True)


def raise_window(window: QWidget) -> None:
    """Bring ``window`` to the front: unminimise, show, raise, activate.

    What the window system allows varies: Windows may only flash the taskbar button (see
    ``_allow_any_process_to_take_foreground``); X11 window managers with focus-stealing
    prevention, and Wayland (which needs an activation token from the launcher), may mark
    the window as wanting attention instead of focusing it. In every case the window is
    shown and un-minimised.
    """
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()  # keeps a maximised or full-screen window as it was
    window.raise_()
    window.activateWindow()
