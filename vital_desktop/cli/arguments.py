"""argparse value checks for ``vital-link``: each refusal is one sentence (exit 2)."""

from __future__ import annotations

import argparse
import math

LOOPBACK_HOST = "127.0.0.1"
# Named for what it does, so nobody exposes the stand-in to the network by accident.
REMOTE_FLAG = "--allow-remote-connections"


def positive_seconds(text: str) -> float:
    """A finite number of seconds above zero (``-1``, ``0``, ``nan``, ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds.") from None
    # nan compares false with everything, so test finiteness before the sign.
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed: give a finite number of seconds above zero."
        )
    return value


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0 lets the system pick a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number.") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value} is not a port: use 0 to 65535 (0 picks a free port)."
        )
    return value
