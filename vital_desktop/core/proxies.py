"""Which proxy, and which certificates, the client uses: decided explicitly, never by httpx.

httpx's ``trust_env`` would read proxies and CA files from the environment on its own and
fail late, with a traceback, on a malformed value. Here the choice is made once, at client
construction, from an ``environ`` mapping:

* a loopback target (127.0.0.0/8, ::1, localhost) never goes through a proxy, whatever
  ``HTTP(S)_PROXY`` / ``ALL_PROXY`` say: the practice server and the demo live on this
  computer, and a corporate proxy must not see (or break) that traffic;
* any other target honours the proxies the way ``urllib.request.getproxies()`` reads them,
  lower-case names winning, ``NO_PROXY`` respected; with ``os.environ`` itself the system
  settings (Windows registry, macOS configuration) count too. https goes through CONNECT,
  so a proxy only ever sees encrypted bytes;
* ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` replace the bundled CA list (certifi), as they do
  for httpx and OpenSSL.

Only settings that would actually be used are checked, so a broken proxy variable does not
stop demo mode (loopback) from working. A setting that cannot work raises one
``VitalError`` INVALID_INPUT sentence (exit code 2: a setting on this computer to fix).
"""

from __future__ import annotations

import importlib.util
import os
import ssl
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import certifi
import httpx

from vital_desktop.core.environments import ApiTarget, is_loopback_host
from vital_desktop.core.errors import ErrorKind, VitalError

SUPPORTED_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

# NO_PROXY matching exactly as urllib does it, on a proxies dict of our choosing (public in
# urllib.request, though missing from the type stubs).
_bypass_environment: Callable[[str, dict[str, str]], object] = (
    urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
)


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """``{"https": url, "all": url, "no": hosts, ...}`` from ``*_proxy`` variables.

    The same reading as ``urllib.request.getproxies_environment``, on any mapping: any
    case is accepted and the lower-case variable wins over the upper-case one.
    """
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        lowered = name.lower()
        if value and lowered.endswith("_proxy"):
            proxies[lowered[:-6]] = value
    if "REQUEST_METHOD" in environ:
        # Under CGI, HTTP_PROXY can be set by a client's "Proxy:" header (httpoxy); a
        # lower-case http_proxy still counts, through the second pass.
        proxies.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):  # lower-case suffix, second, so these win
            if value:
                proxies[name[:-6].lower()] = value
            else:
                proxies.pop(name[:-6].lower(), None)
    return proxies


def proxy_for(target: ApiTarget, environ: Mapping[str, str] | None = None) -> httpx.Proxy | None:
    """The proxy requests to ``target`` go through, or None for a direct connection.

    Raises ``VitalError`` INVALID_INPUT (field ``proxy``) for a proxy setting that
    cannot work: not a URL, no host, a bad port, or a scheme this app cannot speak.
    """
    parts = urlsplit(target.base_url)
    host = parts.hostname or ""
    if is_loopback_host(host):
        return None
    if environ is None or environ is os.environ:
        proxies = urllib.request.getproxies()  # the environment, or else the system settings
        bypass = bool(host) and bool(urllib.request.proxy_bypass(host))
    else:
        proxies = environment_proxies(environ)
        bypass = bool(host) and bool(_bypass_environment(host, proxies))
    if bypass:
        return None
    scheme = parts.scheme.lower()
    value = (proxies.get(scheme) or proxies.get("all") or "").strip()
    if not value:
        return None
    return _parse_proxy(value, scheme)


def _proxy_error(message: str) -> VitalError:
    return VitalError(ErrorKind.INVALID_INPUT, message, field="proxy")


def _parse_proxy(value: str, scheme: str) -> httpx.Proxy:
    variable = f"{scheme.upper()}_PROXY or ALL_PROXY"
    if "://" not in value:
        value = "http://" + value  # "proxy.corp:3128" is how many people write it
    try:
        split = urlsplit(value)
        split.port  # noqa: B018 - raises ValueError for a malformed port
        proxy_scheme = split.scheme.lower()
        has_host = bool(split.hostname)
    except ValueError:
        raise _proxy_error(
            f"The proxy set for this computer ({variable}) is not a valid address; fix the "
            "setting or remove it."
        ) from None
    if any(ch.isspace() or ord(ch) < 32 for ch in value) or not has_host:
        raise _proxy_error(
            f"The proxy set for this computer ({variable}) is not a valid address; fix the "
            "setting or remove it."
        )
    if proxy_scheme not in SUPPORTED_PROXY_SCHEMES:
        raise _proxy_error(
            f"The proxy set for this computer ({variable}) uses {proxy_scheme}://, which the "
            "app cannot use; set an http:// or https:// proxy instead."
        )
    if proxy_scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise _proxy_error(
            f"The proxy set for this computer ({variable}) is a SOCKS proxy, which needs the "
            "optional socksio package; install it or set an http:// proxy instead."
        )
    try:
        return httpx.Proxy(value)
    except (ValueError, TypeError, httpx.InvalidURL):
        raise _proxy_error(
            f"The proxy set for this computer ({variable}) is not a valid address; fix the "
            "setting or remove it."
        ) from None


def _trust_error(variable: str, problem: str) -> VitalError:
    return VitalError(
        ErrorKind.INVALID_INPUT,
        f"The certificate setting {variable} {problem}; fix it or remove it so the app can "
        "check Vital's certificate.",
        field=variable.lower(),
    )


def ssl_context(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A verifying TLS context: certifi's CA list, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``.

    A setting that names a missing file or folder, or holds no PEM certificate, raises
    ``VitalError`` INVALID_INPUT (field ``ssl_cert_file`` / ``ssl_cert_dir``): it is a
    setting on this computer that the person (or IT) can fix, not a network failure, and
    failing at once beats a certificate error on every request.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE", "").strip()
    capath = env.get("SSL_CERT_DIR", "").strip()
    if cafile and not Path(cafile).is_file():
        raise _trust_error("SSL_CERT_FILE", "names a file that does not exist")
    if capath:
        folder = Path(capath)
        if not folder.is_dir():
            raise _trust_error("SSL_CERT_DIR", "names a folder that does not exist")
        if not _holds_a_certificate(folder):
            raise _trust_error("SSL_CERT_DIR", "names a folder without PEM certificates")
    try:
        # Verifying, hostname checked; given a cafile/capath it loads only those, as httpx
        # and OpenSSL do with these variables.
        if cafile or capath:
            context = ssl.create_default_context(cafile=cafile or None, capath=capath or None)
        else:
            context = ssl.create_default_context(cafile=certifi.where())
    except (ssl.SSLError, OSError, ValueError):
        variable = "SSL_CERT_FILE" if cafile else "SSL_CERT_DIR"
        raise _trust_error(variable, "does not hold PEM certificates") from None
    if cafile and not capath and not context.get_ca_certs():
        raise _trust_error("SSL_CERT_FILE", "does not hold PEM certificates")
    return context


def _holds_a_certificate(folder: Path, limit: int = 200) -> bool:
    """True when one of the first ``limit`` files in ``folder`` holds a PEM certificate."""
    try:
        for count, entry in enumerate(folder.iterdir()):
            if count >= limit:
                break
            try:
                if (
                    entry.is_file()
                    and b"-----BEGIN CERTIFICATE-----" in entry.read_bytes()[:1_000_000]
                ):
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False
