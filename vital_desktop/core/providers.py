"""The provider catalogue: the bundled table, merged with GET /v2/providers when it answers.

Only providers the web widget can connect may be offered for a link. Phone-only SDK
providers, Bluetooth/NFC devices and manual entry are listed but not linkable, with the
reason; legacy and deprecated ones still work but are marked.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate
from vital_desktop.core.models import ProviderInfo
from vital_desktop.resources import read_text

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


class WebSupport(enum.Enum):
    """Whether the hosted web widget can connect a provider."""

    YES = "yes"
    LEGACY = "legacy"
    DEPRECATED = "deprecated"
    NO = "no"


# Server ``auth_type`` values that mean a phone app is needed (GET /v2/providers).
PHONE_AUTH_TYPES = frozenset({"sdk", "app"})
# Providers the vendor's own phone app (reached with a link code) can connect.
APP_CODE_SLUGS = frozenset({"apple_health_kit"})

_UNAVAILABLE_REASONS: dict[str, str] = {
    "sdk": QT_TRANSLATE_NOOP(
        "Providers",
        "{name} connects only through the Junction mobile SDK inside a phone app, "
        "not through a web link.",
    ),
    "app": QT_TRANSLATE_NOOP(
        "Providers", "{name} connects only through a phone app, not through a web link."
    ),
    "sdk_device": QT_TRANSLATE_NOOP(
        "Providers",
        "{name} is a Bluetooth or NFC device read by a phone app with the "
        "Junction mobile SDK; a web link cannot connect it.",
    ),
    "manual": QT_TRANSLATE_NOOP(
        "Providers",
        "{name} is entered by hand in a phone app; there is nothing to connect through a web link.",
    ),
}
_CANNOT_LINK = QT_TRANSLATE_NOOP("Providers", "{name} cannot be connected through a web link.")
# How ``display_name`` shows a marker: "Google Fit (deprecated)".
_MARKER_WORDS: dict[str, str] = {
    "legacy": QT_TRANSLATE_NOOP("Providers", "legacy"),
    "deprecated": QT_TRANSLATE_NOOP("Providers", "deprecated"),
}


@dataclass(frozen=True)
class Provider:
    """One provider as the app offers it."""

    slug: str
    name: str
    connects_via: str
    web_widget: WebSupport
    from_server_only: bool = False
    # providers.tsv ``default_oauth_app``: ``yes``, ``n/a``, ``own_oauth_app`` (the team must
    # configure its own OAuth app with Vital), ``congested`` or ``shutting_down``.
    default_oauth_app: str = "n/a"

    @property
    def linkable(self) -> bool:
        """True when the web widget can connect it."""
        return self.web_widget is not WebSupport.NO

    @property
    def phone_only(self) -> bool:
        """True when only a phone app can connect it (SDK, Bluetooth/NFC, manual, ``app``)."""
        return not self.linkable

    @property
    def app_code_possible(self) -> bool:
        """True when a link code for the vendor's phone app can connect it (Apple Health)."""
        return self.slug in APP_CODE_SLUGS

    @property
    def needs_own_oauth_app(self) -> bool:
        """True when a link works only for a team that set up its own OAuth app with Vital."""
        return self.default_oauth_app == "own_oauth_app"

    @property
    def shutting_down(self) -> bool:
        """True for a provider whose service is being closed (Google Fit during 2026)."""
        return self.default_oauth_app == "shutting_down"

    def link_warning(self, configured_oauth_apps: Collection[str]) -> str | None:
        """A sentence to show before making a link that is likely to fail, or None.

        ``configured_oauth_apps`` holds the slugs whose OAuth app the clinic's team has set
        up with Vital (the API cannot tell; it is a setting).
        """
        if self.shutting_down:
            return translate(
                "Providers",
                "{name} is shutting down: links may stop working, so ask the patient "
                "whether they use another app or device.",
            ).format(name=self.name)
        if self.needs_own_oauth_app and self.slug not in configured_oauth_apps:
            return translate(
                "Providers",
                "{name} needs the clinic's own {name} app set up with Vital; a link "
                "will fail on the patient's phone unless your team has configured it.",
            ).format(name=self.name)
        return None

    @property
    def marker(self) -> str | None:
        """``"legacy"`` or ``"deprecated"`` when it should not be the first choice."""
        if self.web_widget in (WebSupport.LEGACY, WebSupport.DEPRECATED):
            return str(self.web_widget.value)
        return None

    @property
    def unavailable_reason(self) -> str | None:
        """Why a web link cannot connect it, or None when it can."""
        if self.linkable:
            return None
        template = _UNAVAILABLE_REASONS.get(self.connects_via, _CANNOT_LINK)
        return translate("Providers", template).format(name=self.name)

    @property
    def display_name(self) -> str:
        """Name with its marker, e.g. ``"Google Fit (deprecated)"``."""
        if self.marker and f"({self.marker})" not in self.name.lower():
            return translate("Providers", "{name} ({marker})").format(
                name=self.name, marker=translate("Providers", _MARKER_WORDS[self.marker])
            )
        return self.name

    def matches(self, text: str) -> bool:
        """Case-insensitive match on name or slug, for the search boxes."""
        needle = text.strip().lower()
        return not needle or needle in self.name.lower() or needle in self.slug


class ProviderCatalogue:
    """An ordered, searchable set of providers."""

    def __init__(self, providers: Iterable[Provider]) -> None:
        self._providers = list(providers)
        self._by_slug = {p.slug: p for p in self._providers}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> Provider | None:
        return self._by_slug.get(slug)

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(self._by_slug)

    def linkable(self) -> list[Provider]:
        return [p for p in self._providers if p.linkable]

    def search(self, text: str) -> list[Provider]:
        return [p for p in self._providers if p.matches(text)]

    def sorted_for_display(self) -> list[Provider]:
        """Linkable first, then marked (legacy/deprecated), then not linkable; by name."""

        def rank(p: Provider) -> tuple[int, str]:
            order = 2 if not p.linkable else (1 if p.marker else 0)
            return order, p.name.lower()

        return sorted(self._providers, key=rank)

    def merged_with_server(self, server: Sequence[ProviderInfo]) -> ProviderCatalogue:
        """The server's list, described by the bundled table where it knows the slug.

        Slugs unknown to the table are shown by their server name; ``auth_type`` ``sdk`` or
        ``app`` marks them phone-only. Bundled entries the server no longer lists are dropped.
        """
        merged: list[Provider] = []
        for info in server:
            known = self._by_slug.get(info.slug)
            if known is not None:
                merged.append(replace(known, name=known.name or info.name))
                continue
            if info.auth_type in PHONE_AUTH_TYPES:
                support, via = WebSupport.NO, info.auth_type
            else:
                support, via = WebSupport.YES, info.auth_type or "unknown"
            merged.append(Provider(info.slug, info.name or info.slug, via, support, True))
        return ProviderCatalogue(merged)


@cache
def bundled_catalogue() -> ProviderCatalogue:
    """The providers table shipped with the app (resources/providers.tsv)."""
    text = read_text("providers.tsv")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"))
    return ProviderCatalogue(
        Provider(
            slug=row["slug"],
            name=row["name"],
            connects_via=row["connects_via"],
            web_widget=WebSupport(row["web_widget"]),
            default_oauth_app=(row.get("default_oauth_app") or "n/a").strip(),
        )
        for row in rows
    )
