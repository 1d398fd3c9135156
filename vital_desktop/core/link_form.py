"""How the link form becomes a request, and how a request is described to the desk.

Qt-free: the window hands over what its fields hold (``LinkForm``); ``build_request``
applies every rule (the provider typed must be one Vital knows, phone-only providers cannot
get a web link, the filter and redirect must be valid) and raises ``VitalError`` naming the
field at fault. ``patient_key`` is how two forms are compared for "the same patient".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vital_desktop.core.errors import invalid_input
from vital_desktop.core.i18n import Plurals, translate
from vital_desktop.core.providers import ProviderCatalogue
from vital_desktop.core.validation import (
    LinkTokenRequest,
    clean_paste,
    normalize_user_id,
    user_id_problem,
)

# The plural sentences of this module (named as their translation context: see core.i18n).
ProviderChoice = Plurals("ProviderChoice")


@dataclass(frozen=True)
class LinkForm:
    """What the form's fields hold, as typed."""

    user_id_text: str
    provider_slug: str | None = None
    provider_problem: str | None = None  # the typed provider text names no provider
    filter_slugs: tuple[str, ...] = ()
    redirect_text: str = ""

    @property
    def patient(self) -> str:
        """The patient this form is for (see ``patient_key``)."""
        return patient_key(self.user_id_text)


def patient_key(user_id_text: str) -> str:
    """The canonical user id when the text is one, else the cleaned text, lower-cased.

    Two forms are for the same patient exactly when their keys are equal, so pasting the
    same id with other spacing or case keeps a link, and any other edit retires it.
    """
    value = clean_paste(user_id_text)
    if user_id_problem(value) is None:
        import uuid  # as in validation: not at start-up

        return str(uuid.UUID(value))
    return value.lower()


def phone_only_problem(slugs: Sequence[str], catalogue: ProviderCatalogue) -> str | None:
    """The sentence for the first provider a web link cannot connect, or None."""
    for slug in slugs:
        provider = catalogue.get(slug)
        if provider is not None and provider.unavailable_reason:
            return provider.unavailable_reason
    return None


def build_request(form: LinkForm, catalogue: ProviderCatalogue) -> LinkTokenRequest:
    """A validated POST /v2/link/token body, or INVALID_INPUT naming the field at fault."""
    if form.provider_problem:
        raise invalid_input("provider", form.provider_problem)
    # Trimmed as LinkTokenRequest.build trims them, or a padded phone-only slug would pass
    # this check and then be sent.
    provider = (form.provider_slug or "").strip()
    if provider:
        problem = phone_only_problem([provider], catalogue)
        if problem:
            raise invalid_input("provider", problem)
    problem = phone_only_problem([slug.strip() for slug in form.filter_slugs], catalogue)
    if problem:
        raise invalid_input("filter_on_providers", problem)
    return LinkTokenRequest.build(
        form.user_id_text,
        form.provider_slug,
        form.filter_slugs or None,
        form.redirect_text,
        known_slugs=catalogue.slugs,
    )


@dataclass(frozen=True)
class CodeRequest:
    """A phone-app link code for one patient (POST /v2/link/code/create)."""

    user_id: str
    provider: str  # the phone-only provider the desk chose; the code itself names none
    lifetime: float  # seconds the desk wants the code to last


def wants_code(form: LinkForm, catalogue: ProviderCatalogue) -> bool:
    """True when the chosen provider connects only through the vendor's phone app."""
    slug = (form.provider_slug or "").strip()
    provider = catalogue.get(slug) if slug else None
    return provider is not None and not provider.linkable and not form.provider_problem


def build_code_request(
    form: LinkForm, catalogue: ProviderCatalogue, lifetime: float
) -> CodeRequest:
    """A validated code request for a phone-only provider, or INVALID_INPUT."""
    if form.provider_problem:
        raise invalid_input("provider", form.provider_problem)
    if not wants_code(form, catalogue):
        raise invalid_input(
            "provider",
            translate("LinkForm", "Choose a provider that connects through the phone app."),
        )
    if not 60 <= lifetime <= 86_400:
        raise invalid_input(
            "code_lifetime", translate("LinkForm", "A code can last from one minute to one day.")
        )
    return CodeRequest(
        normalize_user_id(form.user_id_text), (form.provider_slug or "").strip(), lifetime
    )


def short_user_id(user_id: str) -> str:
    """``1b4e28ba…0016d3cca427``: the first and last groups, 20 of 32 digits."""
    if len(user_id) == 36 and user_id.count("-") == 4:
        return f"{user_id[:8]}…{user_id[-12:]}"
    return user_id


def describe_patient(user_id: str, client_user_id: str | None = None) -> str:
    """How a link names its patient: the clinic's id when known, else the short user id."""
    if client_user_id:
        return translate("LinkForm", "patient {client_user_id} ({user_id})").format(
            client_user_id=client_user_id, user_id=short_user_id(user_id)
        )
    return translate("LinkForm", "user {user_id}").format(user_id=short_user_id(user_id))


def describe_providers(
    request: LinkTokenRequest | CodeRequest, catalogue: ProviderCatalogue
) -> str:
    """``"Oura"``, ``"a choice of Oura, Fitbit"``, ``"any provider"`` or, for a code,
    ``"Apple Health (phone app code)"``."""

    def name(slug: str) -> str:
        provider = catalogue.get(slug)
        return provider.display_name if provider is not None else slug

    if isinstance(request, CodeRequest):
        return translate("LinkForm", "{provider} (phone app code)").format(
            provider=name(request.provider)
        )
    if request.provider:
        return name(request.provider)
    if request.filter_on_providers:
        names = [name(slug) for slug in request.filter_on_providers]
        shown = ", ".join(names[:4])
        if len(names) > 4:
            shown = ProviderChoice.tr("{names} and %n more", None, len(names) - 4).format(
                names=shown
            )
        return translate("LinkForm", "a choice of {providers}").format(providers=shown)
    return translate("LinkForm", "any provider")
