"""Worst event-loop stall of the link window while a slow request is in flight.

A 10 ms heartbeat timer runs twice for the same time: first with nothing in flight (the
floor: what the platform's timers and this machine's load give anyway), then while the
stand-in holds a POST /v2/link/token for 30 s. Prints both worst gaps and their ratio.
Target: the stall during the request stays under 50 ms. Exit status 1 when it does not.

    /tmp/devvenv/bin/python benchmarks/bench_event_loop.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from vital_desktop.core.client import ClientSettings
from vital_desktop.qt.main_window import LinkWindow
from vital_desktop.qt.options import AppOptions
from vital_desktop.sandbox import SandboxServer

TARGET_MS = 50.0
HEARTBEAT_MS = 10


def heartbeat_gaps(app: QApplication, seconds: float) -> list[float]:
    """Gaps in ms between 10 ms heartbeats over ``seconds`` of a running event loop."""
    clock = QElapsedTimer()
    clock.start()
    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(lambda: beats.append(clock.nsecsElapsed() / 1e6))
    timer.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    timer.stop()
    return [b - a for a, b in itertools.pairwise(beats)]


def describe(name: str, gaps: list[float]) -> str:
    return (
        f"{name:<22} beats={len(gaps) + 1:5d}  worst={max(gaps):7.2f} ms  "
        f"median={statistics.median(gaps):6.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each phase")
    args = parser.parse_args()

    server = SandboxServer(host="127.0.0.1", port=0)
    server.start()
    app = QApplication([])
    settings = ClientSettings(read_timeout=120, max_retries=0)
    environ = {"VITAL_API_KEY": server.demo_key, "VITAL_BASE_URL": server.base_url}
    window = LinkWindow(AppOptions(environ=environ, client_settings=settings))
    window.resize(1120, 780)
    window.show()
    user_id = server.state.create_user("bench-patient")["user_id"]
    window.user_id.edit.setText(user_id)
    heartbeat_gaps(app, 0.5)  # warm-up: catalogue fetch, first paints

    floor = heartbeat_gaps(app, args.seconds)
    server.faults.add("POST /v2/link/token=slow=30")
    window.controller.generate()
    if not window.controller.busy:
        print("the request did not start", file=sys.stderr)
        return 2
    loaded = heartbeat_gaps(app, args.seconds)
    in_flight = window.controller.busy
    window.controller.cancel()
    window.shutdown()
    server.stop()
    window.controller.service.wait_for_done(10_000)

    worst_floor, worst_loaded = max(floor), max(loaded)
    print(describe("floor (idle)", floor))
    print(describe("slow request in flight", loaded))
    print(f"still in flight at the end: {in_flight}")
    print(f"worst stall ratio (in flight / floor): {worst_loaded / max(worst_floor, 0.001):.2f}")
    verdict = "PASS" if worst_loaded < TARGET_MS else "FAIL"
    print(f"{verdict}: worst stall {worst_loaded:.2f} ms (target < {TARGET_MS:.0f} ms)")
    return 0 if worst_loaded < TARGET_MS and in_flight else 1


if __name__ == "__main__":
    raise SystemExit(main())
