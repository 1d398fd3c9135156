"""``vital-link``: get a link token from the command line, or run the local sandbox API.

The API key is read from ``VITAL_API_KEY`` only, never from an argument (arguments end up
in shell history and process lists). Exit codes: 0 success, 2 bad input, 3 the API
refused, 4 network failure. The message on stderr is the sentence the desktop app shows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from vital_desktop import __version__
from vital_desktop.core.client import ClientSettings, VitalClient
from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    BASE_URL_VARIABLE,
    ApiTarget,
    Environment,
    Region,
    custom_target,
    inspect_key,
    standard_target,
)
from vital_desktop.core.errors import ErrorCategory, VitalError
from vital_desktop.core.link_session import DEFAULT_LINK_TTL
from vital_desktop.core.qr import terminal_qr
from vital_desktop.core.validation import LinkTokenRequest

EXIT_OK = 0


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one plain sentence instead of a usage dump on bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(ErrorCategory.BAD_INPUT.value, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``vital-link`` argument parser (token and sandbox subcommands)."""
    parser = _Parser(
        prog="vital-link",
        description="Get a one-time Vital link for a patient, or run a local practice API.",
        epilog=f"The API key is read from the {API_KEY_VARIABLE} environment variable; "
        f"{BASE_URL_VARIABLE} overrides the API host. Exit codes: 0 success, 2 bad input, "
        "3 the API refused, 4 network failure.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    token = commands.add_parser(
        "token",
        help="create a link token and print its link",
        description=f"Create a one-time link (POST /v2/link/token). Key: ${API_KEY_VARIABLE}.",
    )
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
    token.add_argument("--json", action="store_true", help="print the result as JSON")
    token.add_argument("--qr", action="store_true", help="also draw the link as a QR code")
    token.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for an answer")
    token.add_argument("--verbose", action="store_true", help="print technical detail on failure")

    sandbox = commands.add_parser(
        "sandbox",
        help="run the local stand-in for the Vital API",
        description="Run a local stand-in for the Vital API (in-memory, for demos and QA).",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    sandbox.add_argument("--port", type=int, default=0, help="0 picks a free port")
    sandbox.add_argument("--env", choices=[e.value for e in Environment], default="sandbox")
    sandbox.add_argument("--region", choices=[r.value for r in Region], default="us")
    sandbox.add_argument(
        "--link-ttl", type=float, default=DEFAULT_LINK_TTL, help="link lifetime in seconds"
    )
    sandbox.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="switch on a fault, e.g. '/v2/link/token=503' or '/v2/link/token=slow=30' "
        "(repeatable; see vital_desktop/sandbox/README.md)",
    )
    return parser


def resolve_target(args: argparse.Namespace, key: str, environ: Mapping[str, str]) -> ApiTarget:
    """The target from --base-url, $VITAL_BASE_URL, or --env/--region (defaults: the key's)."""
    base_url = args.base_url or environ.get(BASE_URL_VARIABLE, "").strip()
    if base_url:
        return custom_target(base_url)
    info = inspect_key(key)
    environment = Environment(args.env) if args.env else info.environment
    region = Region(args.region) if args.region else info.region
    return standard_target(environment, region, legacy=args.legacy_host)


def run_token(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """``vital-link token``: validate, call, print the link (and QR); map failures to codes."""
    key = environ.get(API_KEY_VARIABLE, "")
    try:
        request = LinkTokenRequest.build(
            args.user_id,
            args.provider,
            [s for s in (args.filter or "").split(",") if s.strip()],
            args.redirect_url,
        )
        target = resolve_target(args, key, environ)
        settings = ClientSettings(read_timeout=args.timeout)
        with VitalClient(key, target, settings) as client:
            link = client.create_link_token(request)
            info = client.key_info
    except VitalError as error:
        print(error.message, file=err)
        if args.verbose:
            print(error.detail, file=err)
        return error.exit_code
    if args.json:
        payload = {
            "link_web_url": link.link_web_url,
            "link_token": link.link_token,
            "environment": info.environment.value,
            "region": info.region.value,
            "base_url": target.base_url,
            "valid_for_seconds": int(DEFAULT_LINK_TTL),
        }
        print(json.dumps(payload, indent=2), file=out)
        return EXIT_OK
    if args.qr:
        print(terminal_qr(link.link_web_url), file=out)
    print(link.link_web_url, file=out)
    if out is sys.stdout and out.isatty():
        minutes = int(DEFAULT_LINK_TTL // 60)
        print(f"One-time link, valid for about {minutes} minutes.", file=err)
    return EXIT_OK


def run_sandbox(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``vital-link sandbox``: serve the stand-in in the foreground until Ctrl+C."""
    from vital_desktop.sandbox import FaultPlan, parse_fault, run_foreground

    try:
        faults = FaultPlan.from_env()
        for spec in args.fault:
            faults.add(parse_fault(spec))
    except ValueError as error:
        print(str(error), file=err)
        return ErrorCategory.BAD_INPUT.value
    try:
        return run_foreground(
            args.host,
            args.port,
            Environment(args.env),
            Region(args.region),
            args.link_ttl,
            faults,
            out=out,
        )
    except OSError as error:
        print(
            f"Could not start the sandbox on {args.host}:{args.port}: {error.strerror}.", file=err
        )
        return ErrorCategory.NETWORK.value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``vital-link``."""
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        return run_sandbox(args, sys.stdout, sys.stderr)
    return run_token(args, os.environ, sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
