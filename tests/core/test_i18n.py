"""The core's translation hook: English until a front end installs a translator."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from vital_desktop.core import i18n
from vital_desktop.core.i18n import (
    QT_TRANSLATE_NOOP,
    Plurals,
    set_translator,
    translate,
    translate_plural,
)
from vital_desktop.core.retry_after import wait_phrase
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


# ------------------------------------------------------------------------- plurals


def test_a_plural_in_english_fills_the_count_and_picks_the_form() -> None:
    assert translate_plural("RetryAfter", "about %n second(s)", 1) == "about 1 second"
    assert translate_plural("RetryAfter", "about %n second(s)", 2) == "about 2 seconds"
    assert translate_plural("RetryAfter", "about %n second(s)", 0) == "about 0 seconds"
    assert translate_plural("LinkForm", "{names} and %n more", 3) == "{names} and 3 more"
    assert Plurals("RetryAfter").tr("about %n hour(s)", None, 1) == "about 1 hour"


def test_a_plural_translator_sees_context_text_and_count() -> None:
    seen: list[tuple[str, str, int]] = []

    def plural(context: str, text: str, n: int) -> str:
        seen.append((context, text, n))
        return f"environ {n} secondes" if n > 1 else f"environ {n} seconde"

    set_translator(lambda context, text: text, plural=plural)
    assert wait_phrase(30) == "environ 30 secondes"
    assert wait_phrase(1) == "environ 1 seconde"
    assert ("RetryAfter", "about %n second(s)", 30) in seen


def test_an_untranslated_plural_from_qt_still_reads_as_english() -> None:
    # QCoreApplication.translate answers a message it has no translation for with the
    # source, %n filled in and "(s)" left as it is.
    set_translator(lambda c, t: t, plural=lambda c, t, n: t.replace("%n", str(n)))
    assert wait_phrase(30) == "about 30 seconds"
    assert wait_phrase(120) == "about 2 minutes"


def test_plurals_follow_a_plain_translator_when_no_plural_one_is_given() -> None:
    set_translator(lambda context, text: text.replace("about", "ABOUT"))
    assert wait_phrase(30) == "ABOUT 30 seconds"  # its own text; the count filled in
    set_translator(lambda context, text: text)
    assert wait_phrase(30) == "about 30 seconds"


def test_a_broken_plural_translator_never_hides_the_sentence() -> None:
    def broken(context: str, text: str, n: int) -> str:
        raise RuntimeError("bad catalogue")

    set_translator(lambda c, t: t, plural=broken)
    assert wait_phrase(7200) == "about 2 hours"
    set_translator(None)
    assert i18n._plural_translator is None


def test_english_output_of_the_plural_sentences_is_unchanged() -> None:
    phrases = {
        0.2: "about 1 second",
        1: "about 1 second",
        30: "about 30 seconds",
        89.4: "about 89 seconds",
        89.5: "about 1 minute",
        90: "about 2 minutes",
        3600: "about 60 minutes",
        5370: "about 1 hour",
        7200: "about 2 hours",
        86_400: "about 24 hours",
    }
    assert {seconds: wait_phrase(seconds) for seconds in phrases} == phrases


def test_every_plurals_object_is_named_as_its_context() -> None:
    """lupdate takes a plural's context from the name before ``.tr``: they must agree."""
    core = Path(i18n.__file__).parent
    found = []
    for path in sorted(core.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "Plurals"
            ):
                context = node.value.args[0]
                assert isinstance(context, ast.Constant)
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                assert names == [context.value], f"{path.name}:{node.lineno}"
                found.append(context.value)
    assert {"RetryAfter", "ProviderChoice"} <= set(found)
