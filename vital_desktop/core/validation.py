"""Check every request locally, so an invalid one never leaves the machine.

Each ``*_problem`` function returns the reason as a sentence (for live hints next to a
field) or None; each ``normalize_*`` / ``validate_*`` function returns the clean value or
raises ``VitalError`` INVALID_INPUT naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vital_desktop.core.errors import invalid_input
from vital_desktop.core.i18n import translate
from vital_desktop.core.providers import SLUG_PATTERN, bundled_catalogue

_PASTE_JUNK = " \t\r\n\u00a0\u200b\ufeff'\"`\u2018\u2019\u201c\u201d<>"
_UUID_SHAPE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
REFUSED_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "blob", "about"})
MAX_URL_LENGTH = 2048
MAX_CLIENT_USER_ID_LENGTH = 256
# Control characters (C0, DEL, C1), lone surrogates (not text: they cannot even be encoded
# to send) and invisible format characters (bidi overrides, zero-width spaces), which make
# two different values look alike or reorder what the desk reads.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Cf"})


def has_hidden_characters(text: str) -> bool:
    """True when ``text`` holds a control, surrogate or invisible format character."""
    return any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in text)


def clean_paste(text: str) -> str:
    """Drop the whitespace and quotes that come along with a paste."""
    return text.strip(_PASTE_JUNK)


def user_id_problem(text: str) -> str | None:
    """Why ``text`` is not a Vital user id, or None."""
    value = clean_paste(text)
    if not value:
        return translate("Validation", "Enter the patient's Vital user ID.")
    if not _UUID_SHAPE.match(value):
        return translate(
            "Validation",
            "A Vital user ID looks like 1b4e28ba-2fa1-41d2-883f-0016d3cca427 "
            "(32 hexadecimal digits in groups of 8-4-4-4-12).",
        )
    return None


def normalize_user_id(text: str) -> str:
    """The canonical lowercase UUID, or INVALID_INPUT for field ``user_id``."""
    problem = user_id_problem(text)
    if problem:
        raise invalid_input("user_id", problem)
    import uuid  # uuid imports platform: loaded with the first id checked, not at start

    return str(uuid.UUID(clean_paste(text)))


def _known(known_slugs: Collection[str] | None) -> Collection[str]:
    return known_slugs if known_slugs is not None else bundled_catalogue().slugs


def not_a_provider_name(text: str) -> str:
    """The sentence for text that cannot be a provider's slug (shown cut to 40 characters)."""
    return translate(
        "Validation", "“{slug}” is not a provider name (use lowercase letters, digits and _)."
    ).format(slug=text[:40])


def slug_problem(slug: str, known_slugs: Collection[str] | None = None) -> str | None:
    """Why ``slug`` cannot be sent, or None. Known = bundled table unless given."""
    if not SLUG_PATTERN.match(slug):
        return not_a_provider_name(slug)
    if slug not in _known(known_slugs):
        return translate("Validation", "“{slug}” is not a provider Vital knows.").format(slug=slug)
    return None


def validate_slug(
    slug: str, field: str = "provider", known_slugs: Collection[str] | None = None
) -> str:
    """The slug, trimmed, or INVALID_INPUT."""
    value = slug.strip()
    problem = slug_problem(value, known_slugs)
    if problem:
        raise invalid_input(field, problem)
    return value


def validate_filter(
    slugs: Iterable[str], known_slugs: Collection[str] | None = None
) -> list[str] | None:
    """Deduplicated slugs in order, or None for none at all (never an empty list)."""
    result: list[str] = []
    for slug in slugs:
        value = validate_slug(slug, "filter_on_providers", known_slugs)
        if value not in result:
            result.append(value)
    return result or None


def redirect_url_problem(text: str) -> str | None:
    """Why ``text`` cannot be a redirect URL, or None (empty is fine: it is optional)."""
    value = text.strip()
    if not value:
        return None
    if len(value) > MAX_URL_LENGTH:
        return translate(
            "Validation", "The redirect URL is longer than {limit} characters."
        ).format(limit=MAX_URL_LENGTH)
    if any(ch.isspace() for ch in value) or has_hidden_characters(value):
        return translate(
            "Validation", "The redirect URL must not contain spaces or control characters."
        )
    match = _SCHEME.match(value)
    if not match:
        return translate(
            "Validation",
            "The redirect URL needs a scheme, for example https://clinic.example/done.",
        )
    scheme = match.group(1).lower()
    if scheme in REFUSED_SCHEMES:
        return translate(
            "Validation",
            "{scheme}: addresses are refused as a redirect: they could run code or read "
            "files on the patient's device. Use https:// or your app's own scheme.",
        ).format(scheme=scheme)
    if scheme in ("http", "https"):
        try:
            host = urlsplit(value).hostname
        except ValueError:
            host = None
        if not host:
            return translate(
                "Validation",
                "The redirect URL must name a host, for example https://clinic.example/done.",
            )
    elif len(value) == len(match.group(0)):
        return translate("Validation", "The redirect URL has nothing after its scheme.")
    return None


def validate_redirect_url(text: str | None) -> str | None:
    """The trimmed URL, None when empty, or INVALID_INPUT for field ``redirect_url``."""
    if text is None:
        return None
    problem = redirect_url_problem(text)
    if problem:
        raise invalid_input("redirect_url", problem)
    return text.strip() or None


def client_user_id_problem(text: str) -> str | None:
    """Why ``text`` cannot be a clinic's own patient id, or None."""
    value = text.strip()
    if not value:
        return translate("Validation", "Enter the clinic's own patient ID.")
    if len(value) > MAX_CLIENT_USER_ID_LENGTH:
        return translate(
            "Validation", "The clinic's patient ID is longer than {limit} characters."
        ).format(limit=MAX_CLIENT_USER_ID_LENGTH)
    if has_hidden_characters(value):
        return translate(
            "Validation", "The clinic's patient ID must not contain control characters."
        )
    return None


def validate_client_user_id(text: str) -> str:
    """The trimmed id, or INVALID_INPUT for field ``client_user_id``."""
    problem = client_user_id_problem(text)
    if problem:
        raise invalid_input("client_user_id", problem)
    return text.strip()


@dataclass(frozen=True)
class LinkTokenRequest:
    """A validated body for POST /v2/link/token. Build it with ``LinkTokenRequest.build``."""

    user_id: str
    provider: str | None = None
    filter_on_providers: tuple[str, ...] | None = None
    redirect_url: str | None = None
    on_error_redirect: bool = False
    on_close_redirect: bool = False

    @classmethod
    def build(
        cls,
        user_id: str,
        provider: str | None = None,
        filter_on_providers: Iterable[str] | None = None,
        redirect_url: str | None = None,
        *,
        on_error_redirect: bool = False,
        on_close_redirect: bool = False,
        known_slugs: Collection[str] | None = None,
    ) -> LinkTokenRequest:
        """Validate every field; raise INVALID_INPUT naming the first one at fault."""
        clean_id = normalize_user_id(user_id)
        clean_provider = (
            validate_slug(provider, "provider", known_slugs)
            if provider is not None and provider.strip()
            else None
        )
        clean_filter = validate_filter(filter_on_providers or (), known_slugs)
        clean_redirect = validate_redirect_url(redirect_url)
        if (on_error_redirect or on_close_redirect) and not clean_redirect:
            raise invalid_input(
                "redirect_url",
                translate(
                    "Validation", "Sending errors or Close to the redirect needs a redirect URL."
                ),
            )
        return cls(
            clean_id,
            clean_provider,
            tuple(clean_filter) if clean_filter else None,
            clean_redirect,
            on_error_redirect,
            on_close_redirect,
        )

    @property
    def provider_outside_filter(self) -> bool:
        """True when a provider is chosen that the filter list leaves out."""
        return bool(
            self.provider
            and self.filter_on_providers
            and self.provider not in self.filter_on_providers
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON body: optional fields omitted, never an empty filter list."""
        body: dict[str, Any] = {"user_id": self.user_id}
        if self.provider:
            body["provider"] = self.provider
        if self.filter_on_providers:
            body["filter_on_providers"] = list(self.filter_on_providers)
        if self.redirect_url:
            body["redirect_url"] = self.redirect_url
        if self.on_error_redirect:
            body["on_error"] = "redirect"
        if self.on_close_redirect:
            body["on_close"] = "redirect"
        return body
