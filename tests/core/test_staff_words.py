"""Staff sentences for widget errors and connections in error status: never raw, never empty."""

from __future__ import annotations

import pytest

from vital_desktop.core.staff_words import (
    MAX_DETAIL_CHARS,
    clean_detail,
    connection_error_sentence,
    widget_error_sentence,
)

# Every end-of-flow error type the API README lists, with a word its sentence must carry.
WIDGET_TYPES = {
    "invalid_token": "new link",
    "token_expired": "expired",
    "token_consumed": "already been used",
    "token_not_validated": "could not check",
    "provider_credential_error": "password",
    "provider_password_expired": "expired",
    "provider_api_error": "service",
    "unsupported_region": "region",
    "duplicate_connection": "another patient",
    "required_scopes_not_granted": "permission",
    "incorrect_mfa_code": "verification code",
    "user_cancelled": "closed",
}
GENERIC = widget_error_sentence(None)


@pytest.mark.parametrize(("error_type", "word"), sorted(WIDGET_TYPES.items()))
def test_each_widget_error_type_has_its_own_sentence(error_type: str, word: str) -> None:
    sentence = widget_error_sentence(error_type)
    assert word in sentence and sentence != GENERIC
    assert sentence.endswith(".") and ":" in sentence  # what happened: what to do


def test_the_credential_sentence_is_the_agreed_one() -> None:
    assert widget_error_sentence("provider_credential_error") == (
        "The patient's password for this provider was wrong: ask them to try again."
    )


def test_sentences_are_distinct() -> None:
    sentences = {widget_error_sentence(t) for t in WIDGET_TYPES}
    assert len(sentences) == len(WIDGET_TYPES)


@pytest.mark.parametrize("error_type", [None, "", "brand_new_type", "<script>", "x" * 5000])
def test_unknown_types_get_the_generic_sentence(error_type: str | None) -> None:
    sentence = widget_error_sentence(error_type)
    assert sentence == GENERIC and "support" in sentence and "<" not in sentence


def test_types_are_read_case_blind_and_trimmed() -> None:
    assert widget_error_sentence(" Token_Expired ") == widget_error_sentence("token_expired")


def test_the_widget_text_is_appended_cleaned_and_cut() -> None:
    sentence = widget_error_sentence(
        "provider_api_error", "<b>Garmin</b> is down\r\nSet-Cookie: x\u202e &lt;i&gt;now&lt;/i&gt;"
    )
    assert sentence.startswith(widget_error_sentence("provider_api_error"))
    assert "(Details: Garmin is down Set-Cookie: x now.)" in sentence
    for raw in ("<", ">", "\r", "\n", "\u202e", "&lt;"):
        assert raw not in sentence
    long = widget_error_sentence("provider_api_error", "word " * 500)
    detail = long.split("(Details: ", 1)[1]
    assert len(detail) <= MAX_DETAIL_CHARS + 3 and "…" in detail
    assert widget_error_sentence("user_cancelled", "   ") == widget_error_sentence("user_cancelled")


def test_clean_detail_on_hostile_text() -> None:
    assert clean_detail(None) == ""
    assert clean_detail("<img src=x onerror=alert(1)>hi") == "hi"
    assert clean_detail("a" * 10_000_000).endswith("…")
    assert len(clean_detail("a" * 10_000_000)) == MAX_DETAIL_CHARS


@pytest.mark.parametrize(
    ("error_type", "word"),
    [
        ("token_refresh_failed", "connect Garmin again"),
        ("deregistered_per_provider", "disconnected"),
        ("provider_password_expired", "reset"),
        ("required_scopes_not_granted", "permission"),
        ("provider_credential_error", "password"),
        ("user_not_found", "account"),
        ("webhook_registration_failed", "new link"),
    ],
)
def test_connection_errors_in_staff_words(error_type: str, word: str) -> None:
    sentence = connection_error_sentence("Garmin", error_type, None)
    assert word in sentence and "Garmin" in sentence and sentence.endswith(".")
    assert sentence != connection_error_sentence("Garmin", "unknown", None)


def test_unknown_connection_errors_are_generic_with_the_cleaned_message() -> None:
    sentence = connection_error_sentence(
        "Oura <b>", "teleport_failed", "The user <em>has</em> deregistered"
    )
    assert sentence.startswith("Oura has a problem with the patient's connection")
    assert sentence.endswith("(Details: The user has deregistered.)")
    nameless = connection_error_sentence("", None, None)
    assert nameless.startswith("The provider has a problem")
