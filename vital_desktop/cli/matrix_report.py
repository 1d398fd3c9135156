"""The rows of ``vital-link matrix`` and the files they are written to (CSV and HTML).

Standard library only, no network: the command fills ``MatrixRow`` values and a
``MatrixReport``, these functions turn them into a terminal table, a CSV file and a
self-contained HTML page. Nothing here ever sees the API key or a whole link: a row's
sentence names a link or a code by its fingerprint (``fingerprint``) only.

Every text that may have come from a server goes through ``safe_text`` (control, format and
bidi characters become visible escapes) before any writer sees it; the HTML writer then
escapes every cell with ``html.escape``; the CSV writer quotes with the ``csv`` module and
defuses cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vital_desktop.cli.output import safe_text
from vital_desktop.core.errors import ErrorCategory

ROUTE_WEB = "web-link"
ROUTE_CODE = "app-code"
ROUTE_DEMO = "demo-connect"

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"

CSV_COLUMNS = (
    "provider",
    "name",
    "route",
    "outcome",
    "seconds",
    "sentence",
    "user_id",
    "client_user_id",
)
TABLE_COLUMNS = ("provider", "route", "outcome", "seconds", "sentence")
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fingerprint(secret: str) -> str:
    """The first 8 hex digits of the SHA-256 of ``secret``: names a link without giving it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class MatrixRow:
    """One provider through one route, and how it went.

    ``category`` (failed rows only) says who has to act, for the exit code, and ``detail``
    is the failure's technical detail for ``--verbose``; neither goes into a report.
    """

    provider: str
    name: str
    route: str
    outcome: str
    sentence: str
    seconds: float
    category: ErrorCategory | None = None
    detail: str = ""  # technical detail of a failure, for --verbose only


@dataclass(frozen=True)
class MatrixReport:
    """A whole run: its rows and what they were run against."""

    rows: tuple[MatrixRow, ...]
    user_id: str
    client_user_id: str
    environment: str  # e.g. "sandbox US · Custom (http://127.0.0.1:8765)"
    catalogue: str  # where the provider list came from, one sentence
    started_at: datetime  # aware, UTC

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        """``"41 rows: 40 ok, 1 failed, 0 skipped."``"""
        return (
            f"{len(self.rows)} rows: {self.count(OK)} ok, {self.count(FAILED)} failed, "
            f"{self.count(SKIPPED)} skipped."
        )

    @property
    def started_utc(self) -> str:
        return self.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _cells(row: MatrixRow, *, keep_newlines: bool = False) -> dict[str, str]:
    """A row's shown values, every one made inert for a terminal (``keep_newlines`` keeps
    plain line breaks in the sentence, for a CSV cell that quotes them)."""
    return {
        "provider": safe_text(row.provider),
        "name": safe_text(row.name),
        "route": row.route,
        "outcome": row.outcome,
        "seconds": f"{row.seconds:.2f}",
        "sentence": safe_text(row.sentence, keep_newlines=keep_newlines),
    }


def format_table(rows: Sequence[MatrixRow]) -> str:
    """A plain-text table for stdout, columns padded to line up (the sentence last)."""
    lines = [list(TABLE_COLUMNS)]
    for row in rows:
        cells = _cells(row)
        lines.append([cells[column] for column in TABLE_COLUMNS])
    widths = [max(len(line[i]) for line in lines) for i in range(len(TABLE_COLUMNS) - 1)]
    text = []
    for line in lines:
        padded = [
            cell.rjust(width) if column == "seconds" else cell.ljust(width)
            for cell, width, column in zip(line, widths, TABLE_COLUMNS, strict=False)
        ]
        text.append("  ".join([*padded, line[-1]]).rstrip())
    return "\n".join(text)


def _defused(text: str) -> str:
    """``text``, with a leading ``'`` when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(path: str, report: MatrixReport) -> None:
    """One header row, then one row per provider and route (RFC 4180 quoting)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in report.rows:
            cells = _cells(row, keep_newlines=True)
            writer.writerow(
                [
                    _defused(cells["provider"]),
                    _defused(cells["name"]),
                    cells["route"],
                    cells["outcome"],
                    cells["seconds"],
                    _defused(cells["sentence"]),
                    report.user_id,
                    # The clinic's own id, as typed (control characters were refused).
                    report.client_user_id,
                ]
            )


_CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em;
       color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .4em; }
p { margin: .2em 0; }
.summary { font-weight: 600; margin: .6em 0 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.seconds { text-align: right; font-variant-numeric: tabular-nums; }
tr.ok td.outcome { color: #156f2e; font-weight: 600; }
tr.failed td { background: #fdecea; }
tr.failed td.outcome { color: #a4161a; font-weight: 600; }
tr.skipped td { color: #666; }
code { font-family: ui-monospace, Consolas, monospace; }
"""


def render_html(report: MatrixReport) -> str:
    """The whole report as one HTML document: inline CSS, no script, no outside resource."""

    def esc(text: str) -> str:
        return html.escape(safe_text(text), quote=True)

    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="referrer" content="no-referrer">\n'
        "<title>Vital provider matrix</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
    )
    patient = f"<code>{esc(report.user_id)}</code>"
    if report.client_user_id:
        patient += f" (clinic ID <code>{esc(report.client_user_id)}</code>)"
    intro = (
        "<h1>Vital provider matrix</h1>\n"
        f'<p class="summary" id="summary">{esc(report.summary)}</p>\n'
        f'<p>Environment: <span id="environment">{esc(report.environment)}</span></p>\n'
        f'<p>Run at: <time id="started">{esc(report.started_utc)}</time></p>\n'
        f"<p>Patient: {patient}</p>\n"
        f"<p>Providers: {esc(report.catalogue)}</p>\n"
        "<p>Links and codes are named by the first 8 hex digits of their SHA-256 only.</p>\n"
    )
    header = "".join(f'<th scope="col">{esc(column)}</th>' for column in TABLE_COLUMNS)
    body_rows = []
    for row in report.rows:
        shown = _cells(row)
        cells = "".join(
            f'<td class="{column}">{esc(shown[column])}</td>' for column in TABLE_COLUMNS
        )
        body_rows.append(f'<tr class="{esc(row.outcome)}">{cells}</tr>')
    table = (
        '<table id="matrix">\n'
        f"<thead><tr>{header}</tr></thead>\n<tbody>\n" + "\n".join(body_rows) + "\n</tbody>\n"
        "</table>\n"
    )
    return head + intro + table + "</body>\n</html>\n"


def write_html(path: str, report: MatrixReport) -> None:
    """``render_html`` written to ``path`` (UTF-8)."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render_html(report))
