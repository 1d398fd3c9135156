"""The client's settings, importable without httpx (the window needs them before its first
paint; the client itself, and httpx with it, is imported by the worker that first calls)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PROVIDERS = ("apple_health_kit", "fitbit", "freestyle_libre", "oura")


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts, retries and limits. Defaults suit a front desk on an ordinary network."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_retries: int = 2
    retry_after_cap: float = 10.0
    backoff: float = 0.5
    max_response_bytes: int = 2_000_000
    # Connect + TLS + request + headers + body of a whole call (retries and their waits
    # included) end by then, however slowly a server trickles bytes.
    overall_timeout: float = 30.0
    # A PEM file of extra certificate authorities (a clinic's TLS-inspecting proxy, say),
    # trusted on top of the system's store; verification itself cannot be turned off.
    ca_bundle: str | None = None
