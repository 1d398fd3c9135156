"""``vital-link token``: validate, ask for a link, print it, then (maybe) draw it.

Order matters: the link is printed and flushed before any QR code, so a code that cannot be
drawn (too long, a console without block characters, a PNG path that fails) never costs a
link that was already issued and counts against the patient.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from vital_desktop.cli.output import can_encode, safe_text, wants_colour, write_line
from vital_desktop.core.environments import (
    BASE_URL_VARIABLE,
    ApiTarget,
    Environment,
    KeyInfo,
    Region,
    custom_target,
    inspect_key,
    standard_target,
)
from vital_desktop.core.errors import ErrorCategory, VitalError, invalid_input
from vital_desktop.core.history_store import HistoryError, HistoryStore
from vital_desktop.core.link_form import LinkForm
from vital_desktop.core.link_form import build_request as build_link_request
from vital_desktop.core.link_session import DEFAULT_LINK_TTL, LinkSession
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.core.validation import LinkTokenRequest

if TYPE_CHECKING:
    from vital_desktop.core.client import ClientSettings

EXIT_OK = 0


def resolve_target(args: argparse.Namespace, key: str, environ: Mapping[str, str]) -> ApiTarget:
    """The target from --base-url, $VITAL_BASE_URL, or --env/--region (defaults: the key's)."""
    base_url = args.base_url or environ.get(BASE_URL_VARIABLE, "").strip()
    if base_url:
        return custom_target(base_url)
    info = inspect_key(key)
    environment = Environment(args.env) if args.env else info.environment
    region = Region(args.region) if args.region else info.region
    return standard_target(environment, region, legacy=args.legacy_host)


def build_request(args: argparse.Namespace) -> LinkTokenRequest:
    """The validated request, by the window's own rules (``core.link_form``): phone-only
    providers are refused with the same sentence, before anything is sent."""
    form = LinkForm(
        user_id_text=args.user_id,
        provider_slug=(args.provider or "").strip() or None,
        filter_slugs=tuple(s.strip() for s in (args.filter or "").split(",") if s.strip()),
        redirect_text=args.redirect_url or "",
    )
    return build_link_request(form, bundled_catalogue())


def client_settings(timeout: float) -> ClientSettings:
    """``--timeout`` bounds the whole call; no single wait may be longer than it either."""
    from vital_desktop.core.client import ClientSettings

    return ClientSettings(
        overall_timeout=timeout,
        connect_timeout=min(timeout, ClientSettings.connect_timeout),
        read_timeout=min(timeout, ClientSettings.read_timeout),
    )


def _check_png_path(path: str) -> None:
    """Refuse an unusable --qr-png path before a link is spent on it."""
    try:
        if "\x00" in path:
            raise ValueError("NUL in a path")
        os.fsencode(path)  # a name the file system cannot hold (lone surrogates)
    except (ValueError, UnicodeError):
        raise invalid_input(
            "qr_png", f"Cannot write the QR picture to {safe_text(path)}: not a usable file name."
        ) from None
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder):
        raise invalid_input(
            "qr_png", f"Cannot write the QR picture to {safe_text(path)}: no such folder."
        )


def report_error(error: VitalError, verbose: bool, err: TextIO) -> int:
    """Print the error's sentence (and detail with --verbose); return its exit code."""
    # Sentences can quote a server's words, detail always does: both are made inert.
    write_line(err, safe_text(error.message))
    if verbose:
        write_line(err, safe_text(error.detail, keep_newlines=True))
    return error.exit_code


def issue_link(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> tuple[LinkSession, ApiTarget, KeyInfo]:
    """Validate, call POST /v2/link/token once, and wrap the reply in a ``LinkSession``."""
    from vital_desktop.cli.key_command import key_for_run
    from vital_desktop.core.client import VitalClient

    request = build_request(args)
    if args.qr_png:
        _check_png_path(args.qr_png)
    # $VITAL_API_KEY wins; without it, the key stored for --env/--region (or the only one).
    key = key_for_run(args, environ)
    target = resolve_target(args, key, environ)
    with VitalClient(key, target, client_settings(args.timeout), environ=environ) as client:
        link = client.create_link_token(request)
        info = client.key_info
    # The same deadline the window shows: min(setting, the token's own exp on server time).
    return LinkSession.issue(request, link, DEFAULT_LINK_TTL), target, info


def _print_json(session: LinkSession, target: ApiTarget, info: KeyInfo, out: TextIO) -> None:
    payload = {
        "link_web_url": session.link.link_web_url,
        "link_token": session.link.link_token,
        "environment": info.environment.value,
        "region": info.region.value,
        "base_url": target.base_url,
        "expires_at": session.expires_at_utc().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "valid_for_seconds": session.valid_for_seconds(),
    }
    # ensure_ascii escapes every control, bidi and non-ASCII character from the server.
    write_line(out, json.dumps(payload, indent=2, ensure_ascii=True))


def _validity_sentence(session: LinkSession) -> str:
    left = session.valid_for_seconds()
    if left <= 0:
        return "This link has already expired by its own expiry time; make a new one."
    if left < 120:
        return f"One-time link, valid for about {left} seconds."
    return f"One-time link, valid for about {round(left / 60)} minutes."


def draw_terminal_qr(link: str, colour: bool, out: TextIO, err: TextIO) -> bool:
    """Draw the code after the link, or say in one sentence why not; True when drawn."""
    from vital_desktop.core.qr import BLOCK_GLYPHS, MAX_QR_BYTES, qr_fits, terminal_qr

    if not qr_fits(link):
        write_line(
            err,
            f"No QR code drawn: the link is longer than a QR code can hold ({MAX_QR_BYTES} "
            "bytes); send the link above instead.",
        )
        return False
    unusable = (
        "No QR code drawn: this terminal's character set ({}) has no block characters; "
        "use --qr-png FILE for a picture instead."
    )
    encoding = getattr(out, "encoding", None) or "unknown"
    if not can_encode(out, BLOCK_GLYPHS):
        write_line(err, unusable.format(encoding))
        return False
    drawing = terminal_qr(link, ansi=colour)
    try:
        out.write(drawing + "\n")
        out.flush()
    except UnicodeEncodeError:
        # The encoding check should make this unreachable; a stream whose encoding lies
        # still must not turn a printed link into a traceback.
        write_line(err, unusable.format(encoding))
        return False
    return True


def _write_png(link: str, path: str, err: TextIO) -> int:
    from vital_desktop.core.qr import MAX_QR_BYTES, qr_fits, write_qr_png

    if not qr_fits(link):
        write_line(
            err,
            f"No QR picture written: the link is longer than a QR code can hold "
            f"({MAX_QR_BYTES} bytes); send the link instead.",
        )
        return ErrorCategory.BAD_INPUT.value
    try:
        write_qr_png(link, path)
    except (ValueError, UnicodeError):
        write_line(err, f"Could not write the QR picture to {safe_text(path)}: not a file name.")
        return ErrorCategory.BAD_INPUT.value
    except OSError as problem:
        reason = safe_text(problem.strerror or str(problem))
        write_line(err, f"Could not write the QR picture to {safe_text(path)}: {reason}.")
        return ErrorCategory.BAD_INPUT.value
    return EXIT_OK


def run_token(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """``vital-link token``: validate, call, record, print the link (then QR); map failures
    to codes.

    The history file is opened before the link is asked for (one that cannot be used stops
    the run before a link is spent) and the hand-off is committed to it before the link is
    printed; with ``--no-history`` nothing is recorded.
    """
    from vital_desktop.cli.history_command import not_recorded, open_history_for_run

    try:
        history = open_history_for_run(args, environ, err)
    except VitalError as error:
        return report_error(error, args.verbose, err)
    try:
        try:
            session, target, info = issue_link(args, environ)
            try:
                row_id = _record(history, session, target, info)
            except HistoryError as problem:
                raise not_recorded(problem) from problem
        except VitalError as error:
            return report_error(error, args.verbose, err)
        return _hand_out(args, environ, session, target, info, out, err, history, row_id)
    finally:
        if history is not None:
            history.close()


def _record(
    history: HistoryStore | None, session: LinkSession, target: ApiTarget, info: KeyInfo
) -> int | None:
    """The hand-off committed to the history (route "cli"), before anything is printed."""
    if history is None:
        return None
    request = session.request
    return history.record(
        user_id=request.user_id,
        route="cli",
        secret=session.link.link_token,
        environment=info.environment.value,
        region=info.region.value,
        base_url=target.base_url,
        provider=request.provider,
        filter=request.filter_on_providers or (),
        redirect_url=request.redirect_url,
        how=("cli_printed",),
    )


def _add_way(history: HistoryStore | None, row_id: int | None, way: str, err: TextIO) -> None:
    if history is None or row_id is None:
        return
    try:
        history.add_way(row_id, way)
    except HistoryError as problem:
        write_line(err, safe_text(problem.message))


def _hand_out(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    session: LinkSession,
    target: ApiTarget,
    info: KeyInfo,
    out: TextIO,
    err: TextIO,
    history: HistoryStore | None,
    row_id: int | None,
) -> int:
    link = safe_text(session.link.link_web_url)
    if args.json:
        _print_json(session, target, info, out)
    else:
        write_line(out, link)
        if out.isatty():
            write_line(err, _validity_sentence(session))
        if args.qr:
            if draw_terminal_qr(link, wants_colour(out, args.color, environ), out, err):
                _add_way(history, row_id, "qr_shown", err)
    if args.qr_png:
        code = _write_png(link, args.qr_png, err)
        if code == EXIT_OK:
            _add_way(history, row_id, "qr_saved", err)
        return code
    return EXIT_OK
