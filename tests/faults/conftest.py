"""Fixtures for the fault suite: one hostile server (and the other bad addresses) for the
whole run, re-armed by each test; the window factory of the Qt tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from qt.conftest import open_window  # noqa: F401 - re-exported as a fixture

from .hostile import (
    CANARY,
    CountingServer,
    HostileServer,
    PlainTcpServer,
    SelfSignedServer,
    Servers,
    closed_port,
    files_holding,
)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("hostile-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    hostile = HostileServer()
    other = CountingServer()
    hostile.redirect_to = f"http://localhost:{other.port}"
    plain = PlainTcpServer()
    self_signed = SelfSignedServer(Path(cert), Path(key))
    shared = Servers(hostile, other, plain, self_signed, closed_port())
    yield shared
    for server in (hostile, other, plain, self_signed):
        server.stop()
    # The in-process runs wrote under this test run's home folder (tests/conftest.py): by
    # the end of the run, nothing there may hold the canary key or a token it was given.
    test_home = os.environ.get("VITAL_TEST_HOME")
    if test_home:
        assert files_holding(Path(test_home), [CANARY, *hostile.issued]) == []
