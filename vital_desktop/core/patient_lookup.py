"""Find a patient by whatever the desk typed, or create one without fear of duplicates.

Staff type either Vital's user id (a UUID) or the clinic's own patient id
(``client_user_id``). A UUID is looked up directly; anything else is resolved exactly and
searched loosely. Creating a patient whose clinic id already exists is not an error: the
API's 400 names the existing user, and that user is returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.models import User
from vital_desktop.core.validation import clean_paste, user_id_problem

if TYPE_CHECKING:  # only called with one; importing it (and httpx) is the caller's business
    from vital_desktop.core.client import VitalClient

MIN_SEARCH_CHARS = 2  # GET /v2/team/users/search declares query_id with minLength 2


def looks_like_user_id(text: str) -> bool:
    """True when ``text`` (trimmed, as pasted) is shaped like Vital's user id, a UUID."""
    if not isinstance(text, str) or len(text) > 200:
        return False
    # The same shape the user-id field accepts, so the two never disagree.
    return user_id_problem(text) is None


def _not_found(error: VitalError) -> bool:
    return error.kind is ErrorKind.NOT_FOUND


def find_patients(client: VitalClient, text: str) -> list[User]:
    """The users ``text`` names: by Vital user id, else by the clinic's id.

    A Vital user id is fetched directly (none when Vital has no such user; then it is also
    tried as a clinic id, since clinics often use UUIDs of their own). A clinic id is
    resolved exactly and searched (the search only from two characters up); results are
    deduplicated by user id, exact ``client_user_id`` matches first. Errors other than
    "not found" propagate as ``VitalError``.
    """
    query = clean_paste(text) if isinstance(text, str) else ""
    if not query:
        return []
    found: list[User] = []
    if looks_like_user_id(query):
        try:
            return [client.get_user(query)]
        except VitalError as error:
            if not _not_found(error):
                raise
    try:
        found.append(client.resolve_user(query))
    except VitalError as error:
        if not _not_found(error):
            raise
    if len(query) >= MIN_SEARCH_CHARS:
        found.extend(client.search_users(query))
    unique: dict[str, User] = {}
    for user in found:
        unique.setdefault(user.user_id, user)
    # Stable sort: exact clinic-id matches first, the server's order otherwise.
    return sorted(unique.values(), key=lambda u: u.client_user_id != query)


def create_patient(client: VitalClient, client_user_id: str) -> tuple[User, bool]:
    """POST /v2/user: ``(user, True)`` when created, ``(existing user, False)`` when the
    clinic id was already taken (the API's 400 carrying the existing ``user_id``)."""
    try:
        return client.create_user(client_user_id), True
    except VitalError as error:
        if error.kind is not ErrorKind.DUPLICATE_USER or not error.existing_user_id:
            raise
        existing = error.existing_user_id
    return client.get_user(existing), False
