"""What support needs to know, as one plain text, with nothing secret in it.

``collect`` gathers the app, Qt and Python versions, the platform, the environment and
region, the settings that differ from their defaults, the last lines of the log file and
the last error's details. Every piece, and then the whole text, goes through
``logsetup.scrub`` (registered keys and their near echoes, key-shaped strings, link
tokens, link codes), and passwords in addresses (``https://user:secret@proxy``) are cut,
so the result can be pasted into an e-mail or a ticket as it is.

``default_log_path`` is where the window writes its log, worked out without Qt, so the
command line (``vital-link diagnostics``) can read the same file.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from vital_desktop.core.logsetup import scrub

APP_NAME = "vital-desktop"
LOG_FILE_NAME = "vital-desktop.log"
LOG_LINES = 50
# Enough bytes for LOG_LINES ordinary lines; a longer line is cut, never read whole.
_TAIL_BYTES = 64_000
_MAX_LINE = 2_000
_MAX_ERROR = 8_000
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def default_log_path(
    environ: Mapping[str, str] | None = None, platform_name: str | None = None
) -> Path:
    """``<app data>/logs/vital-desktop.log``, the folder Qt's AppLocalDataLocation gives.

    The application is named ``vital-desktop`` with no organisation, so that folder is
    ``$XDG_DATA_HOME/vital-desktop`` (default ``~/.local/share/vital-desktop``) on Linux,
    ``%LOCALAPPDATA%\\vital-desktop`` on Windows and
    ``~/Library/Application Support/vital-desktop`` on macOS. ``environ`` defaults to
    ``os.environ`` and ``platform_name`` to ``sys.platform``.
    """
    env = os.environ if environ is None else environ
    name = sys.platform if platform_name is None else platform_name
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if name.startswith("win"):
        local = env.get("LOCALAPPDATA", "")
        base = Path(local) if local else home / "AppData" / "Local"
    elif name == "darwin":
        base = home / "Library" / "Application Support"
    else:
        # Qt, like the XDG spec, ignores a relative XDG_DATA_HOME.
        xdg = env.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg.startswith("/") else home / ".local" / "share"
    return base / APP_NAME / "logs" / LOG_FILE_NAME


def clean(text: str) -> str:
    """``text`` scrubbed of secrets (``logsetup.scrub``) and of passwords in addresses."""
    return _USERINFO.sub(r"\1[redacted]@", scrub(text))


def tail_lines(path: Path, count: int = LOG_LINES) -> list[str]:
    """The last ``count`` lines of the file at ``path``, each cut to a sane length.

    Only the end of the file is read, so a large log costs nothing; bytes that are not
    UTF-8 are replaced. Raises ``OSError`` when the file cannot be read.
    """
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - _TAIL_BYTES))
        data = handle.read(_TAIL_BYTES)
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > _TAIL_BYTES and lines:
        lines = lines[1:]  # the first one is probably cut in half
    return [_shorten(line, _MAX_LINE) for line in lines[-count:]]


def collect(
    *,
    app_version: str,
    qt_version: str | None,
    environment_label: str,
    settings_non_default: Mapping[str, object] | None,
    log_path: Path | None,
    last_error: str | None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The diagnostics text: versions, platform, environment, settings, log tail, last error.

    ``qt_version`` is None where Qt is not loaded (the command line). ``environment_label``
    names the environment and region (``Sandbox · US``). ``settings_non_default`` maps a
    setting's name to its value, only for those changed from the default (None: the
    settings cannot be read here). ``extra`` adds
    ``name: value`` lines (the API address, the proxy in use). Nothing secret comes out:
    see the module docstring.
    """
    import platform  # here, not at import: the window imports this module at start-up

    lines = [
        "vital-desktop diagnostics",
        f"Collected: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC",
        f"App: vital-desktop {app_version}",
        f"Qt: {qt_version}" if qt_version else "Qt: not loaded (command line)",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"Platform: {platform.platform()} ({platform.machine() or 'unknown machine'})",
        f"Environment: {environment_label}",
    ]
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    lines.append("")
    if settings_non_default is None:
        lines.append("Settings changed from the defaults: not known here (see the window)")
    elif settings_non_default:
        lines.append("Settings changed from the defaults:")
        lines += [f"  {name} = {value!r}" for name, value in sorted(settings_non_default.items())]
    else:
        lines.append("Settings changed from the defaults: none")
    lines.append("")
    if last_error:
        lines.append("Last error:")
        lines += ["  " + line for line in _shorten(last_error, _MAX_ERROR).splitlines()]
    else:
        lines.append("Last error: none")
    lines.append("")
    lines += _log_section(log_path)
    # Each piece was gathered as it is; scrub the whole once more, so a secret split over
    # pieces or an echo of a key registered meanwhile is caught too.
    return clean("\n".join(lines)) + "\n"


def _log_section(log_path: Path | None) -> list[str]:
    if log_path is None:
        return ["Log: not written by this program"]
    shown = _home_as_tilde(log_path)
    try:
        lines = tail_lines(log_path)
    except FileNotFoundError:
        return [f"Log: {shown} (not there yet)"]
    except OSError as error:
        return [f"Log: {shown} (cannot be read: {error.strerror or type(error).__name__})"]
    if not lines:
        return [f"Log: {shown} (empty)"]
    header = f"Log, last {len(lines)} lines of {shown}:"
    return [header, *("  " + clean(line) for line in lines)]


def _home_as_tilde(path: Path) -> str:
    """The path with the home folder written ``~``: the user's account name is not needed."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " […]"
