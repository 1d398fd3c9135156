"""Which link is current, and whether it may be handed out: the rules that keep one
patient's link away from another patient.

Qt-free. The window tells the board what happens (a request starts, answers, fails; the
form now names another patient or connection; the clock ran out) and asks it one question
before every hand-off: ``hand_out(binding)``. A link is handed out only while it is ready,
unexpired, and bound to exactly the patient and connection the form names now. Anything
else retires it for good, with the reason the desk will read; a retired link is never
shown as ready again, even if the form goes back to its patient.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from vital_desktop.core.connection import ConnectionIdentity
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate
from vital_desktop.core.link_code import CodeSession
from vital_desktop.core.link_form import CodeRequest
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.validation import LinkTokenRequest


class LinkState(enum.Enum):
    """What the result area shows."""

    EMPTY = "empty"  # no link yet
    READY = "ready"  # may be handed out
    EXPIRED = "expired"  # its time ran out
    RETIRED = "retired"  # the form moved on, or a newer request failed
    DONE = "done"  # the patient connected (used by the connection watcher)


class Retirement(enum.Enum):
    """Why a link may no longer be handed out, in the words shown over its code."""

    # Kept in English (they are compared); the window shows them translated ("Retirement").
    OTHER_PATIENT = QT_TRANSLATE_NOOP("Retirement", "For another patient")
    OTHER_CONNECTION = QT_TRANSLATE_NOOP("Retirement", "For another connection")
    FAILED = QT_TRANSLATE_NOOP("Retirement", "Replaced by a request that failed")
    EXPIRED = QT_TRANSLATE_NOOP("Retirement", "Expired")


@dataclass(frozen=True)
class Binding:
    """Who and where the form names now: the patient key and the connection identity."""

    patient: str
    connection: ConnectionIdentity


@dataclass(frozen=True)
class LinkPurpose:
    """What a link (or phone-app code) was made for, fixed when its request was sent."""

    binding: Binding
    request: LinkTokenRequest | CodeRequest
    patient_label: str  # "user 1b4e28ba…0016d3cca427"
    providers_label: str  # "Oura", "any provider", "Apple Health (phone app code)"
    connection_label: str  # "Sandbox · US"

    @property
    def user_id(self) -> str:
        """The Vital user the link or code connects."""
        return self.request.user_id

    @property
    def description(self) -> str:
        """One line: who, what, where (in the language of the moment)."""
        return translate("LinkBoard", "For {patient} · {providers} · {connection}").format(
            patient=self.patient_label,
            providers=self.providers_label,
            connection=self.connection_label,
        )


@dataclass(frozen=True)
class IssuedLink:
    """A link or code the server issued, with what it was made for and its deadline."""

    purpose: LinkPurpose
    session: LinkSession | CodeSession

    @property
    def qr_text(self) -> str:
        """What the QR code carries: the web link, or the code's phone-app address."""
        if isinstance(self.session, CodeSession):
            return self.session.code.exchange_url
        return self.session.link.link_web_url

    @property
    def code(self) -> str | None:
        """The code the patient types into the phone app, or None for a web link."""
        return self.session.code.code if isinstance(self.session, CodeSession) else None

    @property
    def copy_text(self) -> str:
        """What Copy puts on the clipboard: the code for the app, else the link."""
        return self.code or self.qr_text


class Delivery(enum.Enum):
    """What became of an answer that arrived."""

    SHOWN = "shown"
    STALE = "stale"  # a newer request (or a cancel) superseded it
    MOVED_ON = "moved_on"  # the form names another patient or connection now


class LinkBoard:
    """The current link and the one request that may replace it."""

    def __init__(self) -> None:
        self.current: IssuedLink | None = None
        self.state = LinkState.EMPTY
        self.retirement: Retirement | None = None
        self._pending: tuple[int, LinkPurpose] | None = None
        self._tickets = 0

    # ----------------------------------------------------------------- requests

    @property
    def pending(self) -> LinkPurpose | None:
        """The purpose of the request in flight, or None."""
        return self._pending[1] if self._pending is not None else None

    def begin(self, purpose: LinkPurpose) -> int:
        """A request for ``purpose`` starts; any earlier ticket stops counting."""
        self._tickets += 1
        self._pending = (self._tickets, purpose)
        return self._tickets

    def abandon(self, ticket: int) -> bool:
        """The request was cancelled; True when it was the one in flight."""
        if self._pending is None or self._pending[0] != ticket:
            return False
        self._pending = None
        return True

    def deliver(self, ticket: int, session: LinkSession | CodeSession, now: Binding) -> Delivery:
        """A link arrived for ``ticket``; it is shown only if nothing moved on meanwhile."""
        if self._pending is None or self._pending[0] != ticket:
            return Delivery.STALE
        purpose = self._pending[1]
        self._pending = None
        if purpose.binding != now:
            self._retire_for(now)
            return Delivery.MOVED_ON
        self.current = IssuedLink(purpose, session)
        self.retirement = None
        self.state = LinkState.EXPIRED if session.expired() else LinkState.READY
        if self.state is LinkState.EXPIRED:
            self.retirement = Retirement.EXPIRED
        return Delivery.SHOWN

    def fail(self, ticket: int) -> bool:
        """The request for ``ticket`` failed: the link on screen before it is retired.

        Returns False for a ticket that no longer counts (its failure changes nothing).
        """
        if self._pending is None or self._pending[0] != ticket:
            return False
        self._pending = None
        self._retire(Retirement.FAILED)
        return True

    # --------------------------------------------------------------- the form

    def rebind(self, now: Binding) -> bool:
        """The form changed; True when that retired the link on screen.

        A request in flight for another binding is left to the caller to cancel (see
        ``pending_moved_on``); its answer would be refused by ``deliver`` anyway.
        """
        return self._retire_for(now)

    def pending_moved_on(self, now: Binding) -> bool:
        """True when a request is in flight for another patient or connection."""
        return self._pending is not None and self._pending[1].binding != now

    def _retire_for(self, now: Binding) -> bool:
        if self.current is None or self.state not in (LinkState.READY, LinkState.EXPIRED):
            return False
        bound = self.current.purpose.binding
        if bound.connection != now.connection:
            return self._retire(Retirement.OTHER_CONNECTION)
        if bound.patient != now.patient:
            return self._retire(Retirement.OTHER_PATIENT)
        return False

    def _retire(self, why: Retirement) -> bool:
        if self.current is None or self.state in (LinkState.RETIRED, LinkState.DONE):
            return False
        self.state = LinkState.RETIRED
        self.retirement = why
        return True

    # ------------------------------------------------------------- the clock

    def check_expiry(self) -> bool:
        """True when the ready link has just run out of time."""
        if self.state is LinkState.READY and self.current and self.current.session.expired():
            self.state = LinkState.EXPIRED
            self.retirement = Retirement.EXPIRED
            return True
        return False

    def mark_done(self) -> bool:
        """The patient connected: the link is spent and stays on screen as done."""
        if self.current is None or self.state is not LinkState.READY:
            return False
        self.state = LinkState.DONE
        return True

    # --------------------------------------------------------------- hand-off

    def hand_out(self, now: Binding) -> IssuedLink | None:
        """The link, if it may be given to the patient the form names now; else None."""
        self.check_expiry()
        if self.state is not LinkState.READY or self.current is None:
            return None
        if self.current.purpose.binding != now:
            self._retire_for(now)
            return None
        return self.current
