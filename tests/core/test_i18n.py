"""The core's translation hook: English until a front end installs a translator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vital_desktop.core import i18n
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, set_translator, translate
from vital_desktop.core.validation import user_id_problem


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_translator(None)


def test_text_is_unchanged_without_a_translator() -> None:
    assert translate("Validation", "Enter the patient's Vital user ID.") == (
        "Enter the patient's Vital user ID."
    )
    assert QT_TRANSLATE_NOOP("Ctx", "kept as it is") == "kept as it is"


def test_an_installed_translator_sees_context_and_text() -> None:
    seen: list[tuple[str, str]] = []

    def shout(context: str, text: str) -> str:
        seen.append((context, text))
        return text.upper()

    set_translator(shout)
    assert user_id_problem("") == "ENTER THE PATIENT'S VITAL USER ID."
    assert ("Validation", "Enter the patient's Vital user ID.") in seen


def test_a_broken_translator_never_hides_the_sentence() -> None:
    def broken(context: str, text: str) -> str:
        raise RuntimeError("bad catalogue")

    set_translator(broken)
    assert translate("Errors", "Try again.") == "Try again."


def test_none_restores_english() -> None:
    set_translator(lambda context, text: "x")
    set_translator(None)
    assert i18n.translate("Errors", "Try again.") == "Try again."
