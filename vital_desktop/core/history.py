"""The history of every hand-off: the one module to import.

``history_store`` keeps the rows (SQLite, WAL, one transaction per write, moved aside when
damaged), ``history_schema`` their schema and its migrations, ``history_export`` the CSV.
``record_issued`` records a link or code the window hands out, from its ``IssuedLink``.
"""

from __future__ import annotations

from collections.abc import Iterable

from vital_desktop.core.history_export import CSV_COLUMNS, export_csv, read_csv
from vital_desktop.core.history_schema import SCHEMA_VERSION
from vital_desktop.core.history_store import (
    FINAL_OUTCOMES,
    HISTORY_DB_VARIABLE,
    HISTORY_FILE_NAME,
    OUTCOMES,
    ROUTES,
    WAYS,
    HandOff,
    HistoryError,
    HistoryStore,
    default_history_path,
    fingerprint,
    history_path,
)
from vital_desktop.core.link_board import IssuedLink
from vital_desktop.core.link_form import CodeRequest
from vital_desktop.core.link_session import LinkSession

__all__ = [
    "CSV_COLUMNS",
    "FINAL_OUTCOMES",
    "HISTORY_DB_VARIABLE",
    "HISTORY_FILE_NAME",
    "OUTCOMES",
    "ROUTES",
    "SCHEMA_VERSION",
    "WAYS",
    "HandOff",
    "HistoryError",
    "HistoryStore",
    "default_history_path",
    "export_csv",
    "fingerprint",
    "history_path",
    "read_csv",
    "record_issued",
]


def record_issued(
    store: HistoryStore,
    issued: IssuedLink,
    *,
    environment: str,
    region: str,
    client_user_id: str | None = None,
    how: Iterable[str] = (),
) -> int:
    """Record a link or code from the window (route ``web_link`` or ``app_code``); its id.

    The user, provider, filter, redirect and API address come from what the link was made
    for; ``environment``/``region`` are the connection's (``"sandbox"``, ``"us"``...).
    Committed when it returns: show the link after. Raises ``HistoryError``.
    """
    request = issued.purpose.request
    base_url = issued.purpose.binding.connection.base_url
    if isinstance(request, CodeRequest):
        code = issued.code
        assert code is not None
        return store.record(
            user_id=request.user_id,
            route="app_code",
            secret=code,
            environment=environment,
            region=region,
            base_url=base_url,
            client_user_id=client_user_id,
            provider=request.provider,
            how=how,
        )
    session = issued.session
    assert isinstance(session, LinkSession)
    return store.record(
        user_id=request.user_id,
        route="web_link",
        secret=session.link.link_token,
        environment=environment,
        region=region,
        base_url=base_url,
        client_user_id=client_user_id,
        provider=request.provider,
        filter=request.filter_on_providers or (),
        redirect_url=request.redirect_url,
        how=how,
    )
