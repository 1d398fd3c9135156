"""The provider catalogue as the API shows it, built from the app's bundled table.

The bundled table says how each provider connects; the API's ``SourceAuthType`` has no
separate value for Bluetooth/NFC devices or manual entry, so those map onto ``sdk`` and
``app``. Descriptions and logos are placeholders: the stand-in has no artwork and must
never send the desktop to the internet, hence the ``.invalid`` host.
"""

from __future__ import annotations

from typing import Any

from vital_desktop.core.providers import Provider, bundled_catalogue

AUTH_TYPES: dict[str, str] = {
    "oauth": "oauth",
    "password": "password",
    "email": "email",
    "sdk": "sdk",
    "sdk_device": "sdk",
    "manual": "app",
}

DEMO_PROVIDERS: tuple[str, ...] = ("apple_health_kit", "fitbit", "freestyle_libre", "oura")


def provider_slugs() -> frozenset[str]:
    """Every slug of the ``Providers`` enum (the bundled table holds exactly those)."""
    return bundled_catalogue().slugs


def provider(slug: str) -> Provider | None:
    """The bundled entry for a slug."""
    return bundled_catalogue().get(slug)


def logo_url(slug: str) -> str:
    """A placeholder logo address that can never be fetched."""
    return f"https://logos.sandbox.invalid/{slug}.png"


def provider_name(slug: str) -> str:
    """The provider's display name, or the slug when the table does not know it."""
    entry = provider(slug)
    return entry.name if entry else slug


def brief_json(slug: str) -> dict[str, Any]:
    """``ClientFacingProvider``: name, slug, logo."""
    return {"name": provider_name(slug), "slug": slug, "logo": logo_url(slug)}


def detailed_json(entry: Provider) -> dict[str, Any]:
    """``ClientFacingProviderDetailed`` for GET /v2/providers."""
    how = {
        "oauth": "signs in on the provider's own page",
        "password": "enters the provider account's email and password",
        "email": "enters the email address of the provider account",
        "sdk": "connects through a phone app with the mobile SDK",
        "sdk_device": "pairs the device with a phone app using the mobile SDK",
        "manual": "types readings into a phone app",
    }.get(entry.connects_via, "connects through the provider")
    return {
        "name": entry.name,
        "slug": entry.slug,
        "description": f"{entry.name}: the patient {how}.",
        "logo": logo_url(entry.slug),
        "auth_type": AUTH_TYPES.get(entry.connects_via, ""),
        "supported_resources": [],
    }


def catalogue_json() -> list[dict[str, Any]]:
    """All providers of the bundled table, in its order."""
    return [detailed_json(entry) for entry in bundled_catalogue()]
