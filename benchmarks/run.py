"""Every speed target of vital-desktop, each as a ratio against a floor taken in the same run.

    .venv/bin/python benchmarks/run.py [--quick] [--json out.json] [--samples N]

Each measure runs in fresh subprocesses (``benchmarks/probes.py``), app and floor
alternating so that the shared machine's load hits both alike; the median of each is
compared. Prints a markdown table (measure, app, floor, ratio, target, met?) and writes the
same rows as JSON. Exit status 0 whatever the timings (the machines are noisy: read the
table), 1 when a probe failed to run. ``--quick`` takes tiny sample counts: it checks that
every probe works, not how fast.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROBES = HERE / "probes.py"
PYTHON = sys.executable
KEY = "sk_us_benchmarkbenchmarkbenchmark0000"
TIMEOUT = 180.0


@dataclass
class Row:
    measure: str
    app: float | None
    floor: float | None
    unit: str
    target: str  # "" for report-only rows
    limit: float | None = None  # the ratio (or absolute value) the app must stay under
    absolute: bool = False  # the target is on the app's own value, not the ratio
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.app is None or not self.floor:
            return None
        return self.app / self.floor

    @property
    def met(self) -> str:
        if self.limit is None:
            return "report"
        value = self.app if self.absolute else self.ratio
        if value is None:
            return "n/a"
        return "yes" if value <= self.limit else "NO"


class ProbeFailed(RuntimeError):
    pass


# ----------------------------------------------------------------------- plumbing


class Sandbox:
    """``vital-link sandbox --port 0`` in its own process: the stand-in the app talks to."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "-m", "vital_desktop.cli.main", "sandbox", "--port", "0"],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        found = re.search(r"(http://\S+)", line)
        if not found:
            self.process.kill()
            raise ProbeFailed(f"the sandbox did not start: {line!r}")
        self.base_url = found.group(1)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Lab:
    """Temporary HOME/XDG folders (settings, history, log, lock) and the stand-in."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vital-bench-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("VITAL_")}
        for name in ("config", "data", "cache", "runtime"):
            (self.folder / name).mkdir(mode=0o700)
        env.update(
            HOME=str(self.folder),
            XDG_CONFIG_HOME=str(self.folder / "config"),
            XDG_DATA_HOME=str(self.folder / "data"),
            XDG_CACHE_HOME=str(self.folder / "cache"),
            XDG_RUNTIME_DIR=str(self.folder / "runtime"),
            QT_QPA_PLATFORM="offscreen",
            PYTHONPATH=str(ROOT),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no desktop keychain here: as a bare PC
        self.environ = env
        # An installed app starts from bytecode (`pip install` compiles every module), and
        # the floors' PySide6, httpx and vendor SDK do too; the checkout is compiled the same
        # way once, here, so no probe pays for compiling source an installed app never
        # compiles (PYTHONDONTWRITEBYTECODE keeps the probes from writing any themselves).
        subprocess.run(
            [PYTHON, "-m", "compileall", "-q", str(ROOT / "vital_desktop")],
            check=True,
            env={**env, "PYTHONDONTWRITEBYTECODE": ""},
            stdout=subprocess.DEVNULL,
        )
        self.sandbox = Sandbox(env)

    def keyed(self) -> dict[str, str]:
        return {**self.environ, "VITAL_API_KEY": KEY, "VITAL_BASE_URL": self.sandbox.base_url}

    def close(self) -> None:
        self.sandbox.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, argv: Sequence[str], environ: dict[str, str] | None = None) -> float:
        """Wall seconds of a whole command (exit 0 required)."""
        started = time.perf_counter()
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=environ or self.environ,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise ProbeFailed(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-800:]}")
        return took

    def until_ready(self, probe: Sequence[str], environ: dict[str, str] | None = None) -> float:
        """Seconds from Popen to the probe's READY line (the first paint, loop idle)."""
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, str(PROBES), *probe],
            cwd=ROOT,
            env=environ or self.environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        took = None
        for line in process.stdout:
            if line.strip() == "READY":
                took = time.perf_counter() - started
                break
        try:
            _, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        if took is None:
            raise ProbeFailed(f"{probe[0]} never painted: {err[-800:]}")
        return took

    def result(self, probe: Sequence[str], environ: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
        """The probe's RESULT json."""
        done = subprocess.run(
            [PYTHON, str(PROBES), *probe],
            cwd=ROOT,
            env=environ or self.environ,
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 3,
            check=False,
        )
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]
        raise ProbeFailed(f"{probe[0]} exited {done.returncode}: {done.stderr[-1500:]}")


def alternate(samples: int, app: Callable[[], float], floor: Callable[[], float]) -> tuple:  # type: ignore[type-arg]
    """Medians of ``samples`` runs of each, alternating (after one warm-up of each)."""
    app(), floor()  # warm the file cache for both
    mine: list[float] = []
    base: list[float] = []
    for _ in range(samples):
        mine.append(app())
        base.append(floor())
    return statistics.median(mine), statistics.median(base)


# ----------------------------------------------------------------------- measures


def startup(lab: Lab, samples: int) -> list[Row]:
    floor_run = lambda: lab.until_ready(["start-floor"])  # noqa: E731
    demo, floor = alternate(samples, lambda: lab.until_ready(["start-app", "--demo"]), floor_run)
    keyed, floor2 = alternate(
        samples, lambda: lab.until_ready(["start-app"], lab.keyed()), floor_run
    )
    return [
        Row("start to first idle, `--demo`", demo * 1000, floor * 1000, "ms",
            "ratio <= 1.3", 1.3, note="floor: bare QMainWindow + QLabel"),
        Row("start-up with a key (stand-in in its own process)", keyed * 1000,
            floor2 * 1000, "ms", "", note="floor: bare QMainWindow + QLabel"),
    ]  # fmt: skip


def click(lab: Lab, rounds: int) -> list[Row]:
    found = lab.result(["click", lab.sandbox.base_url, KEY, str(rounds)])
    med = statistics.median
    return [
        Row("Generate click to QR painted", med(found["app"]), med(found["floor"]), "ms",
            "ratio <= 1.1", 1.1, note="floor: raw httpx POST + segno encode + paint"),
        Row("longest event-loop stall while the QR is made", max(found["app_stall"]),
            max(found["idle_stall"]), "ms", "< 16 ms", 16.0, absolute=True,
            note="floor: idle heartbeat (1 ms timer); app: worst over every click"),
    ]  # fmt: skip


def memory(lab: Lab, samples: int) -> list[Row]:
    url = lab.sandbox.base_url
    app, floor = alternate(
        samples,
        lambda: lab.result(["rss-app", url, KEY])["peak_rss_mb"],
        lambda: lab.result(["rss-floor", url, KEY])["peak_rss_mb"],
    )
    return [
        Row("peak RSS after one link (key, stand-in)", app, floor, "MB", "ratio <= 1.15", 1.15,
            note="floor: bare window + one raw httpx POST + raw QR painted, no Pillow"),
    ]  # fmt: skip


# What pip's `vital-link` console script runs (no runpy, as `-m` would add).
ENTRY_POINT = (
    "import re, sys\n"
    "from vital_desktop.cli.main import main\n"
    "sys.argv[0] = 'vital-link'\n"
    "sys.exit(main())"
)


def cli(lab: Lab, samples: int) -> list[Row]:
    help_app, help_floor = alternate(
        samples,
        lambda: lab.run([PYTHON, "-c", ENTRY_POINT, "--help"]),
        lambda: lab.run([PYTHON, "-c", "pass"]),
    )
    user_id = _make_user(lab)
    sdk = (
        "from vital import Vital\n"
        f"c = Vital(api_key={KEY!r}, base_url={lab.sandbox.base_url!r})\n"
        f"r = c.link.token(user_id={user_id!r}, provider='oura')\n"
        "print(r.link_web_url)\n"
    )
    token_app, token_floor = alternate(
        samples,
        lambda: lab.run(
            [
                PYTHON,
                "-c",
                ENTRY_POINT,
                "token",
                "--user-id",
                user_id,
                "--provider",
                "oura",
            ],
            lab.keyed(),
        ),
        lambda: lab.run([PYTHON, "-c", sdk]),
    )
    return [
        Row("`vital-link --help`", help_app * 1000, help_floor * 1000, "ms", "ratio <= 3", 3.0,
            note="floor: `python -c pass`"),
        Row("`vital-link token`", token_app * 1000, token_floor * 1000, "ms", "ratio <= 0.5",
            0.5, note="floor: the same call through the vendor SDK (`vital`)"),
    ]  # fmt: skip


def _make_user(lab: Lab) -> str:
    import urllib.request

    request = urllib.request.Request(
        f"{lab.sandbox.base_url}/v2/user",
        data=json.dumps({"client_user_id": f"bench-cli-{time.time_ns()}"}).encode(),
        headers={"x-vital-api-key": KEY, "content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return str(json.load(reply)["user_id"])


def soak(lab: Lab, links: int) -> list[Row]:
    found = lab.result(["soak", lab.sandbox.base_url, KEY, str(links)])
    before, after = found["before"], found["after"]
    rows = [
        Row(f"after {links} links: {name.replace('_', ' ')}", after[name], before[name], unit,
            "flat (report)", note="floor: the same session after its first 10 links")
        for name, unit in (("rss_mb", "MB"), ("threads", ""), ("widgets", ""),
                           ("open_files", ""), ("objects", ""))
    ]  # fmt: skip
    first, last = found["click_ms"]
    rows.append(
        Row(
            f"after {links} links: click to QR",
            last,
            first,
            "ms",
            "flat (report)",
            note="median of 10 clicks at the end vs 10 at the start",
        )
    )
    return rows


def history_view(lab: Lab, rows: int) -> list[Row]:
    done = subprocess.run(
        [PYTHON, str(HERE / "bench_history_view.py"), "--rows", str(rows), "--pages", "5"],
        cwd=ROOT, env=lab.environ, capture_output=True, text=True, timeout=TIMEOUT * 3,
        check=False,
    )  # fmt: skip
    floor = re.search(r"idle worst heartbeat gap\s+([\d.]+)", done.stdout)
    stalls = [float(s) for s in re.findall(r"worst stall\s+([\d.]+) ms \(", done.stdout)]
    first = re.search(r"first page\s+time\s+([\d.]+)", done.stdout)
    if not (floor and stalls and first):
        raise ProbeFailed(f"bench_history_view.py: {done.stdout[-800:]} {done.stderr[-800:]}")
    return [
        Row(f"history view, {rows:,} rows: worst stall", max(stalls), float(floor.group(1)),
            "ms", "< 50 ms", 50.0, absolute=True, note="floor: idle heartbeat (10 ms timer)"),
        Row(f"history view, {rows:,} rows: first page", float(first.group(1)), None, "ms", "",
            note="bench_history_view.py has the breakdown"),
    ]  # fmt: skip


def polling(lab: Lab, seconds: float) -> list[Row]:
    found = lab.result(["polling", lab.sandbox.base_url, KEY, str(seconds)])
    return [
        Row("polling at idle: CPU s per minute", found["watching"], found["idle"], "s/min", "",
            note=f"floor: the same window idle; {found['polls']} polls in {seconds:g} s"),
    ]  # fmt: skip


# -------------------------------------------------------------------------- output


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| measure | app | floor | unit | ratio | target | met? |",
        "|---|---:|---:|---|---:|---|---|",
    ]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(
            f"| {r.measure} | {fmt(r.app)} | {fmt(r.floor)} | {r.unit} | {ratio} | "
            f"{r.target or 'report'} | {r.met} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny samples: does it all run?")
    parser.add_argument("--json", metavar="FILE", help="write the rows here as JSON")
    parser.add_argument("--samples", type=int, help="runs of each side (default 9, quick 1)")
    parser.add_argument("--only", help="comma-separated: startup,click,memory,cli,soak,"
                        "history,polling")  # fmt: skip
    args = parser.parse_args(argv)
    quick = args.quick
    samples = args.samples or (1 if quick else 9)
    measures: dict[str, Callable[[Lab], list[Row]]] = {
        "startup": lambda lab: startup(lab, samples),
        "click": lambda lab: click(lab, 2 if quick else 15),
        "memory": lambda lab: memory(lab, 1 if quick else max(3, samples // 2)),
        "cli": lambda lab: cli(lab, samples),
        "soak": lambda lab: soak(lab, 25 if quick else 200),
        "history": lambda lab: history_view(lab, 2_000 if quick else 100_000),
        "polling": lambda lab: polling(lab, 2.0 if quick else 20.0),
    }
    chosen = args.only.split(",") if args.only else list(measures)
    rows: list[Row] = []
    failed = False
    lab = Lab()
    try:
        for name in chosen:
            print(f"measuring {name}...", file=sys.stderr, flush=True)
            try:
                rows.extend(measures[name](lab))
            except (ProbeFailed, subprocess.TimeoutExpired, KeyError) as problem:
                failed = True
                print(f"{name} failed: {problem}", file=sys.stderr)
    finally:
        lab.close()
    print(table(rows))
    if args.json:
        data = [{**asdict(r), "ratio": r.ratio, "met": r.met} for r in rows]
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
