"""The child processes ``benchmarks/run.py`` measures: one probe per process, one line out.

    python benchmarks/probes.py PROBE [ARGS...]

Every probe prints ``RESULT <json>`` on stdout when done (the start-up probes print
``READY`` the moment the window has painted and the event loop is idle: the parent times
from ``Popen`` to that line, so interpreter start-up and every import are included).
Nothing here is imported before a probe needs it: what a probe costs is what it measures.
The app probes run ``vital-desktop``'s own ``main()``; settings, history, log and the
single-instance lock go to the temporary folders ``run.py`` points ``HOME`` and ``XDG_*`` at.
"""

from __future__ import annotations

import itertools
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


_KEEP: list[object] = []


def _emit(result: object) -> None:
    import json

    print("RESULT " + json.dumps(result), flush=True)


def _ready_after_first_paint(app: object, then: object = None) -> None:
    """Print READY once a window has painted and the event loop has come round (idle)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if not self.done and event.type() == QEvent.Type.Paint:
                self.done = True
                QTimer.singleShot(0, self.idle)
            return False

        def idle(self) -> None:
            print("READY", flush=True)
            if then is None:
                app.quit()  # type: ignore[attr-defined]
            else:
                then()  # type: ignore[operator]

    probe = FirstPaint()
    app.installEventFilter(probe)  # type: ignore[attr-defined]
    app._first_paint_probe = probe  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- start-up


def start_floor() -> None:
    """A bare QMainWindow with a QLabel: shown, painted, idle."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Vital link"))
    window.resize(1120, 780)
    window.show()
    _ready_after_first_paint(app)
    app.exec()


def start_app(*args: str) -> None:
    """``vital-desktop [args]`` up to its first paint and idle event loop, then quit."""
    from PySide6.QtWidgets import QApplication

    from vital_desktop.qt import app as app_module

    real_exec = QApplication.exec

    def exec_with_probe(*_: object) -> int:
        app = QApplication.instance()
        _ready_after_first_paint(app)
        return real_exec()

    QApplication.exec = exec_with_probe  # type: ignore[method-assign,assignment]
    raise SystemExit(app_module.main(list(args)))


# --------------------------------------------------------------- Generate to QR painted


class _Clock:
    """perf_counter at the click and at the paint that shows the new code."""

    def __init__(self) -> None:
        import time

        self.now = time.perf_counter
        self.clicked = 0.0
        self.painted = 0.0


def _heartbeat() -> tuple[object, list[float]]:
    """A 1 ms timer recording when it ran: its gaps are the event loop's stalls."""
    import time

    from PySide6.QtCore import Qt, QTimer

    beats: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    _KEEP.append(timer)  # alive as long as the probe
    return timer, beats


def _worst_gap_ms(beats: list[float], start: float, end: float) -> float:
    points = [start, *(b for b in beats if start <= b <= end), end]
    return max(b - a for a, b in itertools.pairwise(points)) * 1000


def _wait(app: object, until: object, timeout: float = 30.0) -> None:
    import time

    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + timeout
    while not until() and time.perf_counter() < deadline:  # type: ignore[operator]
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)  # type: ignore[attr-defined]
        time.sleep(0.0005)
    if not until():  # type: ignore[operator]
        raise TimeoutError("the probe waited too long")


def _pause(app: object, seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    import time

    end = time.perf_counter() + seconds
    _wait(app, lambda: time.perf_counter() >= end, seconds + 5)


def _app_window(base_url: str, key: str) -> tuple[object, object]:
    """The app's own window, set up as ``main()`` does, with a key against ``base_url``."""
    from vital_desktop.qt.pyside_startup import defer_feature_scan

    defer_feature_scan()
    from PySide6.QtCore import QSize

    from vital_desktop.qt import collector

    collector.pause()
    from PySide6.QtWidgets import QApplication

    from vital_desktop.core.history import HistoryStore, history_path
    from vital_desktop.qt.main_window import LinkWindow
    from vital_desktop.qt.options import options_from_preferences
    from vital_desktop.qt.settings_store import QSettingsStore, open_preferences

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("vital-desktop")
    store = QSettingsStore()
    preferences = open_preferences(store)
    environ = {**os.environ, "VITAL_API_KEY": key, "VITAL_BASE_URL": base_url}
    options = options_from_preferences(preferences, environ=environ)
    from dataclasses import replace

    history = HistoryStore(history_path(os.environ))
    window = LinkWindow(replace(options, history=history))
    window.install_menus(store)
    window.restore_geometry(store, QSize(1120, 780))
    window.show()
    collector.settle(window)
    return app, window


def _create_user(base_url: str, key: str) -> str:
    import time

    import httpx

    reply = httpx.post(
        f"{base_url}/v2/user",
        json={"client_user_id": f"bench-{os.getpid()}-{time.time_ns()}"},
        headers={"x-vital-api-key": key},
    )
    reply.raise_for_status()
    return str(reply.json()["user_id"])


def _app_clicker(base_url: str, key: str) -> tuple[object, object, object]:
    """The window, ready (catalogue loaded), and ``click()`` -> (ms, worst stall ms)."""
    from vital_desktop.qt.widgets.qr_widget import QRCodeWidget

    clock = _Clock()
    real_paint = QRCodeWidget.paintEvent

    def paint(self: QRCodeWidget, event: object) -> None:
        real_paint(self, event)  # type: ignore[arg-type]
        if self._matrix and not clock.painted:
            clock.painted = clock.now()

    QRCodeWidget.paintEvent = paint  # type: ignore[method-assign]
    app, window = _app_window(base_url, key)
    user_id = _create_user(base_url, key)
    window.user_id.edit.setText(user_id)  # type: ignore[attr-defined]
    controller = window.controller  # type: ignore[attr-defined]
    _wait(app, lambda: controller.catalogue.current is not None and not controller.busy)
    _wait(app, lambda: window.generate_button.isEnabled())  # type: ignore[attr-defined]
    timer, beats = _heartbeat()
    timer.start()  # type: ignore[attr-defined]
    button = window.generate_button  # type: ignore[attr-defined]

    def click() -> tuple[float, float]:
        _wait(app, lambda: not controller.busy and button.isEnabled())
        _pause(app, 0.05)  # let the last answer's work settle
        clock.painted = 0.0
        clock.clicked = clock.now()
        button.click()
        _wait(app, lambda: clock.painted > 0)
        end = clock.now()
        return (clock.painted - clock.clicked) * 1000, _worst_gap_ms(beats, clock.clicked, end)

    return app, window, click


def _floor_clicker(base_url: str, key: str) -> tuple[object, object, object]:
    """The floor: a button whose click does a raw httpx POST, encodes the QR with segno and
    paints its matrix module by module on a bare widget."""
    import httpx
    import segno
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0]])
    clock = _Clock()
    client = httpx.Client(base_url=base_url, headers={"x-vital-api-key": key})
    user_id = _create_user(base_url, key)

    class Code(QWidget):
        matrix: list[list[bool]] = []  # noqa: RUF012

        def paintEvent(self, event: object) -> None:
            painter = QPainter(self)
            painter.fillRect(self.rect(), Qt.GlobalColor.white)
            if not self.matrix:
                return
            px = min(self.width(), self.height()) // (len(self.matrix) + 8)
            for r, row in enumerate(self.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        painter.fillRect((c + 4) * px, (r + 4) * px, px, px, Qt.GlobalColor.black)
            painter.end()
            if not clock.painted:
                clock.painted = clock.now()

    window = QWidget()
    layout = QVBoxLayout(window)
    button = QPushButton("Generate")
    code = Code()
    layout.addWidget(button)
    layout.addWidget(code, 1)

    def generate() -> None:
        reply = client.post("/v2/link/token", json={"user_id": user_id, "provider": "oura"})
        url = reply.json()["link_web_url"]
        code.matrix = [[bool(c) for c in row] for row in segno.make_qr(url, error="m").matrix]
        code.update()

    button.clicked.connect(generate)
    window.resize(1120, 780)
    window.show()
    _wait(app, lambda: code.isVisible())
    timer, beats = _heartbeat()
    timer.start()  # type: ignore[attr-defined]

    def click() -> tuple[float, float]:
        _pause(app, 0.05)
        clock.painted = 0.0
        clock.clicked = clock.now()
        button.click()
        _wait(app, lambda: clock.painted > 0)
        end = clock.now()
        return (clock.painted - clock.clicked) * 1000, _worst_gap_ms(beats, clock.clicked, end)

    return app, window, click


def click_to_qr(base_url: str, key: str, rounds: str) -> None:
    """App and floor in one process, clicks alternating: times and worst stalls (ms), plus
    the idle heartbeat's worst gap over the same length of time."""
    import time

    kept = [_app_clicker(base_url, key), _floor_clicker(base_url, key)]  # keep the windows
    app_click, floor_click = kept[0][2], kept[1][2]
    qt_app = kept[1][0]
    app_click()  # warm-up: first client, first connection, first encode
    floor_click()
    result: dict[str, list[float]] = {"app": [], "floor": [], "app_stall": [], "floor_stall": []}
    for _ in range(int(rounds)):
        for name, click in (("app", app_click), ("floor", floor_click)):
            took, stall = click()
            result[name].append(took)
            result[name + "_stall"].append(stall)
    # The idle heartbeat: the same loop with nothing to do, as long as the clicks took.
    timer, beats = _heartbeat()
    timer.start()  # type: ignore[attr-defined]
    idle: list[float] = []
    for _ in range(int(rounds)):
        start = time.perf_counter()
        _pause(qt_app, max(0.05, max(result["app"]) / 1000))
        idle.append(_worst_gap_ms(beats, start, time.perf_counter()))
    result["idle_stall"] = idle
    _emit(result)


# ------------------------------------------------------------------ peak memory


def _peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def rss_app(base_url: str, key: str) -> None:
    """Peak RSS of the app after one link's QR is painted (key against a stand-in)."""
    # As main() does first: without it shiboken keeps the source of every module imported
    # after PySide6 in linecache (about 9 MB), which the app itself never does.
    from vital_desktop.qt.pyside_startup import defer_feature_scan

    defer_feature_scan()
    app, _, click = _app_clicker(base_url, key)
    click()
    _pause(app, 0.2)
    _emit({"peak_rss_mb": _peak_rss_mb()})


def rss_floor(base_url: str, key: str) -> None:
    """Peak RSS of the bare window + one raw httpx POST + one raw QR matrix painted."""
    app, _, click = _floor_clicker(base_url, key)
    click()
    _pause(app, 0.2)
    assert "PIL" not in sys.modules, "the floor must not load Pillow"
    _emit({"peak_rss_mb": _peak_rss_mb()})


# ------------------------------------------------------------------------- soak


def _census(app: object) -> dict[str, float]:
    import gc
    import threading

    from PySide6.QtWidgets import QApplication

    gc.collect()
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1
    rss = -1.0
    try:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        pass
    return {
        "rss_mb": rss,
        "threads": threading.active_count(),
        "widgets": len(QApplication.allWidgets()),
        "open_files": fds,
        "objects": len(gc.get_objects()),
    }


def soak(base_url: str, key: str, links: str) -> None:
    """``links`` links in one session: the census and click-to-QR at the start and end."""
    import statistics

    app, _, click = _app_clicker(base_url, key)
    times = [click()[0] for _ in range(10)]
    before = _census(app)
    first = statistics.median(times)
    for _ in range(int(links) - 20):
        click()
    times = [click()[0] for _ in range(10)]
    after = _census(app)
    _emit({"before": before, "after": after, "click_ms": [first, statistics.median(times)]})


# ---------------------------------------------------------------------- polling


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def polling(base_url: str, key: str, seconds: str) -> None:
    """CPU seconds per minute of the app: idle window, then a link being watched."""
    import time

    _, window, click = _app_clicker(base_url, key)
    controller = window.controller  # type: ignore[attr-defined]
    span = float(seconds)

    from PySide6.QtCore import QEventLoop, QTimer

    def measure() -> float:
        for timer in _KEEP:  # the probe's own heartbeat is not the app's cost
            timer.stop()  # type: ignore[attr-defined]
        loop = QEventLoop()
        cpu, wall = _cpu_seconds(), time.perf_counter()
        QTimer.singleShot(int(span * 1000), loop.quit)
        loop.exec()  # a real event loop, asleep between events
        return (_cpu_seconds() - cpu) / (time.perf_counter() - wall) * 60

    idle = measure()
    click()
    window.result.copy_button.click()  # type: ignore[attr-defined]  # a hand-off: polling starts
    polls: list[int] = []
    controller.watcher.polled.connect(lambda _: polls.append(1))
    watched = measure()
    _emit({"idle": idle, "watching": watched, "polls": len(polls)})


PROBES = {
    "start-floor": start_floor,
    "start-app": start_app,
    "click": click_to_qr,
    "rss-app": rss_app,
    "rss-floor": rss_floor,
    "soak": soak,
    "polling": polling,
}

if __name__ == "__main__":
    PROBES[sys.argv[1]](*sys.argv[2:])  # type: ignore[operator]
