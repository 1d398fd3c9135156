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
"""

from __future__ import annotations

from collections.abc import Callable

Translator = Callable[[str, str], str]


def _unchanged(context: str, text: str) -> str:
    return text


_translator: Translator = _unchanged


def set_translator(translator: Translator | None) -> None:
    """Send every later ``translate`` call through ``translator``; None restores English."""
    global _translator
    _translator = translator or _unchanged


def translate(context: str, text: str) -> str:
    """``text`` in the reader's language (unchanged when no translator is installed).

    ``context`` groups the sentence for translators (usually the module's subject, such as
    ``"Errors"``); a sentence with placeholders is translated first and formatted after.
    """
    try:
        return _translator(context, text)
    except Exception:  # a broken translation must never hide the sentence itself
        return text


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for extraction without translating it now.

    For sentences kept in module-level tables (built before any translator exists): the
    table keeps the English source and the front end calls ``translate(context, text)``
    with the same context when it shows it.
    """
    return text
