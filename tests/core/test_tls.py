"""Certificates: the system's trust store, a custom CA bundle, and no way to stop verifying.

A test certificate authority is made with the ``openssl`` command; a real TLS server on
loopback presents a certificate it signed. Without that CA the client refuses the server
with the TLS sentence (and sends nothing); with ``ClientSettings.ca_bundle`` naming it, or
with the CA in the system's store, the same call works.
"""

from __future__ import annotations

import dataclasses
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vital_desktop.core.client import ClientSettings, VitalClient
from vital_desktop.core.environments import custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.tls import client_ssl_context, read_ca_bundle, system_trust_available

from .helpers import KEY, ScriptedServer, fast_settings


@dataclasses.dataclass(frozen=True)
class ClinicCA:
    ca: Path  # the authority's certificate (what IT would hand out)
    leaf: tuple[Path, Path]  # cert, key for 127.0.0.1, signed by the authority
    wrong_name: tuple[Path, Path]  # cert, key for another host name, signed by it too


def _openssl(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate authority")
    subprocess.run([openssl, *args], check=True, capture_output=True)


def _sign(folder: Path, name: str, san: str, ca: Path, ca_key: Path) -> tuple[Path, Path]:
    key, csr, cert = folder / f"{name}.key", folder / f"{name}.csr", folder / f"{name}.pem"
    ext = folder / f"{name}.ext"
    ext.write_text(
        f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
             "-keyout", str(key), "-out", str(csr))  # fmt: skip
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert))  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> ClinicCA:
    folder = tmp_path_factory.mktemp("ca")
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=Vital Desktop Test Inspecting Proxy CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    return ClinicCA(
        ca=ca,
        leaf=_sign(folder, "leaf", "IP:127.0.0.1", ca, ca_key),
        wrong_name=_sign(folder, "elsewhere", "DNS:elsewhere.example", ca, ca_key),
    )


def _server(cert_and_key: tuple[Path, Path]) -> ScriptedServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert_and_key)
    server = ScriptedServer(context)
    server.set(200, "[]")
    return server


@pytest.fixture
def ca_server(test_ca: ClinicCA) -> Iterator[ScriptedServer]:
    server = _server(test_ca.leaf)
    yield server
    server.stop()


def _client(
    base_url: str, ca_bundle: str | None = None, environ: dict[str, str] | None = None
) -> VitalClient:
    settings = dataclasses.replace(fast_settings(max_retries=0), ca_bundle=ca_bundle)
    return VitalClient(KEY, custom_target(base_url), settings, environ=environ or {})


def _tls_failure(server: ScriptedServer, **client: object) -> VitalError:
    with _client(server.base_url, **client) as api:  # type: ignore[arg-type]
        with pytest.raises(VitalError) as info:
            api.providers()
    assert server.requests == []  # the key never went to a server that was not verified
    return info.value


def test_a_server_signed_by_an_unknown_ca_is_refused_with_the_tls_sentence(
    ca_server: ScriptedServer,
) -> None:
    err = _tls_failure(ca_server)
    assert err.kind is ErrorKind.TLS
    assert err.message.startswith("A secure connection to 127.0.0.1:")
    assert "certificate problem" in err.message
    assert err.server_message and "CERTIFICATE_VERIFY_FAILED" in err.server_message


def test_the_custom_ca_bundle_makes_the_same_server_trusted(
    ca_server: ScriptedServer, test_ca: ClinicCA
) -> None:
    with _client(ca_server.base_url, ca_bundle=str(test_ca.ca)) as api:
        assert api.providers() == []
    assert ca_server.requests[0].headers["x-vital-api-key"] == KEY


def test_the_bundle_path_may_start_with_the_home_folder(
    ca_server: ScriptedServer, test_ca: ClinicCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copy(test_ca.ca, tmp_path / "proxy-ca.pem")
    with _client(ca_server.base_url, ca_bundle="~/proxy-ca.pem") as api:
        assert api.providers() == []


def test_a_bundle_with_comments_and_other_certificates_works(
    ca_server: ScriptedServer, test_ca: ClinicCA, tmp_path: Path
) -> None:
    import certifi

    # What IT often hands out: a big bundle with "# Issuer: ..." comments (certifi's has
    # non-ASCII names in them), the proxy's CA somewhere inside, Windows line ends.
    bundle = tmp_path / "Zertifikate für Proxy.pem"
    text = Path(certifi.where()).read_text("utf-8") + "\n# Émetteur: proxy de la clinique\n"
    bundle.write_bytes((text + test_ca.ca.read_text("ascii")).replace("\n", "\r\n").encode())
    with _client(ca_server.base_url, ca_bundle=str(bundle)) as api:
        assert api.providers() == []


def test_the_host_name_is_still_checked_with_a_custom_ca(test_ca: ClinicCA) -> None:
    server = _server(test_ca.wrong_name)  # signed by the trusted CA, but for another name
    try:
        err = _tls_failure(server, ca_bundle=str(test_ca.ca))
    finally:
        server.stop()
    assert err.kind is ErrorKind.TLS
    assert err.server_message and "mismatch" in err.server_message.lower()


@pytest.mark.parametrize("ca_bundle", [None, "ca"])
def test_verification_is_always_on(test_ca: ClinicCA, ca_bundle: str | None) -> None:
    context = client_ssl_context({}, ca_bundle=str(test_ca.ca) if ca_bundle else None)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    # No setting can turn it off: nothing in ClientSettings speaks of verifying.
    names = {field.name for field in dataclasses.fields(ClientSettings)}
    assert not {n for n in names if "verif" in n or "insecure" in n or n == "check_hostname"}


@pytest.mark.skipif(sys.platform != "linux", reason="OpenSSL's system store is Linux's")
def test_the_system_trust_store_is_used(
    ca_server: ScriptedServer, test_ca: ClinicCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Linux the system store is OpenSSL's default verify paths; pointing the process's
    # own default at the test CA stands in for IT installing a proxy's CA system-wide. The
    # client's environ is empty: only the system store can make this work.
    assert system_trust_available()
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca))
    with _client(ca_server.base_url, environ={}) as api:
        assert api.providers() == []


def test_without_truststore_certifi_and_the_custom_bundle_are_used(
    ca_server: ScriptedServer, test_ca: ClinicCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "truststore", None)  # "import truststore" fails
    assert not system_trust_available()
    context = client_ssl_context({})
    assert len(context.get_ca_certs()) > 50  # certifi's list
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert _tls_failure(ca_server).kind is ErrorKind.TLS
    with _client(ca_server.base_url, ca_bundle=str(test_ca.ca)) as api:
        assert api.providers() == []


def test_ssl_cert_file_adds_to_the_system_store(
    ca_server: ScriptedServer, test_ca: ClinicCA
) -> None:
    with _client(ca_server.base_url, environ={"SSL_CERT_FILE": str(test_ca.ca)}) as api:
        assert api.providers() == []


@pytest.mark.parametrize("problem", ["missing", "not-pem", "folder", "key-only"])
def test_a_broken_ca_bundle_is_one_sentence_at_construction(
    tmp_path: Path, test_ca: ClinicCA, problem: str
) -> None:
    path = tmp_path / "proxy-ca.pem"
    if problem == "not-pem":
        path.write_text("this is not a certificate\n")
    elif problem == "folder":
        path = tmp_path
    elif problem == "key-only":
        path.write_bytes(test_ca.leaf[1].read_bytes())
    with pytest.raises(VitalError) as info:
        _client("https://api.example.com", ca_bundle=str(path))
    err = info.value
    assert err.kind is ErrorKind.INVALID_INPUT and err.exit_code == 2
    assert err.field == "ca_bundle"
    assert err.message.endswith(".") and err.message.count(". ") == 0
    assert "certificate file chosen in the settings" in err.message
    with pytest.raises(VitalError):
        read_ca_bundle(str(path))


def test_a_corrupt_certificate_inside_pem_markers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(VitalError) as info:
        read_ca_bundle(str(path))
    assert info.value.field == "ca_bundle"
