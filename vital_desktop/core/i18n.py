"""The core's words in the reader's language, without importing Qt.

The core calls ``translate("Context", "Sentence with {name}")`` for every sentence a person
reads (error messages, hints, labels); until a front end installs a translator with
``set_translator`` the sentence comes back unchanged, so the command line and the tests read
English. The window installs ``QCoreApplication.translate`` (see ``vital_desktop.qt.i18n``).

The call must be written literally as ``translate("Context", "text")`` (or
``QT_TRANSLATE_NOOP(...)`` for text kept in a table and translated when shown): that is the
form ``pyside6-lupdate`` recognises when it extracts the ``.ts`` sources, so an alias such as
``_t = translate`` would hide the text from the translators. Templates use ``str.format``
placeholders, never f-strings, because lupdate cannot read f-strings.

A sentence with a count uses Qt's ``%n`` convention (``"about %n minute(s)"``) through a
``Plurals`` object named exactly as its context::

    RetryAfter = Plurals("RetryAfter")
    RetryAfter.tr("about %n minute(s)", None, minutes)

``Name.tr(text, None, n)`` is the one form the Python lupdate marks as a plural message
(``numerus="yes"``, context ``Name``); it cannot see a plural in ``translate(...)``. Without a
translator the English comes back with ``%n`` replaced by the count and ``(s)`` dropped for
one, kept as ``s`` otherwise (``"about 1 minute"``, ``"about 3 minutes"``).
"""

from __future__ import annotations

from collections.abc import Callable

Translator = Callable[[str, str], str]
PluralTranslator = Callable[[str, str, int], str]


def _unchanged(context: str, text: str) -> str:
    return text


_translator: Translator = _unchanged
_plural_translator: PluralTranslator | None = None


def set_translator(translator: Translator | None, plural: PluralTranslator | None = None) -> None:
    """Send every later ``translate`` call through ``translator``; None restores English.

    ``plural(context, text, n)`` translates the ``%n`` sentences (the window passes
    ``QCoreApplication.translate(context, text, None, n)``); without it they go through
    ``translator`` and the count is filled in as in English.
    """
    global _translator, _plural_translator
    _translator = translator or _unchanged
    _plural_translator = plural if translator is not None else None


def translate(context: str, text: str) -> str:
    """``text`` in the reader's language (unchanged when no translator is installed).

    ``context`` groups the sentence for translators (usually the module's subject, such as
    ``"Errors"``); a sentence with placeholders is translated first and formatted after.
    """
    try:
        return _translator(context, text)
    except Exception:  # a broken translation must never hide the sentence itself
        return text


def english_plural(text: str, n: int) -> str:
    """``text`` with ``%n`` replaced by ``n`` and ``(s)`` made singular or plural by ``n``."""
    return text.replace("%n", str(n)).replace("(s)", "" if n == 1 else "s")


def translate_plural(context: str, text: str, n: int) -> str:
    """The ``%n`` sentence ``text`` for the count ``n``, in the reader's language.

    Call it through a ``Plurals`` object (``Name.tr(text, None, n)``) so lupdate extracts the
    text as a plural message; see the module docstring.
    """
    try:
        if _plural_translator is not None:
            shown = _plural_translator(context, text, n)
            # Qt answers an untranslated plural with the source, %n filled and "(s)" kept.
            if shown != text.replace("%n", str(n)):
                return shown
            return english_plural(text, n)
        return english_plural(_translator(context, text), n)
    except Exception:  # a broken translation must never hide the sentence itself
        return english_plural(text, n)


class Plurals:
    """The ``%n`` sentences of one translation context.

    Bind it to a module-level name spelled exactly as ``context`` (``RetryAfter =
    Plurals("RetryAfter")``): lupdate takes the context of ``RetryAfter.tr(...)`` from that
    name.
    """

    def __init__(self, context: str) -> None:
        self.context = context

    def tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        """``text`` (with ``%n``) for the count ``n``: see ``translate_plural``."""
        return translate_plural(self.context, text, n)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for extraction without translating it now.

    For sentences kept in module-level tables (built before any translator exists): the
    table keeps the English source and the front end calls ``translate(context, text)``
    with the same context when it shows it.
    """
    return text
