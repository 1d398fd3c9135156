"""A local stand-in for the Vital (Junction) API: no Qt, stdlib HTTP, in-memory state.

``SandboxServer`` serves every endpoint of tests/openapi-subset.json, a hosted link widget
page and injectable faults (see ``vital_desktop.sandbox.faults`` and README.md here).
"""

from vital_desktop.sandbox.faults import Fault, FaultKind, FaultPlan, parse_fault, parse_faults
from vital_desktop.sandbox.foreground import run_foreground
from vital_desktop.sandbox.requestlog import LoggedRequest, RequestLog
from vital_desktop.sandbox.server import SandboxServer
from vital_desktop.sandbox.state import SandboxState

__all__ = [
    "Fault",
    "FaultKind",
    "FaultPlan",
    "LoggedRequest",
    "RequestLog",
    "SandboxServer",
    "SandboxState",
    "parse_fault",
    "parse_faults",
    "run_foreground",
]
