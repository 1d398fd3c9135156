"""The window's language: a ``QTranslator`` for the chosen language, installed at start-up.

Compiled translations ship inside the package as ``vital_desktop/translations/
vital_desktop_<lang>.qm`` (built from the ``.ts`` sources by ``scripts/update_translations.sh``).
``install_translator`` must run on the QApplication before any window is built: texts are
translated once, when a widget is made. It also routes the Qt-free core's sentences
(``vital_desktop.core.i18n.translate``, and its ``%n`` plurals) through
``QCoreApplication.translate``.
"""

from __future__ import annotations

import logging
import tempfile
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from vital_desktop.core import i18n as core_i18n

log = logging.getLogger(__name__)

CATALOGUE = "vital_desktop"
SOURCE_LANGUAGE = "en"


def qm_name(language: str) -> str:
    """``vital_desktop_<language>.qm``: the file one language is compiled into."""
    return f"{CATALOGUE}_{language}.qm"


def candidate_languages(language: str) -> list[str]:
    """The codes to try, best first: ``"pt_BR"`` then ``"pt"``; ``"system"`` asks QLocale."""
    if not language or language == "system":
        names = [name.replace("-", "_") for name in QLocale.system().uiLanguages()]
    else:
        names = [language.replace("-", "_")]
    tried: list[str] = []
    for name in names:
        for code in (name, name.split("_")[0]):
            if code and code not in tried:
                tried.append(code)
    return tried


def _qm_file(language: str, directory: Path | None) -> Path | None:
    """The compiled file for ``language``: in ``directory``, else among the package data
    (copied to a temporary file when the package is not a plain folder, e.g. a zip)."""
    if directory is not None:
        path = directory / qm_name(language)
        return path if path.is_file() else None
    item = resources.files("vital_desktop.translations").joinpath(qm_name(language))
    if not item.is_file():
        return None
    if isinstance(item, Path):
        return item
    with tempfile.NamedTemporaryFile(suffix=".qm", delete=False) as copy:
        copy.write(item.read_bytes())
    return Path(copy.name)


def _translate_plural(context: str, text: str, n: int) -> str:
    """The core's ``%n`` sentences: Qt picks the translation's plural form for ``n``."""
    return QCoreApplication.translate(context, text, None, n)


def install_translator(
    app: QCoreApplication, language: str, *, directory: Path | None = None
) -> str | None:
    """Install the translation for ``language`` (a code such as ``"de"``, or ``"system"``).

    Returns the language loaded, or None when the window stays in its source language
    (English, the language the code is written in, or no translation is shipped). Never
    raises: a missing or broken translation must not stop the app from starting.
    ``directory`` replaces the package's translations folder (tests, local builds).
    """
    try:
        for code in candidate_languages(language):
            if code == SOURCE_LANGUAGE:
                return None  # the texts in the code are already English
            path = _qm_file(code, directory)
            if path is None:
                continue
            translator = QTranslator(app)
            if not translator.load(str(path)):
                log.warning("could not load the translation %s", path)
                continue
            app.installTranslator(translator)
            core_i18n.set_translator(QCoreApplication.translate, plural=_translate_plural)
            log.info("language %s loaded from %s", code, path.name)
            return code
    except Exception:
        log.exception("could not install a translation for %r", language)
    return None
