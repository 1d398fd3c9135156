"""``vital-link sandbox``: run the stand-in in the foreground until Ctrl+C."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from vital_desktop.core.environments import KEY_PREFIXES, Environment, Region
from vital_desktop.core.errors import ErrorCategory
from vital_desktop.sandbox.faults import FaultPlan
from vital_desktop.sandbox.server import SandboxServer


def run_foreground(
    host: str = "127.0.0.1",
    port: int = 0,
    environment: Environment = Environment.SANDBOX,
    region: Region = Region.US,
    link_ttl: float = 600.0,
    faults: FaultPlan | None = None,
    out: TextIO = sys.stdout,
    *,
    err: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl+C (or ``stop`` is set); returns the process exit code.

    ``faults`` is used as given. Only when it is None are the faults of
    ``VITAL_SANDBOX_FAULTS`` read: a caller that built its plan from that variable (the
    command line does) must not have it read again, or every fault in it would be active
    twice and a ``times=1`` fault would fire twice. Problems go to ``err`` (default
    ``out``): 2 for a bad fault spec or port, 4 when the address cannot be bound.
    """
    problems = out if err is None else err
    try:
        plan = faults if faults is not None else FaultPlan.from_env()
    except ValueError as problem:
        print(f"Cannot start the sandbox: {problem}", file=problems, flush=True)
        return ErrorCategory.BAD_INPUT.value
    server = SandboxServer(host, port, environment, region, link_ttl, plan)
    try:
        server.start()
    except OverflowError:
        print(f"Cannot start the sandbox: {port} is not a port (0 to 65535).", file=problems)
        return ErrorCategory.BAD_INPUT.value
    except OSError as problem:
        reason = problem.strerror or str(problem) or type(problem).__name__
        print(f"Cannot listen on {host}:{port}: {reason}.", file=problems, flush=True)
        return ErrorCategory.NETWORK.value
    prefix = KEY_PREFIXES[(server.environment, server.region)]
    print(
        f"Sandbox Vital API listening on {server.base_url} "
        f"({server.environment.value}, {server.region.value}). "
        f"Use any API key starting {prefix}.",
        file=out,
    )
    for fault in plan.active:
        print(f"Fault active: {fault.spec}", file=out)
    print("Press Ctrl+C to stop.", file=out, flush=True)
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("Sandbox stopped.", file=out, flush=True)
    return 0
