"""Which proxy the client uses: decided explicitly, never by httpx (certificates: core.tls).

httpx's ``trust_env`` would read proxies and CA files from the environment on its own and
fail late, with a traceback, on a malformed value. Here the choice is made once, at client
construction, from an ``environ`` mapping:

* a loopback target (127.0.0.0/8, ::1, localhost) never goes through a proxy, whatever
  ``HTTP(S)_PROXY`` / ``ALL_PROXY`` say: the practice server and the demo live on this
  computer, and a corporate proxy must not see (or break) that traffic;
* any other target honours the proxies the way ``urllib.request.getproxies()`` reads them,
  lower-case names winning, ``NO_PROXY`` respected; with ``os.environ`` itself the system
  settings (Windows registry, macOS configuration) count too. https goes through CONNECT,
  so a proxy only ever sees encrypted bytes.

Only settings that would actually be used are checked, so a broken proxy variable does not
stop demo mode (loopback) from working. A setting that cannot work raises one
``VitalError`` INVALID_INPUT sentence (exit code 2: a setting on this computer to fix).
"""

from __future__ import annotations

import importlib.util
import os
import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import httpx

from vital_desktop.core.environments import ApiTarget, is_loopback_host
from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.i18n import translate

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


def _not_an_address(variable: str) -> VitalError:
    return _proxy_error(
        translate(
            "Proxies",
            "The proxy set for this computer ({variable} or ALL_PROXY) is not a valid "
            "address; fix the setting or remove it.",
        ).format(variable=variable)
    )


def _parse_proxy(value: str, scheme: str) -> httpx.Proxy:
    variable = f"{scheme.upper()}_PROXY"
    if "://" not in value:
        value = "http://" + value  # "proxy.corp:3128" is how many people write it
    try:
        split = urlsplit(value)
        split.port  # noqa: B018 - raises ValueError for a malformed port
        proxy_scheme = split.scheme.lower()
        has_host = bool(split.hostname)
    except ValueError:
        raise _not_an_address(variable) from None
    if any(ch.isspace() or ord(ch) < 32 for ch in value) or not has_host:
        raise _not_an_address(variable)
    if proxy_scheme not in SUPPORTED_PROXY_SCHEMES:
        raise _proxy_error(
            translate(
                "Proxies",
                "The proxy set for this computer ({variable} or ALL_PROXY) uses {scheme}://, "
                "which the app cannot use; set an http:// or https:// proxy instead.",
            ).format(variable=variable, scheme=proxy_scheme)
        )
    if proxy_scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise _proxy_error(
            translate(
                "Proxies",
                "The proxy set for this computer ({variable} or ALL_PROXY) is a SOCKS proxy, "
                "which needs the optional socksio package; install it or set an http:// proxy "
                "instead.",
            ).format(variable=variable)
        )
    try:
        return httpx.Proxy(value)
    except (ValueError, TypeError, httpx.InvalidURL):
        raise _not_an_address(variable) from None
