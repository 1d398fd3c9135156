"""Spare start-up a PySide6 tax: shiboken reading the source of every module imported.

PySide6 replaces ``builtins.__import__``. After every import, its ``__feature__`` support
(``shibokensupport.feature.feature_imported``) classifies the imported module for the
``from __feature__ import snake_case, true_property`` switches: ``_mod_uses_pyside`` reads
the module's whole source with ``inspect.getsource`` and looks for the word "PySide6"
(0: switch Qt names for this module, -1: ignore it). That is 100-150 µs a module, 15 to
20 ms over the 150 modules the window imports before its first paint. The answers are
read only once a feature is switched on, and this app never switches one on.

``defer_feature_scan()`` makes the classification lazy without changing it: until the
first ``from __feature__ import ...`` (or ``set_selection``) the scan only notes the module
(a provisional "ignore"); the moment feature switching starts, every noted module is
classified with shiboken's own scan, exactly as it would have been at import, and from then
on shiboken's scan runs at every import again. A program that uses features sees the same
table it would have seen; one that does not never pays for it.

It changes nothing when shiboken's internals are not what this expects (another PySide6
version, PyPy, an embedded interpreter): ``defer_feature_scan`` then returns False.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import ModuleType

_FEATURE_MODULE = "shibokensupport.feature"
_installed = False
_lock = threading.Lock()


def _feature_module() -> ModuleType | None:
    import PySide6.QtCore  # noqa: F401  (shiboken's support modules exist from here on)

    module = sys.modules.get(_FEATURE_MODULE)
    return module if isinstance(module, ModuleType) else None


def defer_feature_scan() -> bool:
    """Postpone shiboken's per-import source scan until a feature is first switched on.

    Returns True when the deferral is in place (now or from an earlier call), False when
    shiboken's internals are missing or a feature is already in use (nothing changed).
    """
    global _installed
    with _lock:
        if _installed:
            return True
        feature = _feature_module()
        if feature is None:
            return False
        scan = getattr(feature, "_mod_uses_pyside", None)
        start = getattr(feature, "__init__", None)
        table = getattr(feature, "pyside_feature_dict", None)
        if (
            not callable(scan)
            or not callable(start)
            or not isinstance(table, dict)
            or getattr(feature, "_is_initialized", None) is not False
        ):
            return False
        _install(feature, scan, start, table)
        _installed = True
        return True


def _install(
    feature: ModuleType,
    scan: Callable[[ModuleType], bool],
    start: Callable[[], None],
    table: dict[str, int],
) -> None:
    noted: dict[str, ModuleType] = {}

    def note_for_later(module: ModuleType) -> bool:
        if getattr(feature, "_is_initialized", False):
            return scan(module)
        noted[module.__name__] = module
        return False  # provisional: "ignore this module", corrected before it is read

    def classify_noted_then_start() -> None:
        if not getattr(feature, "_is_initialized", False):
            setattr(feature, "_mod_uses_pyside", scan)  # noqa: B010
            for name, module in list(noted.items()):
                if table.get(name) == -1:  # still the provisional answer
                    table[name] = 0 if scan(module) else -1
            noted.clear()
        start()

    setattr(feature, "_mod_uses_pyside", note_for_later)  # noqa: B010
    setattr(feature, "__init__", classify_noted_then_start)  # noqa: B010
