"""``vital-link``: get a link token from the command line, run the local sandbox API, or
print diagnostics for support.

The API key is read from ``VITAL_API_KEY`` (or, when that is unset, from the system
keychain, where ``vital-link key set`` put it), never from an argument (arguments end up
in shell history and process lists). Exit codes: 0 success, 2 bad input, 3 the API
refused, 4 network failure. The message on stderr is the sentence the desktop app shows.

This module only parses and dispatches. It must stay cheap to import so ``--help`` is
instant: beyond argparse it imports only ``core.names`` (enum) and the small modules below;
logging, typing, the core's validation (idna, ipaddress, dataclasses), httpx, segno,
keyring, sqlite3 and the sandbox are imported inside the command that uses them
(``test_help_is_light`` in ``tests/cli/test_sandbox_command.py`` holds it to that).
"""

from __future__ import annotations

import argparse
import os
import sys

from vital_desktop import __version__
from vital_desktop.cli.arguments import (
    LOOPBACK_HOST,
    REMOTE_FLAG,
    port_number,
    positive_seconds,
)
from vital_desktop.core.link_defaults import DEFAULT_LINK_TTL
from vital_desktop.core.names import (
    API_KEY_VARIABLE,
    BASE_URL_VARIABLE,
    HISTORY_DB_VARIABLE,
    Environment,
    ErrorCategory,
    Region,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import NoReturn

DEFAULT_TIMEOUT = 20.0  # seconds for the whole request, retries included
DEFAULT_POLL_TIMEOUT = 30.0  # seconds a matrix waits to see each demo connection
OUTCOME_CHOICES = ("pending", "connected", "error", "expired", "retired", "cancelled")
_NO_HISTORY_HELP = (
    "do not record this hand-off in the history on this computer "
    f"(${HISTORY_DB_VARIABLE} names another history file)"
)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and with it bz2,
    lzma and zlib) just for that: ``$COLUMNS``, else the terminal on standard output, else
    80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        stream = sys.__stdout__
        try:
            columns = os.get_terminal_size(stream.fileno()).columns if stream else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one plain sentence instead of a usage dump on bad input."""

    def error(self, message: str) -> NoReturn:
        from vital_desktop.cli.output import safe_text

        # No usage dump: the one line says what is wrong; --help is there for the rest.
        # argparse quotes the offending argument: escape what it holds (ESC, NUL, bidi).
        self.exit(ErrorCategory.BAD_INPUT.value, f"{self.prog}: {safe_text(message)}\n")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # The width argparse's own HelpFormatter works out (terminal width less 2); every
        # HelpFormatter takes it, though typeshed's protocol names ``prog`` only.
        width = _terminal_columns() - 2
        return self.formatter_class(prog=self.prog, width=width)  # type: ignore[call-arg]


def _add_token_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    token = commands.add_parser(
        "token",
        help="create a link token and print its link",
        description=f"Create a one-time link (POST /v2/link/token). Key: ${API_KEY_VARIABLE}.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    token.add_argument("--user-id", required=True, help="the patient's Vital user ID (UUID)")
    token.add_argument("--provider", help="send the patient straight to this provider (slug)")
    token.add_argument(
        "--filter",
        metavar="SLUGS",
        help="comma-separated providers the link offers, e.g. oura,fitbit",
    )
    token.add_argument("--redirect-url", help="where the browser goes when the patient is done")
    token.add_argument(
        "--env", choices=[e.value for e in Environment], help="default: from the key"
    )
    token.add_argument("--region", choices=[r.value for r in Region], help="default: from the key")
    token.add_argument("--legacy-host", action="store_true", help="use the tryvital.io hosts")
    token.add_argument("--base-url", help=f"a custom API address (overrides ${BASE_URL_VARIABLE})")
    shown = token.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the result as JSON")
    shown.add_argument(
        "--qr", action="store_true", help="also draw the link as a QR code (after the link)"
    )
    token.add_argument(
        "--qr-png", metavar="FILE", help="also write the link as a QR code picture (PNG)"
    )
    token.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="draw the --qr code black on white with ANSI colour: auto (a terminal without "
        "NO_COLOR), always or never",
    )
    token.add_argument(
        "--timeout",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up after this long, retries included (default {DEFAULT_TIMEOUT:g})",
    )
    token.add_argument("--verbose", action="store_true", help="print technical detail on failure")
    token.add_argument("--no-history", action="store_true", help=_NO_HISTORY_HELP)


def _add_matrix_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    matrix = commands.add_parser(
        "matrix",
        help="run one patient through every provider (QA)",
        description="Run one patient through every provider of the catalogue: a web link "
        "for each web provider, an app code for each phone-only one, and with "
        "--demo-connect (sandbox only) a demo connection for each demo provider. Prints a "
        f"table; exit 0 only when every row is ok. Key: ${API_KEY_VARIABLE}.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    patient = matrix.add_mutually_exclusive_group(required=True)
    patient.add_argument("--user-id", help="the patient's Vital user ID (UUID)")
    patient.add_argument("--client-user-id", help="the clinic's own patient ID")
    matrix.add_argument(
        "--create",
        action="store_true",
        help="create the --client-user-id patient when Vital has none (an existing one is used)",
    )
    matrix.add_argument(
        "--providers",
        metavar="SLUGS",
        help="comma-separated providers to run, e.g. oura,apple_health_kit (default: all)",
    )
    matrix.add_argument(
        "--demo-connect",
        action="store_true",
        help="also make a demo connection for each demo provider and wait to see it (sandbox only)",
    )
    matrix.add_argument(
        "--poll-timeout",
        type=positive_seconds,
        default=DEFAULT_POLL_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for each demo connection to show up "
        f"(default {DEFAULT_POLL_TIMEOUT:g})",
    )
    matrix.add_argument("--csv", metavar="FILE", help="also write the rows as CSV")
    matrix.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    matrix.add_argument(
        "--env", choices=[e.value for e in Environment], help="default: from the key"
    )
    matrix.add_argument("--region", choices=[r.value for r in Region], help="default: from the key")
    matrix.add_argument("--legacy-host", action="store_true", help="use the tryvital.io hosts")
    matrix.add_argument("--base-url", help=f"a custom API address (overrides ${BASE_URL_VARIABLE})")
    matrix.add_argument(
        "--timeout",
        type=positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on each call after this long, retries included "
        f"(default {DEFAULT_TIMEOUT:g})",
    )
    matrix.add_argument("--verbose", action="store_true", help="print technical detail on failure")
    matrix.add_argument("--no-history", action="store_true", help=_NO_HISTORY_HELP)


def _add_sandbox_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="run the local stand-in for the Vital API",
        description="Run a local stand-in for the Vital API (in-memory, for demos and QA). "
        f"It listens on this computer only unless {REMOTE_FLAG} is given.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    sandbox.add_argument(
        "--host",
        default=LOOPBACK_HOST,
        help=f"address to bind (default {LOOPBACK_HOST}; any other than a loopback address "
        f"needs {REMOTE_FLAG})",
    )
    sandbox.add_argument(
        REMOTE_FLAG,
        action="store_true",
        help="allow --host to be a network address: anyone who can reach it can use the "
        "stand-in, with no real key",
    )
    sandbox.add_argument("--port", type=port_number, default=0, help="0 picks a free port")
    sandbox.add_argument("--env", choices=[e.value for e in Environment], default="sandbox")
    sandbox.add_argument("--region", choices=[r.value for r in Region], default="us")
    sandbox.add_argument(
        "--link-ttl",
        type=positive_seconds,
        default=DEFAULT_LINK_TTL,
        metavar="SECONDS",
        help="link lifetime in seconds",
    )
    sandbox.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="switch on a fault, e.g. '/v2/link/token=503' or '/v2/link/token=slow=30' "
        "(repeatable; see vital_desktop/sandbox/README.md)",
    )


def _add_key_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    key = commands.add_parser(
        "key",
        help="remember the team API key in this computer's keychain",
        description="Remember a team API key in the system keychain (one per environment "
        "and region), list what is stored, or forget it. `vital-link token` uses the stored "
        f"key when ${API_KEY_VARIABLE} is not set. Nothing is written when no keychain exists.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    actions = key.add_subparsers(dest="key_command", required=True, parser_class=_Parser)
    store = actions.add_parser(
        "set",
        help="store the key read from standard input",
        description="Store the key read from standard input (pipe it in, or paste it when "
        "asked; it is never taken from an argument). Its prefix says its environment and "
        "region; --env/--region, when given, must agree.",
    )
    forget = actions.add_parser(
        "forget",
        help="remove a stored key",
        description="Remove a stored key. --env and --region are needed unless only one "
        "key is stored.",
    )
    # Caught so that a key typed as an argument is refused without echoing it back.
    store.add_argument("typed_key", nargs="*", help=argparse.SUPPRESS)
    for action in (store, forget):
        action.add_argument("--env", choices=[e.value for e in Environment])
        action.add_argument("--region", choices=[r.value for r in Region])
    actions.add_parser(
        "status",
        help="list the stored keys (masked) and the keychain in use",
        description="List the stored keys, masked (sk_us_…a1b2), and the keychain in use.",
    )


def _add_diagnostics_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    diagnostics = commands.add_parser(
        "diagnostics",
        help="print versions, settings and recent log lines for support (nothing secret)",
        description="Print what support needs to know: versions, platform, environment and "
        "region, the proxy and certificate settings, and the last lines of the app's log, "
        "with keys and links removed. Nothing is sent anywhere.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    diagnostics.add_argument(
        "--log-file",
        metavar="FILE",
        help="read this log file instead of the one the window writes",
    )


def _add_history_command(commands: argparse._SubParsersAction[_Parser], full: bool) -> None:
    history = commands.add_parser(
        "history",
        help="list or export the links and codes handed out on this computer",
        description="List the hand-offs recorded on this computer (by the window and by "
        "`vital-link token` and `matrix`), newest first, times in local time; or write them "
        "as CSV (times in UTC). No link, code or key is ever recorded, only a fingerprint. "
        f"The file: --db, else ${HISTORY_DB_VARIABLE}, else the app's data folder.",
    )
    if not full:
        return  # name and help only: what the top-level --help lists
    history.add_argument(
        "--since", metavar="DATE", help="from this date (2024-05-01) or time (2024-05-01T14:00)"
    )
    history.add_argument(
        "--until", metavar="DATE", help="up to the end of this date, or up to this time"
    )
    history.add_argument("--user", help="part of the Vital user ID or of the clinic's patient ID")
    history.add_argument("--provider", help="this provider only (slug, e.g. oura)")
    history.add_argument("--env", help="this environment only (sandbox, production, demo)")
    history.add_argument("--outcome", choices=OUTCOME_CHOICES, help="this outcome only")
    history.add_argument(
        "--limit", type=int, metavar="N", help="at most N rows (default 100 for the table)"
    )
    history.add_argument("--csv", metavar="FILE", help="write the rows to FILE as CSV instead")
    history.add_argument("--db", metavar="PATH", help="read this history file")


_COMMANDS: tuple[tuple[str, Callable[[argparse._SubParsersAction[_Parser], bool], None]], ...] = (
    ("token", _add_token_command),
    ("matrix", _add_matrix_command),
    ("sandbox", _add_sandbox_command),
    ("key", _add_key_command),
    ("diagnostics", _add_diagnostics_command),
    ("history", _add_history_command),
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``vital-link`` argument parser (token, matrix, sandbox, key, diagnostics,
    history).

    With ``only``, the options of that sub-command alone are set up (none when it names no
    sub-command): the others keep their name and help, which is all the top-level ``--help``
    and argparse's "invalid choice" show, so a run pays for one sub-command's parser.
    """
    parser = _Parser(
        prog="vital-link",
        description="Get a one-time Vital link for a patient, or run a local practice API.",
        epilog=f"The API key is read from the {API_KEY_VARIABLE} environment variable, or "
        "else from the keychain (see `vital-link key`); "
        f"{BASE_URL_VARIABLE} overrides the API host. Exit codes: 0 success, 2 bad input, "
        "3 the API refused, 4 network failure.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, add in _COMMANDS:
        add(commands, only is None or only == name)
    return parser


def _command_in(argv: Sequence[str]) -> str:
    """The sub-command argparse will run: the first argument not starting with ``-`` (the
    top-level options, -h and --version, take no value), or "" when there is none."""
    return next((arg for arg in argv if not arg.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``vital-link``."""
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(_command_in(words)).parse_args(words)
    if argv is None and args.command == "token":
        # Run as the program (the console script, `python -m`), `token` is one request and
        # then the process ends. The ~300 modules it imports would set off some 60 garbage
        # collections (about 8 ms, each walking every object made so far) that find next to
        # nothing, and the collection Python makes while shutting down would walk them all
        # once more (about 15 ms). So collection is off for the run, and what is left when
        # it returns is frozen (left out of every later collection): the process ends and
        # its memory with it. An in-process caller passes ``argv`` and keeps its collector.
        import gc

        gc.disable()
        try:
            return _run(args)
        finally:
            gc.freeze()
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    import logging

    from vital_desktop.core.logsetup import configure_logging

    # Warnings and worse reach stderr through the scrubbing handler, never Python's
    # unfiltered last-resort one.
    configure_logging(logging.WARNING)
    if args.command == "sandbox":
        from vital_desktop.cli.sandbox_command import run_sandbox

        return run_sandbox(args, os.environ, sys.stdout, sys.stderr)
    if args.command == "diagnostics":
        from vital_desktop.cli.diagnostics_command import run_diagnostics

        return run_diagnostics(args, os.environ, sys.stdout, sys.stderr)
    if args.command == "matrix":
        from vital_desktop.cli.matrix_command import run_matrix

        return run_matrix(args, os.environ, sys.stdout, sys.stderr)
    if args.command == "history":
        from vital_desktop.cli.history_command import run_history

        return run_history(args, os.environ, sys.stdout, sys.stderr)
    if args.command == "key":
        from vital_desktop.cli.key_command import run_key

        return run_key(args, sys.stdin, sys.stdout, sys.stderr)
    from vital_desktop.cli.token_command import run_token

    return run_token(args, os.environ, sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
