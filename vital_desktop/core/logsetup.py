"""Logging for the app and the command line, with secrets scrubbed from every record.

``configure_logging`` installs the root handlers once; each carries ``ScrubFilter``, so a
record from any logger (the app's, httpx's, a library's) is scrubbed before it is written:
its message with the arguments filled in, its exception text and its stack. What is
scrubbed, always replaced by ``[redacted]``:

* every secret passed to ``register_secret`` (the client registers its API key), and near
  echoes of it: any case, without its ``sk_us_``-style prefix, or a long fragment
  (see ``errors.redact``);
* anything shaped like a team API key (``sk_us_...``), registered or not;
* JWT-shaped link tokens (three base64url segments, the first two starting ``eyJ``) and
  the value of any ``token=`` query parameter: a link token in a log is a usable link;
* phone-app link codes (``skus0123abcd``).

The same filter sits on the httpx/httpcore loggers themselves (httpcore logs response
headers at DEBUG), so records are clean even for handlers this module did not install,
such as a test's log capture.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from pathlib import Path
from typing import TextIO

from vital_desktop.core.errors import redact

_REDACTED = "[redacted]"
_lock = threading.Lock()
_secrets: set[str] = set()
_configured = False

# The header segment of a JWT is base64url JSON, so it starts with "eyJ" ('{"'); requiring
# that keeps dotted names (vital_desktop.core.client, api.us.junction.com) out.
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(?<=token=)[^&\s#'\"<>]+"),
    re.compile(r"(?i)(?<![A-Za-z0-9])(?:sk|pk)(?:eu|us)[0-9a-f]{8}"),
    re.compile(r"(?i)(?<![A-Za-z0-9])(?:sk|pk|mg)_(?:us|eu)_[A-Za-z0-9_-]+"),
)

# Loggers whose own records get the filter too (a filter on a logger does not apply to its
# children, so each is named).
FILTERED_LOGGERS = (
    "vital_desktop",
    "vital_desktop.core.client",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def register_secret(text: str) -> None:
    """Scrub ``text`` (and near echoes of it) from every log record from now on.

    Secrets are kept for the life of the process: one client closing must not unmask
    another's key in later records.
    """
    if text:
        with _lock:
            _secrets.add(text)


def scrub(text: str) -> str:
    """``text`` with every registered secret, link token and link code replaced."""
    with _lock:
        secrets = tuple(_secrets)
    if secrets:
        text = redact(text, secrets)
    for pattern in _PATTERNS:
        text = pattern.sub(_REDACTED, text)
    return text


class ScrubFilter(logging.Filter):
    """Rewrites a record so its message, exception text and stack are scrubbed.

    The message is formatted here (``msg % args``) and stored without args, so no handler
    formats the raw arguments again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be shown, scrubbed
            message = f"{record.msg!r} {record.args!r}"
        clean = scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_LOGGER_FILTER = ScrubFilter()
for _name in FILTERED_LOGGERS:
    logging.getLogger(_name).addFilter(_LOGGER_FILTER)

LOG_FILE_BYTES = 1_000_000
LOG_FILE_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


_installed: list[logging.Handler] = []  # the handlers configure_logging added


class _LogFile(logging.Handler):
    """The rotating log file (``logging.handlers.RotatingFileHandler``), made at the first
    record written to it.

    ``logging.handlers`` brings socket, pickle and queue with it (8 ms); the window's
    start-up logs nothing, so it imports them only once there is something to write.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None
        self._broken = False

    def _open(self) -> logging.Handler | None:
        if self._file is None and not self._broken:
            import logging.handlers

            try:
                self._file = logging.handlers.RotatingFileHandler(
                    self.path,
                    maxBytes=LOG_FILE_BYTES,
                    backupCount=LOG_FILE_BACKUPS,
                    encoding="utf-8",
                )
            except OSError as error:  # removed or locked since start-up: stderr still has it
                self._broken = True
                print(
                    f"vital-desktop: cannot write the log file {self.path}: {error}",
                    file=sys.stderr,
                )
                return None
            self._file.setFormatter(self.formatter)
        return self._file

    def setFormatter(self, fmt: logging.Formatter | None) -> None:
        super().setFormatter(fmt)
        if self._file is not None:
            self._file.setFormatter(fmt)

    def emit(self, record: logging.LogRecord) -> None:
        file = self._open()
        if file is not None:
            file.emit(record)  # under this handler's lock; filters have already run

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def configure_logging(
    level: int = logging.INFO, stream: TextIO | None = None, path: str | Path | None = None
) -> None:
    """Install scrubbing handlers on the root logger, once per process.

    ``stream`` (default: stderr) gets one handler; ``path``, when given, a second one that
    appends to that file in UTF-8, rotated at ``LOG_FILE_BYTES`` with ``LOG_FILE_BACKUPS``
    old files kept. Later calls do nothing, so the window and the command
    line may both call it.
    """
    global _configured
    with _lock:
        if _configured:
            return
        _configured = True
    root = logging.getLogger()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if path is not None:
        try:
            file = Path(path)
            file.parent.mkdir(parents=True, exist_ok=True)
            with open(file, "a", encoding="utf-8"):  # can it be written? (creates it, as before)
                pass
            handlers.append(_LogFile(file))
        except OSError as error:  # a read-only profile must not stop the app
            print(f"vital-desktop: cannot write the log file {path}: {error}", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(ScrubFilter())
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level)


def _unconfigure_for_tests() -> None:
    """Remove the handlers ``configure_logging`` installed, so a test can call it again."""
    global _configured
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
    with _lock:
        _configured = False
