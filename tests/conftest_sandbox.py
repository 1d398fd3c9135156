"""The ``sandbox`` fixture: a started stand-in Vital API on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vital_desktop.sandbox import SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh ``SandboxServer`` (sandbox, US) for one test; stopped afterwards."""
    server = SandboxServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
