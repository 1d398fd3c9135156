"""``vital-link diagnostics``: print what support needs, the same text as the window's.

Versions, platform, which environment the key in ``VITAL_API_KEY`` selects, the API
address, proxy and certificate settings in effect, and the last lines of the window's log
file (``core.diagnostics.default_log_path``, or ``--log-file``). Nothing secret is
printed: the key itself is registered for scrubbing before anything is read, and the whole
text goes through ``core.diagnostics.collect``'s scrubbing. Nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from vital_desktop import __version__
from vital_desktop.cli.output import safe_text
from vital_desktop.core.diagnostics import collect, default_log_path
from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    BASE_URL_VARIABLE,
    ApiTarget,
    clean_key,
    target_for_key,
)
from vital_desktop.core.errors import VitalError
from vital_desktop.core.logsetup import register_secret

EXIT_OK = 0


def run_diagnostics(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """Print the diagnostics text to ``out``; always exit 0 (a problem is a line in it)."""
    key = clean_key(environ.get(API_KEY_VARIABLE, ""))
    if key:
        register_secret(key)
    qt_version = None
    if "PySide6.QtCore" in sys.modules:  # only when Qt is loaded anyway; never import it
        qt_version = str(sys.modules["PySide6.QtCore"].qVersion())
    label, extra = _environment(key, environ)
    log_path = Path(args.log_file) if args.log_file else default_log_path(environ)
    text = collect(
        app_version=__version__,
        qt_version=qt_version,
        environment_label=label,
        settings_non_default=None,  # the window's settings live in Qt's store
        log_path=log_path,
        last_error=None,
        extra=extra,
    )
    out.write(safe_text(text, keep_newlines=True))
    out.flush()
    return EXIT_OK


def _environment(key: str, environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The environment label and the network lines for the key and variables in use."""
    from vital_desktop.core.tls import system_trust_available

    extra: dict[str, str] = {}
    base_url = environ.get(BASE_URL_VARIABLE, "").strip()
    if base_url:
        extra[BASE_URL_VARIABLE] = base_url
    target: ApiTarget | None = None
    if not key:
        label = f"none: {API_KEY_VARIABLE} is not set (the window starts in demo mode)"
    else:
        try:
            target = target_for_key(key, environ)
            label = target.label
        except VitalError as error:
            label = f"not usable: {error.message}"
    if target is not None:
        extra["API address"] = target.base_url
        extra["Proxy"] = _proxy_line(target, environ)
    for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if environ.get(variable, "").strip():
            extra[variable] = environ[variable].strip()
    extra["System certificate store"] = (
        "used" if system_trust_available() else "not available (certifi's list is used)"
    )
    return label, extra


def _proxy_line(target: ApiTarget, environ: Mapping[str, str]) -> str:
    from vital_desktop.core.proxies import proxy_for

    try:
        proxy = proxy_for(target, environ)
    except VitalError as error:
        return f"not usable: {error.message}"
    if proxy is None:
        return "none (direct connection)"
    url = proxy.url
    return f"{url.scheme}://{url.host}:{url.port}" if url.port else f"{url.scheme}://{url.host}"
