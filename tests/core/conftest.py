"""Fixtures for the core tests: real loopback servers (scripted, TLS), a closed port."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.sandbox import SandboxServer

from .helpers import ScriptedServer, fast_settings

# A name that never resolves (RFC 6761 .test): only a proxy can reach it. The self-signed
# certificate carries it too, so https through a proxy can be verified end to end.
PROXIED_HOST = "api.vital-proxy.test"


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1",
         "-addext", f"subjectAltName=IP:127.0.0.1,DNS:{PROXIED_HOST}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]) -> Iterator[ScriptedServer]:
    cert, key = self_signed
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ScriptedServer(context)
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[VitalClient]:
    """A client for the running stand-in (its base URL is a custom, loopback target)."""
    with VitalClient(sandbox.demo_key, custom_target(sandbox.base_url), fast_settings()) as client:
        yield client
