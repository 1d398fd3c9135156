"""What the API answers, parsed strictly: a reply missing a required field is BAD_RESPONSE."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.errors import bad_response as _bad
from vital_desktop.core.qr import MAX_QR_BYTES, qr_fits


def _obj(value: Any, endpoint: str, what: str = "reply") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(endpoint, f"{what} is not a JSON object")
    return value


def _str(data: Mapping[str, Any], key: str, endpoint: str, *, optional: bool = False) -> str:
    value = data.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise _bad(endpoint, f"field {key!r} is missing or not a string")
    return value


def _opt_str(value: Any) -> str | None:
    """A string, or None for anything else (an optional field of the wrong type)."""
    return value if isinstance(value, str) else None


def _list(value: Any, endpoint: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad(endpoint, f"{what} is not a JSON array")
    return value


@dataclass(frozen=True)
class LinkToken:
    """A one-time link. The token also sits inside ``link_web_url``; repr hides both."""

    link_token: str = field(repr=False)
    link_web_url: str = field(repr=False)
    # The server's clock when it answered (the reply's Date header, POSIX seconds), so an
    # ``exp`` claim can be read against the server's "now" rather than a wrong desk clock.
    server_date: float | None = field(default=None, compare=False)

    @classmethod
    def from_json(
        cls,
        value: Any,
        endpoint: str,
        server_date: float | None = None,
        *,
        allow_http: bool = False,
    ) -> LinkToken:
        """Parse a POST /v2/link/token reply; ``link_web_url`` must be safe to hand out.

        The link goes into a browser or a QR code on a patient's phone, so it must be an
        https URL (plain http only with ``allow_http``, for an API on this computer) with a
        host, no whitespace or control characters, and short enough for one QR code.
        """
        data = _obj(value, endpoint)
        token = _str(data, "link_token", endpoint)
        url = _str(data, "link_web_url", endpoint)
        if not token or not url:
            raise _bad(endpoint, "link_token or link_web_url is empty")
        problem = link_url_problem(url, allow_http=allow_http)
        if problem:
            raise unsafe_link(endpoint, problem)
        return cls(token, url, server_date)


def link_url_problem(url: str, *, allow_http: bool = False) -> str | None:
    """Why ``url`` is not a link the app may open or show as a QR code, or None.

    The reason never quotes the URL: it carries the one-time token.
    """
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return "link_web_url contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "link_web_url is not a valid URL"
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme.lower() not in schemes:
        shown = parts.scheme.lower()[:20] or "no scheme"
        return f"link_web_url is not an https address ({shown})"
    if not host:
        return "link_web_url names no host"
    if parts.username is not None or parts.password is not None:
        return "link_web_url carries a user name or password"
    if not qr_fits(url):
        return f"link_web_url is longer than a QR code holds ({MAX_QR_BYTES} bytes)"
    return None


def unsafe_link(endpoint: str, reason: str) -> VitalError:
    """The error for a link the app will not open or show (BAD_RESPONSE)."""
    return VitalError(
        ErrorKind.BAD_RESPONSE,
        "Vital sent a link the app cannot hand out safely, so it is not shown; try again, "
        "and if it keeps happening, send the details to support.",
        endpoint=endpoint,
        server_message=reason,
    )


@dataclass(frozen=True)
class User:
    """A Vital user as the desk needs it."""

    user_id: str
    client_user_id: str
    team_id: str
    created_on: str
    connected_slugs: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, value: Any, endpoint: str) -> User:
        data = _obj(value, endpoint)
        slugs: list[str] = []
        for source in _list(data.get("connected_sources", []), endpoint, "connected_sources"):
            provider = _obj(source, endpoint, "connected source")
            inner = provider.get("provider") or provider.get("source")
            if isinstance(inner, Mapping) and isinstance(inner.get("slug"), str):
                slugs.append(inner["slug"])
        return cls(
            user_id=_str(data, "user_id", endpoint),
            client_user_id=_str(data, "client_user_id", endpoint),
            team_id=_str(data, "team_id", endpoint, optional=True),
            created_on=_str(data, "created_on", endpoint, optional=True),
            connected_slugs=tuple(slugs),
        )


@dataclass(frozen=True)
class ConnectedProvider:
    """One connection of a user: ``status`` is ``connected`` or ``error``."""

    slug: str
    name: str
    status: str
    created_on: str
    error_type: str | None = None
    error_message: str | None = None

    @classmethod
    def list_from_json(cls, value: Any, endpoint: str) -> list[ConnectedProvider]:
        data = _obj(value, endpoint)
        result = []
        for item in _list(data.get("providers"), endpoint, "providers"):
            entry = _obj(item, endpoint, "provider")
            error = entry.get("error_details")
            error_map = error if isinstance(error, Mapping) else {}
            result.append(
                cls(
                    slug=_str(entry, "slug", endpoint),
                    name=_str(entry, "name", endpoint),
                    status=_str(entry, "status", endpoint),
                    created_on=_str(entry, "created_on", endpoint, optional=True),
                    error_type=_opt_str(error_map.get("error_type")),
                    error_message=_opt_str(error_map.get("error_message")),
                )
            )
        return result


@dataclass(frozen=True)
class ProviderInfo:
    """One entry of GET /v2/providers. ``auth_type`` ``sdk`` marks phone-only providers."""

    slug: str
    name: str
    description: str = ""
    logo: str | None = None
    auth_type: str | None = None
    supported_resources: tuple[str, ...] = ()

    @classmethod
    def list_from_json(cls, value: Any, endpoint: str) -> list[ProviderInfo]:
        result = []
        for item in _list(value, endpoint, "reply"):
            entry = _obj(item, endpoint, "provider")
            logo = entry.get("logo")
            auth = entry.get("auth_type")
            resources = entry.get("supported_resources") or []
            result.append(
                cls(
                    slug=_str(entry, "slug", endpoint),
                    name=_str(entry, "name", endpoint),
                    description=_str(entry, "description", endpoint, optional=True),
                    logo=logo if isinstance(logo, str) else None,
                    auth_type=auth if isinstance(auth, str) else None,
                    supported_resources=tuple(r for r in resources if isinstance(r, str))
                    if isinstance(resources, list)
                    else (),
                )
            )
        return result


@dataclass(frozen=True)
class LinkCode:
    """A single-use code for the vendor's phone app (POST /v2/link/code/create)."""

    code: str
    exchange_url: str
    expires_at: str

    @classmethod
    def from_json(cls, value: Any, endpoint: str) -> LinkCode:
        data = _obj(value, endpoint)
        return cls(
            _str(data, "code", endpoint),
            _str(data, "exchange_url", endpoint),
            _str(data, "expires_at", endpoint),
        )


@dataclass(frozen=True)
class DemoConnection:
    """The answer to a sandbox demo connection."""

    success: bool
    detail: str

    @classmethod
    def from_json(cls, value: Any, endpoint: str) -> DemoConnection:
        data = _obj(value, endpoint)
        success = data.get("success")
        if not isinstance(success, bool):
            raise _bad(endpoint, "field 'success' is missing or not a boolean")
        return cls(success, _str(data, "detail", endpoint, optional=True))
