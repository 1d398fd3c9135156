"""``vital-link sandbox``: check the flags, then serve the stand-in in the foreground.

The stand-in accepts any key with the right prefix and hands out real-looking links, so it
listens on this computer only unless the user asks for the network by a flag whose name
says what it does.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Mapping
from typing import TextIO

from vital_desktop.cli.arguments import REMOTE_FLAG
from vital_desktop.cli.output import write_line
from vital_desktop.core.environments import Environment, Region
from vital_desktop.core.errors import ErrorCategory


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name: it may resolve to a network interface
        return False


def remote_warning(host: str) -> str:
    """The warning printed when the stand-in listens beyond this computer."""
    return (
        f"Warning: the sandbox listens on {host}, so anyone who can reach this computer on "
        "the network can use it (any key with the right prefix is accepted)."
    )


def run_sandbox(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    """``vital-link sandbox``: serve until Ctrl+C; 2 for bad flags, 4 when it cannot listen."""
    from vital_desktop.sandbox import FaultPlan, parse_fault, run_foreground

    host = args.host.strip()
    if not is_loopback(host):
        if not args.allow_remote_connections:
            write_line(
                err,
                f"The sandbox listens on this computer only; --host {host} would let others "
                f"on the network use it: add {REMOTE_FLAG} if that is what you want.",
            )
            return ErrorCategory.BAD_INPUT.value
        write_line(err, remote_warning(host))
    try:
        # The one place faults are gathered: the environment's, then each --fault. The plan
        # is handed over whole, so nothing reads the environment a second time (which made
        # a fault given once fire twice).
        faults = FaultPlan.from_env(environ)
        for spec in args.fault:
            faults.add(parse_fault(spec))
    except ValueError as error:
        write_line(err, str(error))
        return ErrorCategory.BAD_INPUT.value
    return run_foreground(
        host,
        args.port,
        Environment(args.env),
        Region(args.region),
        args.link_ttl,
        faults,
        out=out,
        err=err,
    )
