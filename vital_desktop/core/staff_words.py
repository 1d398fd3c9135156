"""Sentences for the front desk: what went wrong for the patient, and what to do next.

The widget ends with ``error_type`` (an open list: the vendor may add types) and a human
``error`` text; a connected provider in ``error`` status carries ``error_details``. Both come
from outside, so nothing is echoed raw: text is stripped of markup and control characters
and cut short before it is appended to a sentence of our own.
"""

from __future__ import annotations

import re
import unicodedata

from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate

MAX_DETAIL_CHARS = 200

_WIDGET_SENTENCES: dict[str, str] = {
    "invalid_token": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The link was not valid: make a new link for the patient.",
    ),
    "token_expired": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The link had expired before the patient finished: make a new link.",
    ),
    "token_consumed": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The link had already been used: make a new link if the patient still needs to connect.",
    ),
    "token_not_validated": QT_TRANSLATE_NOOP(
        "StaffWords",
        "Vital could not check the link: make a new link and ask the patient to open it again.",
    ),
    "provider_credential_error": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient's password for this provider was wrong: ask them to try again.",
    ),
    "provider_password_expired": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient's password for this provider has expired: ask "
        "them to reset it on the provider's own site or app, then make a new link.",
    ),
    "provider_api_error": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The provider's service had a problem: make a new link and try again in a few minutes.",
    ),
    "unsupported_region": QT_TRANSLATE_NOOP(
        "StaffWords",
        "This provider is not available in the patient's region: choose another provider.",
    ),
    "duplicate_connection": QT_TRANSLATE_NOOP(
        "StaffWords",
        "That provider account is already connected to another patient: "
        "ask the patient to use their own account, or disconnect it from the other patient first.",
    ),
    "required_scopes_not_granted": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient did not allow all the data the clinic needs: "
        "make a new link and ask them to tick every permission.",
    ),
    "incorrect_mfa_code": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The verification code the patient typed was wrong: make a new link "
        "and ask them to use the newest code.",
    ),
    "user_cancelled": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient closed the page without connecting: make a new link if "
        "they still want to connect.",
    ),
}

_WIDGET_UNKNOWN = QT_TRANSLATE_NOOP(
    "StaffWords",
    "The connection did not finish: make a new link and try again, and if it fails again, "
    "send the details to support.",
)

# Connection ``error_details.error_type`` values of the API description, in staff words.
_CONNECTION_SENTENCES: dict[str, str] = {
    "token_refresh_failed": QT_TRANSLATE_NOOP(
        "StaffWords",
        "{name} stopped letting Vital read the patient's data (its sign-in "
        "ran out): make a new link so the patient can connect {name} again.",
    ),
    "webhook_registration_failed": QT_TRANSLATE_NOOP(
        "StaffWords",
        "{name} could not be set up to send new data: make a new "
        "link so the patient can connect {name} again.",
    ),
    "user_not_found": QT_TRANSLATE_NOOP(
        "StaffWords",
        "{name} no longer knows the patient's account: ask the patient which "
        "account they use, then make a new link.",
    ),
    "deregistered_per_provider": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient disconnected the clinic in {name} itself: make a "
        "new link if they want to connect again.",
    ),
    "required_scopes_not_granted": QT_TRANSLATE_NOOP(
        "StaffWords",
        "{name} is connected without all the data the clinic needs: "
        "make a new link and ask the patient to allow every permission.",
    ),
    "provider_credential_error": QT_TRANSLATE_NOOP(
        "StaffWords",
        "{name} no longer accepts the patient's password: make a new "
        "link and ask the patient to sign in again.",
    ),
    "provider_password_expired": QT_TRANSLATE_NOOP(
        "StaffWords",
        "The patient's {name} password has expired: ask them to reset "
        "it with {name}, then make a new link.",
    ),
}

_CONNECTION_UNKNOWN = QT_TRANSLATE_NOOP(
    "StaffWords",
    "{name} has a problem with the patient's connection: make a new link so the patient can "
    "connect {name} again.",
)

_TAG = re.compile(r"<[^>]{0,400}>")
_SPACE = re.compile(r"\s+")


def clean_detail(text: str | None, limit: int = MAX_DETAIL_CHARS) -> str:
    """Outside text made safe to show: no markup, no control or format characters, one line,
    at most ``limit`` characters (cut with an ellipsis)."""
    if not isinstance(text, str):
        return ""
    # Bounded before any regex runs: the text comes from a URL or a server.
    raw = text[: limit * 20]
    import html  # its entity table is ~1 MB: loaded with the first server text

    raw = html.unescape(_TAG.sub(" ", raw))
    raw = _TAG.sub(" ", raw)  # markup that arrived entity-escaped is markup too
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in raw
    )
    kept = kept.replace("<", "").replace(">", "")
    one_line = _SPACE.sub(" ", kept).strip()
    if len(one_line) > limit:
        one_line = one_line[: limit - 1].rstrip() + "…"
    return one_line


def _with_detail(sentence: str, detail: str | None) -> str:
    extra = clean_detail(detail)
    if not extra:
        return sentence
    # Wrapped in a label of our own so staff can tell our advice from the vendor's words.
    return translate("StaffWords", "{sentence} (Details: {detail}.)").format(
        sentence=sentence, detail=extra.rstrip(".")
    )


def _type_key(error_type: str | None) -> str:
    return error_type.strip().lower() if isinstance(error_type, str) else ""


def widget_error_sentence(error_type: str | None, error: str | None = None) -> str:
    """What to do next after the widget ended with ``error_type``, in one staff sentence.

    Unknown or missing types get a generic sentence; the widget's own ``error`` text, when
    given, is appended cleaned of markup and cut to 200 characters.
    """
    sentence = _WIDGET_SENTENCES.get(_type_key(error_type), _WIDGET_UNKNOWN)
    return _with_detail(translate("StaffWords", sentence), error)


def connection_error_sentence(
    provider_name: str, error_type: str | None, error_message: str | None
) -> str:
    """What to do about a connected provider whose status is ``error`` (its error_details).

    Unknown types get a generic sentence; ``error_message`` is appended cleaned and cut.
    """
    name = clean_detail(provider_name, 60) or translate("StaffWords", "the provider")
    template = _CONNECTION_SENTENCES.get(_type_key(error_type), _CONNECTION_UNKNOWN)
    sentence = translate("StaffWords", template).format(name=name)
    return _with_detail(sentence[:1].upper() + sentence[1:], error_message)
