"""Where requests go (environment, region, host) and what an API key says about it.

The key prefix alone tells sandbox from production (``sk_`` / ``pk_``) and the region
(``_us_`` / ``_eu_``). A standard target (one of the vendor's hosts) also says both, so a
key that disagrees with it is caught before any request. A custom base URL says nothing:
the key describes the environment and no mismatch is reported.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from vital_desktop.core.errors import ErrorKind, VitalError, invalid_input
from vital_desktop.core.i18n import translate
from vital_desktop.core.names import API_KEY_VARIABLE as API_KEY_VARIABLE
from vital_desktop.core.names import BASE_URL_VARIABLE as BASE_URL_VARIABLE
from vital_desktop.core.names import Environment as Environment
from vital_desktop.core.names import Region as Region

# Environment, Region and the two variable names live in core.names, where
# `vital-link --help` reads them without this module's imports (idna, ipaddress, ...).

# (environment, region) -> (current host, legacy host)
HOSTS: dict[tuple[Environment, Region], tuple[str, str]] = {
    (Environment.PRODUCTION, Region.US): (
        "https://api.us.junction.com",
        "https://api.tryvital.io",
    ),
    (Environment.PRODUCTION, Region.EU): (
        "https://api.eu.junction.com",
        "https://api.eu.tryvital.io",
    ),
    (Environment.SANDBOX, Region.US): (
        "https://api.sandbox.us.junction.com",
        "https://api.sandbox.tryvital.io",
    ),
    (Environment.SANDBOX, Region.EU): (
        "https://api.sandbox.eu.junction.com",
        "https://api.sandbox.eu.tryvital.io",
    ),
}

KEY_PREFIXES: dict[tuple[Environment, Region], str] = {
    (Environment.PRODUCTION, Region.US): "pk_us_",
    (Environment.PRODUCTION, Region.EU): "pk_eu_",
    (Environment.SANDBOX, Region.US): "sk_us_",
    (Environment.SANDBOX, Region.EU): "sk_eu_",
}


def describe(environment: Environment, region: Region) -> str:
    """``"sandbox US"``: how a sentence names an environment and region (translated)."""
    if environment is Environment.PRODUCTION:
        text = translate("Environments", "production {region}")
    else:
        text = translate("Environments", "sandbox {region}")
    return text.format(region=region.label)


def place_label(environment: Environment, region: Region) -> str:
    """``"Sandbox · US"``: how a label or heading names an environment and region."""
    if environment is Environment.PRODUCTION:
        text = translate("Environments", "Production · {region}")
    else:
        text = translate("Environments", "Sandbox · {region}")
    return text.format(region=region.label)


@dataclass(frozen=True)
class ApiTarget:
    """Where requests go. ``environment``/``region`` are None for a custom base URL."""

    base_url: str
    environment: Environment | None = None
    region: Region | None = None
    legacy: bool = False

    @property
    def custom(self) -> bool:
        """True when the host says nothing about environment or region."""
        return self.environment is None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def label(self) -> str:
        """``"Sandbox · US"``, ``"… (legacy host)"`` or ``"Custom (https://…)"``, translated
        (shown only: nothing compares it)."""
        if self.environment is None or self.region is None:
            return translate("Environments", "Custom ({address})").format(address=self.base_url)
        place = place_label(self.environment, self.region)
        if self.legacy:
            return translate("Environments", "{place} (legacy host)").format(place=place)
        return place


def standard_target(environment: Environment, region: Region, *, legacy: bool = False) -> ApiTarget:
    """The vendor's host for an environment and region (junction.com unless ``legacy``)."""
    current, old = HOSTS[(environment, region)]
    return ApiTarget(old if legacy else current, environment, region, legacy)


def is_loopback_host(host: str) -> bool:
    """True for this computer: ``localhost`` (and ``*.localhost``), 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Letters, digits, hyphens (and underscores, which some internal DNS names carry).
_ASCII_LABEL = re.compile(r"[a-z0-9_-]+")


def _host_problem(host: str) -> str | None:
    """Why ``host`` cannot be a real host name, as a sentence, or None when it can."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    name = host.rstrip(".")
    if name.isascii():
        ascii_name = name.lower()
    else:
        try:
            ascii_name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return translate(
                "Environments",
                "The API address's host name is not a valid international domain name.",
            )
    labels = ascii_name.split(".")
    if any(label.startswith("xn--") for label in labels):
        try:
            idna.decode(ascii_name)  # an A-label must decode to a valid international name
        except (idna.IDNAError, UnicodeError, ValueError):
            return translate(
                "Environments",
                "The API address's host name is not a valid international domain name.",
            )
    if any(len(label) > 63 for label in labels):
        return translate(
            "Environments",
            "The API address's host name has a part longer than 63 characters, so no "
            "computer can have that name.",
        )
    if len(ascii_name) > 253:
        return translate(
            "Environments",
            "The API address's host name is longer than 253 characters, so no computer can "
            "have that name.",
        )
    if any(not label or not _ASCII_LABEL.fullmatch(label) for label in labels):
        return translate(
            "Environments",
            "The API address's host name contains characters a host name cannot have.",
        )
    return None


MAX_BASE_URL_LENGTH = 2048


def custom_target(url: str) -> ApiTarget:
    """A custom base URL: https anywhere, plain http only to a loopback address.

    Raises ``VitalError`` (INVALID_INPUT, field ``base_url``) with the reason otherwise.
    """
    text = url.strip()
    if not text:
        raise invalid_input(
            "base_url",
            translate(
                "Environments", "Enter the API address, for example https://api.example.com."
            ),
        )
    if len(text) > MAX_BASE_URL_LENGTH:  # httpx refuses longer URLs ("URL too long")
        raise invalid_input(
            "base_url",
            translate("Environments", "The API address is longer than {count} characters.").format(
                count=MAX_BASE_URL_LENGTH
            ),
        )
    # Control characters (DEL and C1 too), lone surrogates and invisible format characters
    # would make the client itself fail (httpx refuses or cannot encode them).
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs", "Cf") for ch in text):
        raise invalid_input(
            "base_url", translate("Environments", "The API address must not contain spaces.")
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise invalid_input(
            "base_url", translate("Environments", "The API address is not a valid URL.")
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise invalid_input(
            "base_url",
            translate("Environments", "The API address must start with https:// and name a host."),
        )
    problem = _host_problem(host)
    if problem:
        raise invalid_input("base_url", problem)
    if scheme == "http" and not is_loopback_host(host):
        raise invalid_input(
            "base_url",
            translate(
                "Environments",
                "Plain http:// is allowed only for this computer (127.0.0.1 or localhost); "
                "use https:// for any other host so the API key is never sent unencrypted.",
            ),
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise invalid_input(
            "base_url",
            translate(
                "Environments", "The API address must not contain a query, fragment or password."
            ),
        )
    base = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return ApiTarget(base)


@dataclass(frozen=True)
class KeyInfo:
    """What a team API key's prefix says: its environment and region."""

    environment: Environment
    region: Region

    @property
    def label(self) -> str:
        return describe(self.environment, self.region)


def clean_key(key: str) -> str:
    """Drop whitespace and quotes that come along with a paste."""
    return key.strip().strip("'\"`").strip()


def inspect_key(key: str) -> KeyInfo:
    """Read the environment and region from a team key's prefix.

    Raises ``VitalError`` KEY_MISSING, KEY_REFUSED (an ``mg_`` management key) or
    KEY_MALFORMED. The messages never contain the key.
    """
    key = clean_key(key)
    if not key:
        raise VitalError(
            ErrorKind.KEY_MISSING,
            translate(
                "Environments",
                "No API key is set. Paste your team's Vital API key (it starts with sk_ or pk_).",
            ),
            field="api_key",
        )
    if key.startswith("mg_"):
        raise VitalError(
            ErrorKind.KEY_REFUSED,
            translate(
                "Environments",
                "This is a management key (mg_); link tokens need a team API key that starts "
                "with sk_ (sandbox) or pk_ (production), from the team's API Keys page.",
            ),
            field="api_key",
        )
    # A header value must be printable ASCII: a key with a space, a line break or a
    # non-ASCII character inside is a bad paste, and httpx/h11 would fail on it later
    # with a message that quotes the key.
    printable = all("!" <= ch <= "~" for ch in key)
    for (environment, region), prefix in KEY_PREFIXES.items():
        if printable and key.startswith(prefix) and len(key) > len(prefix):
            return KeyInfo(environment, region)
    raise VitalError(
        ErrorKind.KEY_MALFORMED,
        translate(
            "Environments",
            "This does not look like a Vital team API key: it should start with sk_us_, "
            "sk_eu_, pk_us_ or pk_eu_.",
        ),
        field="api_key",
    )


def key_mismatch(info: KeyInfo, target: ApiTarget) -> str | None:
    """The sentence for a key that disagrees with a standard target, or None."""
    if target.environment is None or target.region is None:
        return None
    if (info.environment, info.region) == (target.environment, target.region):
        return None
    return translate(
        "Environments",
        "This is a {key} key, but the app is set to {wanted}. "
        "Switch to {key}, or paste a {wanted} key.",
    ).format(key=info.label, wanted=describe(target.environment, target.region))


def check_key(key: str, target: ApiTarget) -> KeyInfo:
    """Inspect ``key`` and raise KEY_MISMATCH if it disagrees with ``target``."""
    info = inspect_key(key)
    problem = key_mismatch(info, target)
    if problem:
        raise VitalError(ErrorKind.KEY_MISMATCH, problem, field="api_key")
    return info


def target_for_key(key: str, environ: Mapping[str, str] | None = None) -> ApiTarget:
    """The target a key implies, unless ``VITAL_BASE_URL`` in ``environ`` overrides the host."""
    base_url = (environ or {}).get(BASE_URL_VARIABLE, "").strip()
    if base_url:
        return custom_target(base_url)
    info = inspect_key(key)
    return standard_target(info.environment, info.region)
