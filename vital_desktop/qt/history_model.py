"""The hand-off history as a table model that pages its rows from the store, off the GUI thread.

``HistoryModel`` shows the rows of one ``HistoryQuery`` newest first. Setting a query (or
``refresh()``) asks the store, on the ``ApiService``, for the count and the first page; the
view's scrolling then asks for more (``canFetchMore`` / ``fetchMore``), one page of
``page_size`` rows at a time, each read on a worker thread too. The GUI thread only ever
holds the rows already read, so a history of 100,000 hand-offs opens as fast as one of 200.

Every answer carries the generation of the query it was asked for; an answer for a query
that has since changed is dropped. Pages are read by offset, so a hand-off recorded between
two pages shifts the later one by a row: rows already shown are skipped by id, and the new
one appears on the next ``refresh()``.

The words for each field (``local_when``, ``describe_how``, ``describe_details``...) live
here too: the table and the details panel say the same thing the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from vital_desktop.core.cancel import CancelToken
from vital_desktop.core.errors import VitalError
from vital_desktop.core.history import HandOff, HistoryError, HistoryStore
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate
from vital_desktop.core.link_form import short_user_id
from vital_desktop.core.providers import bundled_catalogue
from vital_desktop.qt.service import ApiService, Job

log = logging.getLogger(__name__)

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole  # a row's store id
CONTEXT = "History"

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class HistoryQuery:
    """What the history shows: the filters of ``HistoryStore.query`` (None: any).

    ``since`` is inclusive and ``until`` exclusive, both aware; ``user`` matches part of the
    Vital user ID or the clinic's patient ID.
    """

    since: datetime | None = None
    until: datetime | None = None
    user: str | None = None
    provider: str | None = None
    environment: str | None = None
    outcome: str | None = None

    def count(self, store: HistoryStore) -> int:
        """How many hand-offs match (runs on a worker thread)."""
        return store.count(
            self.since, self.until, self.user, self.provider, self.environment, self.outcome
        )

    def rows(self, store: HistoryStore, limit: int | None = None, offset: int = 0) -> list[HandOff]:
        """The matching hand-offs, newest first (runs on a worker thread)."""
        return store.query(
            self.since,
            self.until,
            self.user,
            self.provider,
            self.environment,
            self.outcome,
            limit=limit,
            offset=offset,
        )


@dataclass(frozen=True)
class FirstPage:
    """What a (re)query brings back: how many rows match, and the first of them."""

    total: int
    rows: list[HandOff]
    limit: int


@dataclass(frozen=True)
class ReadFailed:
    """The store refused a read; ``message`` is its sentence for the desk."""

    message: str


class HistoryModel(QAbstractTableModel):
    """Rows of the store for one ``HistoryQuery``, read a page at a time, newest first.

    ``loaded`` fires when the first page of a query (or refresh) is in and the table shows
    it; ``failed(sentence)`` when the store could not be read.
    """

    loaded = Signal()
    failed = Signal(str)

    def __init__(
        self,
        store: HistoryStore,
        service: ApiService,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.service = service
        self.page_size = page_size
        self.columns: list[tuple[str, Callable[[HandOff], str]]] = [
            (self.tr("When"), local_when),
            (self.tr("Patient"), describe_patient),
            (self.tr("Provider"), describe_provider),
            (self.tr("Route"), describe_route),
            (self.tr("Handed off by"), describe_how),
            (self.tr("Outcome"), describe_outcome),
            (self.tr("Environment"), describe_environment),
        ]
        self._query = HistoryQuery()
        self._rows: list[HandOff] = []
        self._row_of: dict[int, int] = {}  # store id -> row
        self._total: int | None = None  # None until the first count is in
        self._generation = 0  # bumped by every (re)query: older answers are dropped
        self._first_job: Job | None = None
        self._page_job: Job | None = None
        self._exhausted = False  # a page came back short: nothing more to fetch

    # ------------------------------------------------------------------ state

    @property
    def query(self) -> HistoryQuery:
        """The query shown (or being read)."""
        return self._query

    @property
    def total(self) -> int | None:
        """How many rows match the query, None before the first answer."""
        return self._total

    @property
    def loading(self) -> bool:
        """True while a (re)query has not answered yet."""
        return self._first_job is not None

    @property
    def busy(self) -> bool:
        """True while the first page of a query, or a further page, is being read."""
        return self._first_job is not None or self._page_job is not None

    def hand_off(self, row: int) -> HandOff | None:
        """The hand-off on ``row``, if that row is loaded."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int | None:
        """The row showing the hand-off with store id ``row_id``, if it is loaded."""
        return self._row_of.get(row_id)

    def loaded_rows(self) -> list[HandOff]:
        """The rows read so far (a copy)."""
        return list(self._rows)

    # ----------------------------------------------------------------- query

    def set_query(self, query: HistoryQuery) -> None:
        """Show ``query``'s rows: its count and first page are read in the background.

        The rows on show stay until the answer replaces them, so the table never flashes
        empty while the desk types.
        """
        self._query = query
        self._start(self.page_size)

    def refresh(self) -> None:
        """Read the current query again, as many rows as are loaded now (at least a page),
        so the rows the desk scrolled to are still there."""
        pages = max(1, -(-len(self._rows) // self.page_size))
        self._start(pages * self.page_size)

    def _start(self, limit: int) -> None:
        self._cancel()
        self._generation += 1
        generation = self._generation
        store, query = self.store, self._query

        def read(_token: CancelToken) -> FirstPage | ReadFailed:
            try:
                return FirstPage(query.count(store), query.rows(store, limit), limit)
            except HistoryError as error:
                return ReadFailed(error.message)

        self._first_job = self.service.start(
            read,
            lambda answer: self._on_first_page(generation, answer),
            lambda error: self._on_error(generation, error),
        )

    def _on_first_page(self, generation: int, answer: object) -> None:
        if generation != self._generation:
            return
        self._first_job = None
        if isinstance(answer, ReadFailed):
            self._on_read_failed(answer.message)
            return
        if not isinstance(answer, FirstPage):
            return
        self.beginResetModel()
        self._rows = []
        self._row_of = {}
        self._append(answer.rows)
        self._total = max(answer.total, len(self._rows))
        self._exhausted = len(answer.rows) < answer.limit
        self.endResetModel()
        self.loaded.emit()

    def _on_error(self, generation: int, error: VitalError) -> None:
        if generation == self._generation:
            self._first_job = self._page_job = None
            self._on_read_failed(error.message)

    def _on_read_failed(self, message: str) -> None:
        log.warning("the history could not be read: %s", message)
        self.failed.emit(message)

    def _append(self, rows: Iterable[HandOff]) -> None:
        for row in rows:
            if row.id not in self._row_of:
                self._row_of[row.id] = len(self._rows)
                self._rows.append(row)

    def _cancel(self) -> None:
        for job in (self._first_job, self._page_job):
            if job is not None:
                job.cancel()
        self._first_job = self._page_job = None

    def shutdown(self) -> None:
        """Drop every read in flight (touches no widget)."""
        self._cancel()
        self._generation += 1

    # ------------------------------------------------------------ lazy pages

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._total is None or self.busy or self._exhausted:
            return False
        return len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """Read the next page on a worker thread; the rows are inserted when it is in."""
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        store, query = self.store, self._query
        offset, limit = len(self._rows), self.page_size

        def read(_token: CancelToken) -> list[HandOff] | ReadFailed:
            try:
                return query.rows(store, limit, offset)
            except HistoryError as error:
                return ReadFailed(error.message)

        self._page_job = self.service.start(
            read,
            lambda answer: self._on_page(generation, answer),
            lambda error: self._on_error(generation, error),
        )

    def _on_page(self, generation: int, answer: object) -> None:
        if generation != self._generation:
            return
        self._page_job = None
        if isinstance(answer, ReadFailed):
            self._exhausted = True  # no retry loop from the view's scrolling
            self._on_read_failed(answer.message)
            return
        if not isinstance(answer, list):
            return
        if len(answer) < self.page_size:
            self._exhausted = True
        fresh = [row for row in answer if row.id not in self._row_of]
        if not fresh:
            # A full page of rows already shown: rows moved under the offset; the next
            # refresh() reads them afresh.
            self._exhausted = True
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._append(fresh)
        self.endInsertRows()
        if self._total is not None and len(self._rows) > self._total:
            self._total = len(self._rows)

    # ----------------------------------------------------------------- model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)
        if role == ID_ROLE:
            return row.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


# ------------------------------------------------------------------------------ words

ROUTE_WORDS = {
    "web_link": QT_TRANSLATE_NOOP("History", "Web link"),
    "app_code": QT_TRANSLATE_NOOP("History", "Phone app code"),
    "cli": QT_TRANSLATE_NOOP("History", "Command line"),
}
WAY_WORDS = {
    "qr_shown": QT_TRANSLATE_NOOP("History", "QR code shown"),
    "opened_in_browser": QT_TRANSLATE_NOOP("History", "opened in the browser"),
    "link_copied": QT_TRANSLATE_NOOP("History", "copied"),
    "qr_copied": QT_TRANSLATE_NOOP("History", "QR code copied"),
    "qr_saved": QT_TRANSLATE_NOOP("History", "QR code saved"),
    "printed": QT_TRANSLATE_NOOP("History", "printed"),
    "cli_printed": QT_TRANSLATE_NOOP("History", "printed by vital-link"),
}
OUTCOME_WORDS = {
    "pending": QT_TRANSLATE_NOOP("History", "Waiting"),
    "connected": QT_TRANSLATE_NOOP("History", "Connected"),
    "error": QT_TRANSLATE_NOOP("History", "Connection error"),
    "expired": QT_TRANSLATE_NOOP("History", "Ran out unused"),
    "retired": QT_TRANSLATE_NOOP("History", "Withdrawn"),
    "cancelled": QT_TRANSLATE_NOOP("History", "Cancelled"),
}
ENVIRONMENT_WORDS = {
    "sandbox": QT_TRANSLATE_NOOP("History", "Sandbox"),
    "production": QT_TRANSLATE_NOOP("History", "Production"),
    "demo": QT_TRANSLATE_NOOP("History", "Demo"),
}


def _word(table: dict[str, str], key: str) -> str:
    """The table's words for ``key`` in the reader's language; an unknown key as it is."""
    known = table.get(key)
    return translate("History", known) if known is not None else key


def local_time(moment: datetime) -> datetime:
    """An aware (or, taken as UTC, naive) time in this computer's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def local_when(row: HandOff) -> str:
    """``29 Nov 2026, 14:05`` in local time."""
    moment = local_time(row.created_at)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def local_when_exact(moment: datetime) -> str:
    """``29 Nov 2026, 14:05:07 (13:05:07 UTC)``."""
    local, utc = local_time(moment), moment.astimezone(UTC)
    return f"{local.day} {local:%b %Y, %H:%M:%S} ({utc:%H:%M:%S} UTC)"


def describe_patient(row: HandOff) -> str:
    """The clinic's patient ID, else the short Vital user ID."""
    return row.client_user_id or short_user_id(row.user_id)


def provider_name(slug: str) -> str:
    """``Oura`` for ``oura``; a slug the bundled table does not know, as it is."""
    provider = bundled_catalogue().get(slug)
    return provider.display_name if provider is not None else slug


def describe_provider(row: HandOff) -> str:
    """``Oura``; ``Choice of Oura, Fitbit`` for a filter; ``Any provider``."""
    if row.provider:
        return provider_name(row.provider)
    if row.filter:
        names = ", ".join(provider_name(slug) for slug in row.filter)
        return translate("History", "Choice of {names}").format(names=names)
    return translate("History", "Any provider")


def describe_route(row: HandOff) -> str:
    return _word(ROUTE_WORDS, row.route)


def describe_how(row: HandOff) -> str:
    """``QR code shown, copied`` in the order of ``WAY_WORDS``; ``Not yet`` for none."""
    order = list(WAY_WORDS)
    ways = sorted(row.how, key=lambda way: (order.index(way) if way in order else len(order), way))
    if not ways:
        return translate("History", "Not yet")
    text = ", ".join(_word(WAY_WORDS, way) for way in ways)
    return text[:1].upper() + text[1:]


def describe_outcome(row: HandOff) -> str:
    """``Connected (oura at 14:02)``, ``Waiting``..."""
    words = _word(OUTCOME_WORDS, row.outcome)
    return f"{words} ({row.outcome_detail})" if row.outcome_detail else words


def describe_environment(row: HandOff) -> str:
    """``Sandbox · US``."""
    words = _word(ENVIRONMENT_WORDS, row.environment)
    return f"{words} · {row.region.upper()}" if row.region else words


def describe_details(row: HandOff) -> str:
    """Every field of a hand-off, one per line, for the details panel (plain text)."""
    none = translate("History", "(none)")
    lines = [
        (translate("History", "When"), local_when_exact(row.created_at)),
        (translate("History", "Clinic patient ID"), row.client_user_id or none),
        (translate("History", "Vital user ID"), row.user_id),
        (translate("History", "Route"), describe_route(row)),
        (translate("History", "Provider"), provider_name(row.provider) if row.provider else none),
        (
            translate("History", "Providers offered"),
            ", ".join(provider_name(slug) for slug in row.filter) if row.filter else none,
        ),
        (translate("History", "Redirect after connecting"), row.redirect_url or none),
        (translate("History", "Handed off by"), describe_how(row)),
        (translate("History", "Outcome"), _word(OUTCOME_WORDS, row.outcome)),
        (translate("History", "Outcome detail"), row.outcome_detail or none),
        (
            translate("History", "Outcome noted"),
            local_when_exact(row.outcome_at) if row.outcome_at else none,
        ),
        (translate("History", "Environment"), describe_environment(row)),
        (translate("History", "API address"), row.base_url),
        (translate("History", "Link fingerprint (not the link)"), row.fingerprint),
        (translate("History", "History entry"), str(row.id)),
    ]
    return "\n".join(f"{label}: {value}" for label, value in lines)
