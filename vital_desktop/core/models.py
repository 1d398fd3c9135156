"""What the API answers, parsed strictly: a reply missing a required field is BAD_RESPONSE."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.errors import bad_response as _bad
from vital_desktop.core.i18n import translate
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
        translate(
            "Errors",
            "Vital sent a link the app cannot hand out safely, so it is not shown; try again, "
            "and if it keeps happening, send the details to support.",
        ),
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

    @property
    def created_datetime(self) -> datetime | None:
        """``created_on`` as an aware UTC datetime, or None when absent or unreadable."""
        return parse_datetime(self.created_on)

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
    errored_at: str | None = None
    # The provider account's user name or email (password and email providers), if sent.
    external_user_id: str | None = None

    @property
    def created_datetime(self) -> datetime | None:
        """``created_on`` as an aware UTC datetime, or None when absent or unreadable."""
        return parse_datetime(self.created_on)

    @property
    def in_error(self) -> bool:
        """True when the connection's ``status`` is ``error`` (see ``error_type``)."""
        return self.status == "error"

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
                    errored_at=_opt_str(error_map.get("errored_at")),
                    external_user_id=_opt_str(entry.get("external_user_id")),
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


LINK_CODE_PATTERN = re.compile(r"^(sk|pk)(eu|us)[0-9a-f]{8}")
# The spec anchors only the start of a code; what may follow is bounded so a code that is
# shown in large type and read aloud at the desk stays a short, plain word.
_CODE_TAIL = re.compile(r"^[0-9A-Za-z_-]{0,52}$")


@dataclass(frozen=True)
class LinkCode:
    """A single-use code for the vendor's phone app (POST /v2/link/code/create).

    ``expires_at`` is the server's text; ``expires_at_datetime`` is it parsed (aware UTC).
    ``server_date`` is the server's clock when it answered (its Date header).
    """

    # Both carry the single-use code: kept out of reprs (and so out of logs), like a token.
    code: str = field(repr=False)
    exchange_url: str = field(repr=False)
    expires_at: str
    server_date: float | None = field(default=None, compare=False)

    @property
    def expires_at_datetime(self) -> datetime | None:
        """``expires_at`` as an aware UTC datetime (a naive time is UTC), or None."""
        return parse_datetime(self.expires_at)

    @classmethod
    def from_json(cls, value: Any, endpoint: str, server_date: float | None = None) -> LinkCode:
        """Parse the reply: ``code`` must look like ``skus0123abcd``, the URL be non-empty
        and ``expires_at`` be an ISO 8601 time."""
        data = _obj(value, endpoint)
        code = _str(data, "code", endpoint)
        url = _str(data, "exchange_url", endpoint)
        expires = _str(data, "expires_at", endpoint)
        match = LINK_CODE_PATTERN.match(code)
        if match is None or not _CODE_TAIL.match(code[match.end() :]):
            raise _bad(endpoint, "code is not a Vital link code (sk|pk, eu|us, 8 hex digits)")
        if not url.strip():
            raise _bad(endpoint, "exchange_url is empty")
        if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
            raise _bad(endpoint, "exchange_url contains whitespace or control characters")
        if not qr_fits(url):
            raise _bad(endpoint, f"exchange_url is longer than a QR code holds ({MAX_QR_BYTES})")
        if parse_datetime(expires) is None:
            raise _bad(endpoint, "expires_at is not an ISO 8601 date-time")
        return cls(code, url, expires, server_date)


def parse_datetime(text: str | None) -> datetime | None:
    """An ISO 8601 date-time from the API as an aware UTC datetime, or None if unreadable.

    ``Z`` and any offset are honoured; a time without one is taken as UTC (the API's zone).
    Only the first 64 characters are looked at: a server's text is never trusted to be short.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        return None
    raw = text.strip()
    if raw[-1] in "zZ":
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # an offset that pushes past year 1 or 9999
        return None


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
