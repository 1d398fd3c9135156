"""Every text of the window goes through Qt's translation functions, and a translation works.

The ``.ts`` sources are extracted with ``scripts/update_translations.sh`` (pyside6-lupdate);
here the same extraction runs into a temporary folder, a pseudo-translation ("xx": every
text marked) is compiled with pyside6-lrelease, and the real window is started with it.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from tests.qt.conftest import WindowFactory
from vital_desktop.core import i18n as core_i18n
from vital_desktop.core.deadline import Deadline
from vital_desktop.core.retry_after import wait_phrase, wait_sentence
from vital_desktop.qt.i18n import install_translator, qm_name

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vital_desktop"
SHIPPED_TS = PACKAGE / "translations" / "vital_desktop_en.ts"
MARK = "[xx] "


def _tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it ships with PySide6-Essentials)")
    return found


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py"))


def _messages(ts: Path) -> set[tuple[str, str]]:
    """(context, source) of every message in a .ts file."""
    found: set[tuple[str, str]] = set()
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found.add((name, message.findtext("source") or ""))
    return found


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .ts the documented command would write, extracted into a temporary folder."""
    ts = tmp_path_factory.mktemp("ts") / "vital_desktop_en.ts"
    subprocess.run(
        [_tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "relative",
         "-source-language", "en", "-target-language", "en", *_sources(), "-ts", str(ts)],
        cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return ts


def test_extraction_finds_the_window_and_core_texts(extracted: Path) -> None:
    messages = _messages(extracted)
    sources = {source for _, source in messages}
    assert len(messages) >= 250, len(messages)
    assert ("LinkView", "Generate link") in messages
    assert ("LinkView", "&Generate link") in messages  # mnemonics stay in the text
    assert ("Validation", "Enter the patient's Vital user ID.") in messages  # the core's
    assert ("Settings", "Language") in messages  # a label kept in the settings table
    assert not [s for s in sources if "{" in s and "}" not in s], "a broken placeholder"


def test_the_shipped_source_catalogue_is_up_to_date(extracted: Path) -> None:
    """Run scripts/update_translations.sh after changing a text, and ship the .ts."""
    missing = _messages(extracted) - _messages(SHIPPED_TS)
    assert not missing, f"run scripts/update_translations.sh; not in the .ts: {sorted(missing)[:5]}"


def _core_calls() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(context, text) of every literal ``translate``/``QT_TRANSLATE_NOOP`` call in the core,
    and of every ``Name.tr("…%n…", None, n)`` plural call."""
    plain: set[tuple[str, str]] = set()
    plural: set[tuple[str, str]] = set()
    for path in sorted((PACKAGE / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args[:2]]
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("translate", "QT_TRANSLATE_NOOP"):
                if len(args) == 2 and all(isinstance(a, str) for a in args):
                    plain.add((str(args[0]), str(args[1])))
            elif (
                isinstance(func, ast.Attribute)
                and func.attr == "tr"
                and isinstance(func.value, ast.Name)
                and isinstance(args[0], str)
                and "%n" in args[0]
            ):
                plural.add((func.value.id, args[0]))
    return plain, plural


def _numerus(ts: Path) -> set[tuple[str, str]]:
    """(context, source) of every plural (numerus) message in a .ts file."""
    return {
        (context.findtext("name") or "", message.findtext("source") or "")
        for context in ET.parse(ts).getroot().iter("context")
        for message in context.iter("message")
        if message.get("numerus") == "yes"
    }


def test_every_core_sentence_written_for_translation_is_extracted(extracted: Path) -> None:
    """A call lupdate cannot read (an alias, an f-string, a plural through ``translate``)
    would leave its sentence out of the catalogue: every literal one must be in it."""
    plain, plural = _core_calls()
    assert len(plain) >= 150 and len(plural) >= 4, (len(plain), len(plural))
    missing = plain - _messages(extracted)
    assert not missing, sorted(missing)[:5]
    assert ("Client", "Vital refused the request: {reason}.") in plain
    assert ("Countdown", "{time} left") in plain
    not_plural = plural - _numerus(extracted)
    assert not not_plural, f"not extracted as plurals: {sorted(not_plural)}"
    assert ("RetryAfter", "about %n second(s)") in plural


def test_the_translations_are_package_data() -> None:
    folder = resources.files("vital_desktop.translations")
    assert folder.joinpath("vital_desktop_en.ts").is_file()


# ------------------------------------------------------------ pseudo-translation


def _pseudo_translate(source_ts: Path, target_ts: Path) -> int:
    """Copy ``source_ts`` with every translation the source text, marked.

    A plural message (``%n``) gets each of its forms marked, with ``(s)`` written ``s``.
    """
    tree = ET.parse(source_ts)
    root = tree.getroot()
    root.set("language", "xx")
    count = 0
    for message in root.iter("message"):
        translation = message.find("translation")
        assert translation is not None
        source = message.findtext("source") or ""
        forms = translation.findall("numerusform")
        for form in forms:
            form.text = MARK + source.replace("(s)", "s")
        if not forms:
            translation.text = MARK + source
        translation.attrib.pop("type", None)  # finished, so lrelease keeps it
        count += 1
    tree.write(target_ts, encoding="utf-8", xml_declaration=True)
    return count


@pytest.fixture
def pseudo_language(extracted: Path, tmp_path: Path, qapp: QApplication) -> Iterator[str]:
    """The "xx" pseudo-translation installed on the application; removed afterwards."""
    ts = tmp_path / "vital_desktop_xx.ts"
    assert _pseudo_translate(extracted, ts) >= 250
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(tmp_path / qm_name("xx"))],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert install_translator(qapp, "xx", directory=tmp_path) == "xx"
    yield "xx"
    for translator in qapp.findChildren(QTranslator):
        qapp.removeTranslator(translator)
        translator.deleteLater()
    core_i18n.set_translator(None)


def test_the_pseudo_translation_shows_in_the_window(
    pseudo_language: str, open_window: WindowFactory, qtbot: Any
) -> None:
    window = open_window(demo=False)
    generate = window.findChild(QPushButton, "generateButton")
    assert generate.text() == MARK + "&Generate link"
    assert window.findChild(QLabel, "resultTitle").text() == MARK + "No link yet"
    assert window.windowTitle().startswith(MARK)
    # Object and accessible names find the same widgets in any language.
    assert generate.accessibleName() == MARK + "Generate link"
    # A sentence from the Qt-free core, through the hook qt/i18n.py installed.
    qtbot.keyClicks(window.user_id.edit, "not-a-user-id")
    hint = window.findChild(QLabel, "userIdHint")
    qtbot.waitUntil(lambda: hint.text().startswith(MARK + "A Vital user ID looks like"))
    # The core's plurals, countdown and composed sentences go through the same hook.
    assert wait_phrase(30) == MARK + "about 30 seconds"
    assert wait_sentence(30) == MARK + "Wait " + MARK + "about 30 seconds and try again."
    assert Deadline(600).countdown_text() == MARK + "10:00 left"
    # A placeholder survives translation and is filled after it.
    assert (
        QCoreApplication.translate("FilterChecklist", "{count} selected").format(count=2)
        == MARK + "2 selected"
    )


def test_english_and_unknown_languages_load_nothing(qapp: QApplication, tmp_path: Path) -> None:
    before = len(qapp.findChildren(QTranslator))
    assert install_translator(qapp, "en") is None  # the source language
    assert install_translator(qapp, "zz", directory=tmp_path) is None  # none shipped
    assert install_translator(qapp, "system", directory=tmp_path) is None  # never fails
    assert len(qapp.findChildren(QTranslator)) == before


# ------------------------------------------------------------------- bare literals

# Calls whose text argument a person reads.
TEXT_CALLS = frozenset({
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setPlaceholderText",
    "setAccessibleName", "setAccessibleDescription", "setTitle", "addMenu", "setWhatsThis",
    "QAction", "QPushButton", "QLabel", "QCheckBox", "QGroupBox", "QRadioButton", "QToolButton",
    "show_notice", "show_note", "show_message", "set_connection_status", "addRow", "addItem",
})  # fmt: skip
# Texts that are the same in every language: empty, punctuation, symbols.
ALLOWED = frozenset({"", "…", "·", "—", "✓", "⚠", ":"})


def _is_language(node: ast.expr) -> bool:
    """A literal (or an f-string) with letters in it: a sentence that escaped tr()."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip() not in ALLOWED and any(ch.isalpha() for ch in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_language(part) for part in node.values)
    return False


def bare_texts(path: Path) -> list[str]:
    """``file.py:line: call(...)`` for every text call given a bare literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in TEXT_CALLS and node.args and _is_language(node.args[0]):
            found.append(f"{path.name}:{node.lineno}: {name}(...)")
    return found


def test_no_window_text_is_a_bare_literal() -> None:
    """Wrap it: ``self.tr("…")`` in a QObject, ``QCoreApplication.translate(...)`` elsewhere."""
    found = [hit for path in sorted((PACKAGE / "qt").rglob("*.py")) for hit in bare_texts(path)]
    assert not found, "\n".join(found)


def test_the_check_catches_a_bare_literal(tmp_path: Path) -> None:
    sample = ROOT / "vital_desktop" / "qt" / "__init__.py"
    probe = tmp_path / "probe.py"
    probe.write_text(
        'button.setText("Save")\nbutton.setText(self.tr("Save"))\nlabel.setText("…")\n'
        'QLabel(f"{n} left")\n'
    )
    assert [hit.split(":")[1] for hit in bare_texts(probe)] == ["1", "4"]
    assert bare_texts(sample) == []
