"""``vital-link matrix``: run one patient through every provider, for QA.

For each provider of the catalogue (``GET /v2/providers`` merged with the bundled table, or
the bundled table alone when that call fails), or each one of ``--providers``:

- ``web-link``: a link token (``POST /v2/link/token`` with ``provider``) when the web widget
  can connect it;
- ``app-code``: a link code (``POST /v2/link/code/create``) when only a phone app can;
- ``demo-connect`` (sandbox only, with ``--demo-connect``, demo providers only): a demo
  connection (``POST /v2/link/connect/demo``), then ``GET /v2/user/providers/{user_id}``
  polled until the provider shows up, for at most ``--poll-timeout`` seconds.

A progress line per row goes to stderr while it runs, the table to stdout at the end, and
optionally a CSV and a self-contained HTML report. Links and codes are never printed or
written whole, only their fingerprints. Exit 0 when every row is ok; otherwise the code of
the worst failure: 4 network, 3 the API refused, 2 bad input (a provider nobody knows).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from vital_desktop.cli.matrix_report import (
    FAILED,
    OK,
    ROUTE_CODE,
    ROUTE_DEMO,
    ROUTE_WEB,
    SKIPPED,
    MatrixReport,
    MatrixRow,
    fingerprint,
    format_table,
    write_csv,
    write_html,
)
from vital_desktop.cli.output import safe_text, write_line
from vital_desktop.cli.token_command import client_settings, report_error, resolve_target
from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    ApiTarget,
    Environment,
    KeyInfo,
    inspect_key,
    is_loopback_host,
)
from vital_desktop.core.errors import ErrorCategory, ErrorKind, VitalError, invalid_input
from vital_desktop.core.link_form import LinkForm, build_request
from vital_desktop.core.providers import ProviderCatalogue, bundled_catalogue
from vital_desktop.core.validation import LinkTokenRequest

if TYPE_CHECKING:
    from vital_desktop.core.client import VitalClient
    from vital_desktop.core.history_store import HistoryStore

EXIT_OK = 0
EXIT_INTERRUPTED = 130
POLL_FIRST = 0.5  # seconds between the first polls of the connected providers...
POLL_LONGEST = 2.0  # ...growing to at most this
# Worst first: the code a run exits with when rows of several categories failed.
_SEVERITY = (ErrorCategory.NETWORK, ErrorCategory.API_REFUSED, ErrorCategory.BAD_INPUT)
# Errors while polling that may pass: keep polling until the deadline.
_PASSING = frozenset(
    {
        ErrorKind.SERVER_ERROR,
        ErrorKind.RATE_LIMITED,
        ErrorKind.BAD_RESPONSE,
        ErrorKind.TIMEOUT,
    }
)
_ROUTE_WORDS = {ROUTE_WEB: "web link", ROUTE_CODE: "app code", ROUTE_DEMO: "demo connect"}

Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True)
class _Recorder:
    """Commits each link or code the matrix gets to the history (route "cli"), before its
    row is printed."""

    store: HistoryStore
    environment: str
    region: str
    base_url: str

    def __call__(
        self,
        patient: _Patient,
        secret: str,
        provider: str,
        request: LinkTokenRequest | None = None,
    ) -> None:
        from vital_desktop.cli.history_command import not_recorded
        from vital_desktop.core.history_store import HistoryError

        try:
            self.store.record(
                user_id=patient.user_id,
                client_user_id=patient.client_user_id or None,
                route="cli",
                secret=secret,
                environment=self.environment,
                region=self.region,
                base_url=self.base_url,
                provider=provider,
                filter=(request.filter_on_providers or ()) if request is not None else (),
                redirect_url=request.redirect_url if request is not None else None,
                how=("cli_printed",),
            )
        except HistoryError as problem:
            raise not_recorded(problem) from problem


@dataclass(frozen=True)
class _Job:
    """One row to run: a provider through one route."""

    slug: str
    name: str
    route: str


@dataclass(frozen=True)
class _Patient:
    user_id: str
    client_user_id: str


class _RowFailed(Exception):
    """A row that failed without a ``VitalError`` (a demo provider never seen, ...)."""

    def __init__(self, sentence: str, category: ErrorCategory) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.category = category


# ------------------------------------------------------------------ checks


def requested_slugs(text: str | None) -> tuple[str, ...] | None:
    """The ``--providers`` list, trimmed and without repeats, or None for the catalogue."""
    if text is None:
        return None
    slugs: list[str] = []
    for part in text.split(","):
        slug = part.strip()
        if slug and slug not in slugs:
            slugs.append(slug)
    if not slugs:
        raise invalid_input(
            "providers", "--providers names no provider: give slugs like oura,fitbit."
        )
    return tuple(slugs)


def _check_report_path(path: str | None, what: str) -> None:
    """Refuse an unusable --csv/--html path before any link is spent."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder):
        raise invalid_input(
            what, f"Cannot write the {what.upper()} report to {safe_text(path)}: no such folder."
        )


def demo_allowed(info: KeyInfo, target: ApiTarget) -> bool:
    """Demo connections exist in sandbox: a sandbox key, or the local stand-in."""
    if info.environment is Environment.SANDBOX:
        return True
    return target.custom and is_loopback_host(urlsplit(target.base_url).hostname or "")


# ------------------------------------------------------------------ setup


def _find_patient(client: VitalClient, args: argparse.Namespace, err: TextIO) -> _Patient:
    """The patient by --user-id, or by --client-user-id (created with --create)."""
    if args.user_id is not None:
        user = client.get_user(args.user_id)
        return _Patient(user.user_id, user.client_user_id)
    wanted: str = args.client_user_id
    if args.create:
        try:
            user = client.create_user(wanted)
        except VitalError as error:
            if error.kind is not ErrorKind.DUPLICATE_USER or not error.existing_user_id:
                raise
            write_line(err, f"Using the existing patient {safe_text(error.existing_user_id)}.")
            return _Patient(error.existing_user_id, wanted.strip())
        write_line(err, f"Created patient {safe_text(user.user_id)}.")
        return _Patient(user.user_id, user.client_user_id)
    try:
        user = client.resolve_user(wanted)
    except VitalError as error:
        if error.kind is ErrorKind.NOT_FOUND and error.status == 404:
            raise VitalError(
                ErrorKind.NOT_FOUND,
                "Vital has no patient with that clinic ID in this environment; add --create "
                "to create one.",
                status=error.status,
                endpoint=error.endpoint,
                server_message=error.server_message,
            ) from None
        raise
    return _Patient(user.user_id, user.client_user_id)


def _catalogue(client: VitalClient, err: TextIO) -> tuple[ProviderCatalogue, str]:
    """GET /v2/providers merged with the bundled table; the bundled table if that fails."""
    bundled = bundled_catalogue()
    try:
        server = client.providers()
    except VitalError as error:
        note = (
            "the bundled table: Vital's provider list could not be read "
            f"({error.message.rstrip('.')})."
        )
        write_line(err, safe_text(f"Using {note}"))
        return bundled, note
    if not server:
        note = "the bundled table: Vital's provider list was empty."
        write_line(err, f"Using {note}")
        return bundled, note
    return bundled.merged_with_server(server), "Vital's provider list (GET /v2/providers)."


def plan_jobs(catalogue: ProviderCatalogue, slugs: Sequence[str] | None, demo: bool) -> list[_Job]:
    """The rows to run, in catalogue (or ``--providers``) order; a demo row follows its
    provider's own row."""
    from vital_desktop.core.client import DEMO_PROVIDERS

    chosen = list(slugs) if slugs is not None else [p.slug for p in catalogue]
    jobs: list[_Job] = []
    for slug in chosen:
        provider = catalogue.get(slug)
        name = provider.name if provider is not None else slug
        # Unknown slugs go the web route: the link form refuses them with its sentence.
        route = ROUTE_CODE if provider is not None and not provider.linkable else ROUTE_WEB
        jobs.append(_Job(slug, name, route))
        if demo and slug in DEMO_PROVIDERS:
            jobs.append(_Job(slug, name, ROUTE_DEMO))
    return jobs


# ------------------------------------------------------------------ rows


def _web_link(
    client: VitalClient,
    patient: _Patient,
    job: _Job,
    catalogue: ProviderCatalogue,
    record: _Recorder | None = None,
) -> str:
    # The window's own rules: unknown and phone-only providers are refused before sending.
    request = build_request(
        LinkForm(user_id_text=patient.user_id, provider_slug=job.slug), catalogue
    )
    link = client.create_link_token(request)
    if record is not None:
        record(patient, link.link_token, job.slug, request)
    return f"Link issued (sha256 {fingerprint(link.link_web_url)})."


def _app_code(
    client: VitalClient, patient: _Patient, job: _Job, record: _Recorder | None = None
) -> str:
    code = client.create_link_code(patient.user_id)
    if record is not None:
        record(patient, code.code, job.slug)
    return f"App code issued (sha256 {fingerprint(code.code)}), valid until {code.expires_at}."


class _Poller:
    """Polls the connected providers until one shows up; bounded, with injectable time."""

    def __init__(self, timeout: float, sleep: Sleep, clock: Clock) -> None:
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock

    def wait_for(self, client: VitalClient, user_id: str, slug: str) -> str:
        deadline = self.clock() + self.timeout
        interval = POLL_FIRST
        polls = 0
        last_problem: VitalError | None = None
        while True:
            polls += 1
            try:
                connections = client.connected_providers(user_id)
            except VitalError as error:
                if error.kind not in _PASSING:
                    raise
                last_problem = error
            else:
                last_problem = None
                for connection in connections:
                    if connection.slug != slug:
                        continue
                    if connection.status == "connected":
                        times = "poll" if polls == 1 else "polls"
                        return f"Demo connection made and seen connected after {polls} {times}."
                    reason = connection.error_message or connection.error_type or "no reason given"
                    raise _RowFailed(
                        f"Demo connection made, but Vital lists it as {connection.status}: "
                        f"{reason}".rstrip(".")
                        + ".",
                        ErrorCategory.API_REFUSED,
                    )
            left = deadline - self.clock()
            if left <= 0:
                break
            self.sleep(min(interval, left))
            interval = min(interval * 1.5, POLL_LONGEST)
        sentence = (
            f"Demo connection made, but {slug} was not among the connected providers within "
            f"{self.timeout:g} s ({polls} polls)."
        )
        if last_problem is not None:
            sentence += f" Last answer: {last_problem.message}"
            category = last_problem.category
        else:
            category = ErrorCategory.API_REFUSED
        raise _RowFailed(sentence, category)


def _demo_connect(client: VitalClient, patient: _Patient, job: _Job, poller: _Poller) -> str:
    answer = client.demo_connect(patient.user_id, job.slug)
    if not answer.success:
        detail = f": {answer.detail}" if answer.detail else ""
        raise _RowFailed(
            f"Vital did not make the demo connection{detail}".rstrip(".") + ".",
            ErrorCategory.API_REFUSED,
        )
    return poller.wait_for(client, patient.user_id, job.slug)


@dataclass
class _Runner:
    client: VitalClient
    patient: _Patient
    catalogue: ProviderCatalogue
    poller: _Poller
    clock: Clock
    err: TextIO
    verbose: bool = False
    record: _Recorder | None = None

    def run_one(self, job: _Job) -> MatrixRow:
        started = self.clock()
        category: ErrorCategory | None = None
        detail = ""
        try:
            if job.route == ROUTE_WEB:
                sentence = _web_link(self.client, self.patient, job, self.catalogue, self.record)
            elif job.route == ROUTE_CODE:
                sentence = _app_code(self.client, self.patient, job, self.record)
            else:
                sentence = _demo_connect(self.client, self.patient, job, self.poller)
            outcome = OK
        except VitalError as error:
            outcome, sentence, category = FAILED, error.message, error.category
            detail = error.detail
        except _RowFailed as failure:
            outcome, sentence, category = FAILED, failure.sentence, failure.category
        seconds = max(0.0, self.clock() - started)
        return MatrixRow(
            job.slug, job.name, job.route, outcome, sentence, seconds, category, detail
        )

    def run_all(self, jobs: Sequence[_Job]) -> tuple[list[MatrixRow], bool]:
        """Every job in order, a progress line each; True with the rows when interrupted.

        After a network failure the rest are skipped: each would only wait out its own
        timeout against a network that is down.
        """
        rows: list[MatrixRow] = []
        total = len(jobs)
        skip_reason: str | None = None
        interrupted = False
        for index, job in enumerate(jobs, start=1):
            if skip_reason is None:
                try:
                    row = self.run_one(job)
                except KeyboardInterrupt:
                    interrupted = True
                    skip_reason = "Not run: the matrix was stopped (Ctrl+C)."
            if skip_reason is not None:
                row = MatrixRow(job.slug, job.name, job.route, SKIPPED, skip_reason, 0.0)
            elif row.category is ErrorCategory.NETWORK:
                skip_reason = "Not run: the network failed on an earlier row."
            rows.append(row)
            write_line(self.err, _progress(index, total, row))
            if self.verbose and row.detail:
                write_line(self.err, safe_text(row.detail, keep_newlines=True))
        return rows, interrupted


def _progress(index: int, total: int, row: MatrixRow) -> str:
    """``[3/41] oura: web link ok (0.02 s)``, with the sentence when it did not go well."""
    line = (
        f"[{index}/{total}] {safe_text(row.provider)}: {_ROUTE_WORDS[row.route]} {row.outcome} "
        f"({row.seconds:.2f} s)"
    )
    if row.outcome != OK:
        line += f": {safe_text(row.sentence)}"
    return line


def exit_code(rows: Sequence[MatrixRow], interrupted: bool = False) -> int:
    """0 when every row is ok, else the worst failure's code (network, API, input)."""
    if interrupted:
        return EXIT_INTERRUPTED
    failed = {row.category for row in rows if row.outcome != OK}
    if not failed:
        return EXIT_OK
    for category in _SEVERITY:
        if category in failed:
            return category.value
    return ErrorCategory.API_REFUSED.value


def _write_reports(args: argparse.Namespace, report: MatrixReport, err: TextIO) -> int:
    for path, writer, what in ((args.csv, write_csv, "CSV"), (args.html, write_html, "HTML")):
        if path is None:
            continue
        try:
            writer(path, report)
        except (OSError, ValueError) as problem:  # ValueError: a NUL in the file name
            reason = safe_text(getattr(problem, "strerror", None) or str(problem))
            write_line(err, f"Could not write the {what} report to {safe_text(path)}: {reason}.")
            return ErrorCategory.BAD_INPUT.value
    return EXIT_OK


# ------------------------------------------------------------------ command


def run_matrix(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> int:
    """``vital-link matrix``: validate, find the patient, run every row, print, report.

    Every link and code is committed to the history (route "cli") before its row is
    printed, unless ``--no-history``; a history file that cannot be used stops the run
    before any link is asked for.
    """
    from vital_desktop.cli.history_command import open_history_for_run
    from vital_desktop.core.client import VitalClient

    history: HistoryStore | None = None
    try:
        if args.create and args.client_user_id is None:
            raise invalid_input("create", "--create needs --client-user-id (the clinic's ID).")
        slugs = requested_slugs(args.providers)
        _check_report_path(args.csv, "csv")
        _check_report_path(args.html, "html")
        key = environ.get(API_KEY_VARIABLE, "")
        target = resolve_target(args, key, environ)
        info = inspect_key(key)
        if args.demo_connect and not demo_allowed(info, target):
            raise invalid_input(
                "demo_connect",
                f"Demo connections exist only in sandbox, and this is {info.label}: leave out "
                "--demo-connect, or use a sandbox (sk_) key.",
            )
        history = open_history_for_run(args, environ, err)
        recorder = (
            _Recorder(history, info.environment.value, info.region.value, target.base_url)
            if history is not None
            else None
        )
        started_at = datetime.now(UTC)
        with VitalClient(key, target, client_settings(args.timeout), environ=environ) as client:
            patient = _find_patient(client, args, err)
            catalogue, source = _catalogue(client, err)
            jobs = plan_jobs(catalogue, slugs, args.demo_connect)
            runner = _Runner(
                client,
                patient,
                catalogue,
                _Poller(args.poll_timeout, sleep, clock),
                clock,
                err,
                args.verbose,
                recorder,
            )
            rows, interrupted = runner.run_all(jobs)
            environment = f"{client.key_info.label} · {target.label}"
    except VitalError as error:
        return report_error(error, args.verbose, err)
    finally:
        if history is not None:
            history.close()
    report = MatrixReport(
        tuple(rows), patient.user_id, patient.client_user_id, environment, source, started_at
    )
    write_line(out, format_table(report.rows))
    write_line(err, report.summary)
    written = _write_reports(args, report, err)
    code = exit_code(report.rows, interrupted)
    return code if code != EXIT_OK else written
