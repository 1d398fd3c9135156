"""``vital-link sandbox``: run the stand-in in the foreground until Ctrl+C."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from vital_desktop.core.environments import KEY_PREFIXES, Environment, Region
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
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl+C (or ``stop`` is set); returns the process exit code.

    Faults from ``VITAL_SANDBOX_FAULTS`` are added to ``faults``. Returns 2 for a bad fault
    spec and 1 when the address cannot be bound, after printing why.
    """
    try:
        plan = faults if faults is not None else FaultPlan()
        for fault in FaultPlan.from_env().active:
            plan.add(fault)
    except ValueError as problem:
        print(f"Cannot start the sandbox: {problem}", file=out, flush=True)
        return 2
    server = SandboxServer(host, port, environment, region, link_ttl, plan)
    try:
        server.start()
    except OSError as problem:
        print(
            f"Cannot listen on {host}:{port}: {problem.strerror or problem}", file=out, flush=True
        )
        return 1
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
