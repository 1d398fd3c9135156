"""Proxies and CA settings, chosen explicitly from an ``environ`` mapping.

A real local proxy process (``ProxyProcess``) records every request line and byte it relays:
loopback traffic never reaches it whatever the variables say; https to a TLS test server
goes through it by CONNECT, verified against ``SSL_CERT_FILE``, with the key never in
clear; a broken setting is one sentence at construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from vital_desktop.core.client import VitalClient
from vital_desktop.core.environments import ApiTarget, custom_target
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.proxies import environment_proxies
from vital_desktop.core.validation import LinkTokenRequest

from .conftest import PROXIED_HOST
from .helpers import KEY, UID, ScriptedServer, fast_settings
from .tiny_proxy import ProxyProcess

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


@pytest.fixture
def proxy() -> Iterator[ProxyProcess]:
    """A real proxy process on loopback, as a clinic's would sit beside the app."""
    server = ProxyProcess()
    yield server
    server.stop()


def _client(base_url: str, environ: dict[str, str], **settings: float) -> VitalClient:
    return VitalClient(KEY, custom_target(base_url), fast_settings(**settings), environ=environ)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_never_goes_through_a_proxy(
    scripted: ScriptedServer, proxy: ProxyProcess, host: str
) -> None:
    scripted.set(200, "[]")
    environ = {name: proxy.url for name in PROXY_VARIABLES}
    with _client(f"http://{host}:{scripted.port}", environ) as client:
        assert client.providers() == []
    assert len(scripted.requests) == 1
    assert proxy.seen == []


def test_https_goes_through_the_proxy_by_connect_without_the_key_in_clear(
    tls_server: ScriptedServer, proxy: ProxyProcess, self_signed: tuple[Path, Path]
) -> None:
    cert, _ = self_signed
    tls_server.set(200, "[]")
    environ = {"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(cert)}
    with _client(f"https://{PROXIED_HOST}:{tls_server.port}", environ) as client:
        assert client.providers() == []
    assert proxy.seen == [f"CONNECT {PROXIED_HOST}:{tls_server.port} HTTP/1.1"]
    assert tls_server.requests[0].headers["x-vital-api-key"] == KEY  # it arrived
    relayed = bytes(proxy.client_bytes)
    assert len(relayed) > 200  # the TLS handshake and the request did cross the proxy
    for fragment in (KEY, KEY[6:], KEY[10:22]):
        assert fragment.encode() not in relayed


def test_all_proxy_and_lower_case_names_count(
    tls_server: ScriptedServer, proxy: ProxyProcess, self_signed: tuple[Path, Path]
) -> None:
    cert, _ = self_signed
    tls_server.set(200, "[]")
    environ = {"all_proxy": proxy.url.removeprefix("http://"), "SSL_CERT_FILE": str(cert)}
    with _client(f"https://{PROXIED_HOST}:{tls_server.port}", environ) as client:
        assert client.providers() == []
    assert len(proxy.seen) == 1 and proxy.seen[0].startswith("CONNECT ")


def test_no_proxy_sends_the_request_direct(
    proxy: ProxyProcess, self_signed: tuple[Path, Path]
) -> None:
    cert, _ = self_signed
    environ = {
        "HTTPS_PROXY": proxy.url,
        "NO_PROXY": "localhost,.vital-proxy.test",
        "SSL_CERT_FILE": str(cert),
    }
    with _client(f"https://{PROXIED_HOST}:1", environ) as client:
        with pytest.raises(VitalError) as info:
            client.providers()
    assert info.value.kind is ErrorKind.DNS  # tried to resolve the name itself: direct
    assert proxy.seen == []


def test_http_link_through_a_non_loopback_api_is_refused(
    tls_server: ScriptedServer, proxy: ProxyProcess, self_signed: tuple[Path, Path]
) -> None:
    cert, _ = self_signed
    link = {"link_token": "t", "link_web_url": "http://link.tryvital.io/?token=t"}
    tls_server.set(200, json.dumps(link))
    environ = {"HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(cert)}
    with _client(f"https://{PROXIED_HOST}:{tls_server.port}", environ) as client:
        with pytest.raises(VitalError) as info:
            client.create_link_token(LinkTokenRequest.build(UID))
    assert info.value.kind is ErrorKind.BAD_RESPONSE
    assert info.value.message.startswith("Vital sent a link the app cannot hand out safely")


def test_plain_http_target_is_forwarded_by_http_proxy(
    scripted: ScriptedServer, proxy: ProxyProcess
) -> None:
    # custom_target refuses plain http off this computer; a hand-made target shows the
    # forward path is honoured too (and why custom_target refuses it: the key is in clear).
    scripted.set(200, "[]")
    target = ApiTarget(f"http://{PROXIED_HOST}:{scripted.port}")
    with VitalClient(KEY, target, fast_settings(), environ={"HTTP_PROXY": proxy.url}) as client:
        assert client.providers() == []
    assert proxy.seen == [f"GET http://{PROXIED_HOST}:{scripted.port}/v2/providers HTTP/1.1"]


@pytest.mark.parametrize(
    "value",
    [
        "http://proxy.example:notaport",
        "http://user:s3cret@proxy.example:99999",
        "http://[::1",
        "http://",
        "http://pro xy.example:3128",
        "ftp://proxy.example:21",
        "socks4://proxy.example:1080",
        "socks5://proxy.example:1080",  # socksio is not installed
    ],
)
def test_broken_proxy_setting_is_one_sentence_at_construction(value: str) -> None:
    with pytest.raises(VitalError) as info:
        _client("https://api.example.com", {"HTTPS_PROXY": value})
    err = info.value
    assert err.kind is ErrorKind.INVALID_INPUT and err.field == "proxy"
    assert err.exit_code == 2
    assert err.message.endswith(".") and "\n" not in err.message
    assert "HTTPS_PROXY" in err.message
    assert "s3cret" not in err.message and "s3cret" not in err.detail


def test_broken_proxy_setting_does_not_stop_a_loopback_target(scripted: ScriptedServer) -> None:
    scripted.set(200, "[]")
    with _client(scripted.base_url, {"HTTPS_PROXY": "ftp://x", "ALL_PROXY": "http://"}) as c:
        assert c.providers() == []


def test_proxy_without_a_scheme_is_taken_as_http() -> None:
    with _client("https://api.example.com", {"HTTPS_PROXY": "proxy.example:3128"}):
        pass


def test_environment_proxies_reads_like_urllib() -> None:
    environ = {
        "HTTPS_PROXY": "http://upper:1",
        "https_proxy": "http://lower:2",
        "ALL_PROXY": "http://all:3",
        "NO_PROXY": "a.example",
        "HTTP_PROXY": "http://cgi:4",
        "REQUEST_METHOD": "GET",
    }
    proxies = environment_proxies(environ)
    assert proxies == {"https": "http://lower:2", "all": "http://all:3", "no": "a.example"}


# ------------------------------------------------------------------ CA settings


def test_ssl_cert_file_is_honoured_without_trust_env(
    tls_server: ScriptedServer, self_signed: tuple[Path, Path]
) -> None:
    cert, _ = self_signed
    tls_server.set(200, "[]")
    with _client(tls_server.base_url, {"SSL_CERT_FILE": str(cert)}) as client:
        assert client.providers() == []


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
@pytest.mark.parametrize("problem", ["missing", "not-pem"])
def test_broken_ca_setting_is_one_sentence_at_construction(
    tmp_path: Path, variable: str, problem: str
) -> None:
    if problem == "missing":
        value = tmp_path / "nowhere"
    elif variable == "SSL_CERT_FILE":
        value = tmp_path / "ca.pem"
        value.write_text("this is not a certificate\n")
    else:
        value = tmp_path
        (tmp_path / "ca.pem").write_text("this is not a certificate\n")
    with pytest.raises(VitalError) as info:
        _client("https://api.example.com", {variable: str(value)})
    err = info.value
    assert err.kind is ErrorKind.INVALID_INPUT and err.exit_code == 2
    assert err.field == variable.lower()
    assert variable in err.message and err.message.endswith(".")


def test_broken_ca_setting_does_not_stop_plain_http_to_loopback(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    scripted.set(200, "[]")
    with _client(scripted.base_url, {"SSL_CERT_FILE": str(tmp_path / "nowhere")}) as client:
        assert client.providers() == []
