"""Cost of a big provider catalogue: set_catalogue plus one search, 100 versus 5,000 providers.

The floor is the same work with 100 providers in the same run. With 50 times the providers a
linear fill costs about 50 times as much; a per-item-widget or quadratic fill costs hundreds
or thousands of times as much. Prints, per widget, the best of a few runs at each size, the
ratio, and the ratio per provider (the ratio divided by 50). Target: per-provider ratio under
3 (roughly linear). Exit status 1 when a widget misses it.

    .venv/bin/python benchmarks/bench_catalogue.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from vital_desktop.core.providers import Provider, ProviderCatalogue, WebSupport
from vital_desktop.qt.widgets.filter_checklist import FilterChecklist
from vital_desktop.qt.widgets.provider_picker import ProviderPicker

SMALL, LARGE = 100, 5000
TARGET_PER_PROVIDER = 3.0


def catalogue(count: int) -> ProviderCatalogue:
    """``count`` synthetic linkable providers; every tenth is phone-only."""
    return ProviderCatalogue(
        Provider(
            f"provider_{n:05d}",
            f"Provider {n:05d}",
            "sdk" if n % 10 == 9 else "oauth",
            WebSupport.NO if n % 10 == 9 else WebSupport.YES,
        )
        for n in range(count)
    )


def best_of(repeat: int, run: Callable[[], None]) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def checklist_run(app: QApplication, checklist: FilterChecklist, size: int) -> Callable[[], None]:
    providers = catalogue(size)
    last = f"{size - 2:05d}"  # the last one is phone-only: never suggested

    def run() -> None:
        checklist.search.clear()
        checklist.set_checked(set())
        checklist.set_catalogue(providers)
        checklist.search.setText(last)
        app.processEvents()
        assert checklist.visible_slugs() == [f"provider_{last}"]

    return run


def picker_run(app: QApplication, picker: ProviderPicker, size: int) -> Callable[[], None]:
    providers = catalogue(size)
    last = f"{size - 2:05d}"  # the last one is phone-only: never suggested

    def run() -> None:
        picker.set_catalogue(providers)
        completer = picker.completer()
        completer.setCompletionPrefix(last)
        app.processEvents()
        assert completer.completionCount() == 1

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the best counts")
    args = parser.parse_args()

    app = QApplication([])
    window = QWidget()
    layout = QVBoxLayout(window)
    picker = ProviderPicker()
    checklist = FilterChecklist()
    layout.addWidget(picker)
    layout.addWidget(checklist)
    window.show()
    app.processEvents()

    ok = True
    growth = LARGE / SMALL
    for name, make in (("ProviderPicker", picker_run), ("FilterChecklist", checklist_run)):
        widget = picker if name == "ProviderPicker" else checklist
        small = best_of(args.repeat, make(app, widget, SMALL))  # type: ignore[arg-type]
        large = best_of(args.repeat, make(app, widget, LARGE))  # type: ignore[arg-type]
        ratio = large / max(small, 1e-6)
        per_provider = ratio / growth
        verdict = "PASS" if per_provider < TARGET_PER_PROVIDER else "FAIL"
        ok = ok and per_provider < TARGET_PER_PROVIDER
        print(
            f"{name:<16} {SMALL:>5}: {small * 1000:8.2f} ms  {LARGE:>5}: {large * 1000:8.2f} ms  "
            f"ratio {ratio:7.1f} (x{growth:.0f} providers)  per provider {per_provider:5.2f}  "
            f"{verdict}"
        )
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
