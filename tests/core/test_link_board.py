"""The link board: a link is only ever handed out for the patient and connection named now.

Every test drives ``LinkBoard`` the way the desk does (a request starts, the form changes,
the answer arrives, the clock runs out) with sessions on an injected fake boot clock, so
nothing sleeps, and no Qt or network is involved.
"""

from __future__ import annotations

import base64
import json

from hypothesis import event as hyp_event
from hypothesis import given, settings
from hypothesis import strategies as st

from vital_desktop.core.connection import ConnectionIdentity, Mode, key_fingerprint
from vital_desktop.core.link_board import (
    Binding,
    Delivery,
    IssuedLink,
    LinkBoard,
    LinkPurpose,
    LinkState,
    Retirement,
)
from vital_desktop.core.link_form import patient_key
from vital_desktop.core.link_session import LinkSession
from vital_desktop.core.models import LinkToken
from vital_desktop.core.validation import LinkTokenRequest

UID_A = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
UID_B = "9f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
LINK = LinkToken("secret-token", "https://link.tryvital.io/?token=secret-token")

SANDBOX_US = ConnectionIdentity(
    Mode.SANDBOX, "https://api.sandbox.us.junction.com", key_fingerprint("sk_us_first0123456789")
)
SANDBOX_EU = ConnectionIdentity(
    Mode.SANDBOX, "https://api.sandbox.eu.junction.com", key_fingerprint("sk_eu_first0123456789")
)
OTHER_KEY = ConnectionIdentity(
    Mode.SANDBOX, "https://api.sandbox.us.junction.com", key_fingerprint("sk_us_other0123456789")
)

AT_A = Binding(patient_key(UID_A), SANDBOX_US)
AT_B = Binding(patient_key(UID_B), SANDBOX_US)


class FakeClock:
    """A boot clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def purpose_for(binding: Binding) -> LinkPurpose:
    return LinkPurpose(
        binding,
        LinkTokenRequest.build(binding.patient),
        f"user {binding.patient[:8]}",
        "any provider",
        "Sandbox · US",
    )


def session_for(binding: Binding, clock: FakeClock, ttl: float = 600.0) -> LinkSession:
    return LinkSession(LinkTokenRequest.build(binding.patient), LINK, ttl=ttl, clock=clock)


def ready_board(binding: Binding, clock: FakeClock, ttl: float = 600.0) -> LinkBoard:
    """A board showing a ready link for ``binding``."""
    board = LinkBoard()
    ticket = board.begin(purpose_for(binding))
    assert board.deliver(ticket, session_for(binding, clock, ttl), binding) is Delivery.SHOWN
    assert board.state is LinkState.READY
    return board


# ----------------------------------------------------------------- the happy path


def test_a_delivered_link_is_handed_out_for_its_own_binding() -> None:
    clock = FakeClock()
    board = LinkBoard()
    purpose = purpose_for(AT_A)
    ticket = board.begin(purpose)
    assert board.pending == purpose
    assert board.hand_out(AT_A) is None  # nothing has arrived yet
    session = session_for(AT_A, clock)
    assert board.deliver(ticket, session, AT_A) is Delivery.SHOWN
    assert board.pending is None
    issued = board.hand_out(AT_A)
    assert issued is not None
    assert issued is board.current
    assert issued.session is session and issued.purpose == purpose
    assert board.retirement is None


# ------------------------------------------------------------ the form moves on


def test_naming_another_patient_retires_the_link_for_good() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    assert board.rebind(AT_B) is True
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.OTHER_PATIENT
    assert board.hand_out(AT_B) is None
    # Going back to patient A does not bring the retired link back.
    assert board.rebind(AT_A) is False
    assert board.hand_out(AT_A) is None
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.OTHER_PATIENT


def test_hand_out_for_another_patient_refuses_and_retires_without_a_rebind() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    assert board.hand_out(AT_B) is None
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.OTHER_PATIENT
    assert board.hand_out(AT_A) is None


def test_same_patient_pasted_differently_keeps_the_link() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    pasted = Binding(patient_key(f"  '{UID_A.upper()}'\u200b "), SANDBOX_US)
    assert board.rebind(pasted) is False
    assert board.state is LinkState.READY
    assert board.hand_out(pasted) is board.current is not None


def test_a_changed_connection_identity_retires_the_link() -> None:
    for other in (SANDBOX_EU, OTHER_KEY):
        clock = FakeClock()
        board = ready_board(AT_A, clock)
        moved = Binding(AT_A.patient, other)
        assert board.rebind(moved) is True
        assert board.state is LinkState.RETIRED
        assert board.retirement is Retirement.OTHER_CONNECTION
        assert board.hand_out(moved) is None
        assert board.hand_out(AT_A) is None


def test_hand_out_under_another_connection_is_refused_as_other_connection() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    assert board.hand_out(Binding(AT_A.patient, OTHER_KEY)) is None
    assert board.retirement is Retirement.OTHER_CONNECTION
    assert board.hand_out(AT_A) is None


def test_other_patient_and_connection_at_once_is_reported_as_other_connection() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    assert board.rebind(Binding(AT_B.patient, SANDBOX_EU)) is True
    assert board.retirement is Retirement.OTHER_CONNECTION


def test_pending_moved_on_names_a_request_for_another_binding() -> None:
    board = LinkBoard()
    assert board.pending_moved_on(AT_A) is False  # nothing in flight
    ticket = board.begin(purpose_for(AT_A))
    assert board.pending_moved_on(AT_A) is False
    assert board.pending_moved_on(AT_B) is True
    assert board.pending_moved_on(Binding(AT_A.patient, SANDBOX_EU)) is True
    assert board.abandon(ticket) is True
    assert board.pending_moved_on(AT_B) is False


# ------------------------------------------------------------------ failures


def test_a_failed_newer_request_retires_the_ready_link() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    ticket = board.begin(purpose_for(AT_A))
    assert board.hand_out(AT_A) is not None  # still fine while the new request runs
    assert board.fail(ticket) is True
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.FAILED
    assert board.pending is None
    assert board.hand_out(AT_A) is None


def test_a_stale_tickets_failure_changes_nothing() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    old = board.begin(purpose_for(AT_A))
    newer = board.begin(purpose_for(AT_A))
    assert board.fail(old) is False
    assert board.state is LinkState.READY
    assert board.retirement is None
    assert board.pending is not None  # the newer request still counts
    assert board.hand_out(AT_A) is board.current is not None
    # ...and the newer one still may fail.
    assert board.fail(newer) is True
    assert board.retirement is Retirement.FAILED


def test_a_cancelled_requests_failure_changes_nothing() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    ticket = board.begin(purpose_for(AT_A))
    assert board.abandon(ticket) is True
    assert board.abandon(ticket) is False  # only once
    assert board.fail(ticket) is False
    assert board.state is LinkState.READY
    assert board.hand_out(AT_A) is not None


def test_a_failure_with_nothing_on_screen_leaves_the_board_empty() -> None:
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    assert board.fail(ticket) is True
    assert board.state is LinkState.EMPTY
    assert board.current is None
    assert board.hand_out(AT_A) is None


# ------------------------------------------------------------------ answers


def test_an_answer_for_a_superseded_ticket_is_stale_and_not_shown() -> None:
    clock = FakeClock()
    board = LinkBoard()
    old = board.begin(purpose_for(AT_A))
    newer = board.begin(purpose_for(AT_A))
    assert board.deliver(old, session_for(AT_A, clock), AT_A) is Delivery.STALE
    assert board.state is LinkState.EMPTY
    assert board.current is None
    assert board.hand_out(AT_A) is None
    # The newer ticket is still the one that counts.
    session = session_for(AT_A, clock)
    assert board.deliver(newer, session, AT_A) is Delivery.SHOWN
    issued = board.hand_out(AT_A)
    assert issued is not None and issued.session is session


def test_a_stale_answer_does_not_replace_the_link_on_screen() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    shown = board.current
    old = board.begin(purpose_for(AT_A))
    board.begin(purpose_for(AT_A))
    assert board.deliver(old, session_for(AT_A, clock), AT_A) is Delivery.STALE
    assert board.current is shown
    assert board.hand_out(AT_A) is shown


def test_an_answer_after_a_cancel_is_stale_and_not_shown() -> None:
    clock = FakeClock()
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    assert board.abandon(ticket) is True
    assert board.pending is None
    assert board.deliver(ticket, session_for(AT_A, clock), AT_A) is Delivery.STALE
    assert board.state is LinkState.EMPTY
    assert board.current is None
    assert board.hand_out(AT_A) is None


def test_an_answer_is_delivered_once() -> None:
    clock = FakeClock()
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    first = session_for(AT_A, clock)
    assert board.deliver(ticket, first, AT_A) is Delivery.SHOWN
    assert board.deliver(ticket, session_for(AT_A, clock), AT_A) is Delivery.STALE
    issued = board.hand_out(AT_A)
    assert issued is not None and issued.session is first


def test_an_answer_after_the_form_moved_on_is_not_shown() -> None:
    clock = FakeClock()
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    assert board.deliver(ticket, session_for(AT_A, clock), AT_B) is Delivery.MOVED_ON
    assert board.state is not LinkState.READY
    assert board.current is None
    assert board.pending is None
    assert board.hand_out(AT_B) is None
    assert board.hand_out(AT_A) is None  # not even when the form comes back


def test_an_answer_after_the_connection_moved_on_is_not_shown() -> None:
    clock = FakeClock()
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    moved = Binding(AT_A.patient, OTHER_KEY)
    assert board.deliver(ticket, session_for(AT_A, clock), moved) is Delivery.MOVED_ON
    assert board.current is None
    assert board.hand_out(moved) is None
    assert board.hand_out(AT_A) is None


def test_a_moved_on_answer_retires_the_older_link_too() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    older = board.current
    ticket = board.begin(purpose_for(AT_A))
    assert board.deliver(ticket, session_for(AT_A, clock), AT_B) is Delivery.MOVED_ON
    assert board.current is older  # the new link was never put up
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.OTHER_PATIENT
    assert board.hand_out(AT_B) is None
    assert board.hand_out(AT_A) is None


def test_a_new_link_for_the_named_patient_replaces_a_retired_one() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    board.rebind(AT_B)
    ticket = board.begin(purpose_for(AT_B))
    session = session_for(AT_B, clock)
    assert board.deliver(ticket, session, AT_B) is Delivery.SHOWN
    assert board.state is LinkState.READY
    assert board.retirement is None
    issued = board.hand_out(AT_B)
    assert issued is not None and issued.purpose.binding == AT_B
    assert board.hand_out(AT_A) is None


# --------------------------------------------------------------------- expiry


def test_the_link_expires_on_the_injected_clock() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock, ttl=60.0)
    clock.advance(59.9)
    assert board.check_expiry() is False
    assert board.hand_out(AT_A) is not None
    clock.advance(0.1)
    assert board.check_expiry() is True
    assert board.check_expiry() is False  # only "just ran out" once
    assert board.state is LinkState.EXPIRED
    assert board.retirement is Retirement.EXPIRED
    assert board.hand_out(AT_A) is None


def test_hand_out_itself_notices_expiry() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock, ttl=60.0)
    clock.advance(61)
    assert board.hand_out(AT_A) is None
    assert board.state is LinkState.EXPIRED
    assert board.retirement is Retirement.EXPIRED
    clock.now = 1000.0  # a clock that went back cannot revive it
    assert board.hand_out(AT_A) is None


def _jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_a_link_already_expired_on_arrival_is_never_ready() -> None:
    clock = FakeClock()
    server_now = 1_700_000_000.0
    token = _jwt({"exp": server_now - 5})
    link = LinkToken(token, f"https://link.tryvital.io/?token={token}", server_date=server_now)
    session = LinkSession.issue(LinkTokenRequest.build(UID_A), link, clock=clock)
    assert session.expired()
    board = LinkBoard()
    ticket = board.begin(purpose_for(AT_A))
    assert board.deliver(ticket, session, AT_A) is Delivery.SHOWN
    assert board.state is LinkState.EXPIRED
    assert board.retirement is Retirement.EXPIRED
    assert board.hand_out(AT_A) is None
    assert board.mark_done() is False


def test_the_tokens_own_expiry_is_honoured_on_the_board() -> None:
    clock = FakeClock()
    server_now = 1_700_000_000.0
    token = _jwt({"exp": server_now + 30})
    link = LinkToken(token, f"https://link.tryvital.io/?token={token}", server_date=server_now)
    session = LinkSession.issue(LinkTokenRequest.build(UID_A), link, ttl=600.0, clock=clock)
    board = LinkBoard()
    board.deliver(board.begin(purpose_for(AT_A)), session, AT_A)
    assert board.hand_out(AT_A) is not None
    clock.advance(30)
    assert board.hand_out(AT_A) is None
    assert board.retirement is Retirement.EXPIRED


def test_an_expired_link_then_another_patient_is_retired_for_the_patient() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock, ttl=60.0)
    clock.advance(60)
    board.check_expiry()
    assert board.rebind(AT_B) is True
    assert board.state is LinkState.RETIRED
    assert board.retirement is Retirement.OTHER_PATIENT


# ----------------------------------------------------------------------- done


def test_mark_done_only_from_ready() -> None:
    clock = FakeClock()
    assert LinkBoard().mark_done() is False  # empty

    board = ready_board(AT_A, clock)
    assert board.mark_done() is True
    assert board.state is LinkState.DONE
    assert board.mark_done() is False  # already done
    assert board.hand_out(AT_A) is None  # a spent link is not handed out again
    assert board.rebind(AT_B) is False  # and it stays done
    assert board.state is LinkState.DONE

    retired = ready_board(AT_A, clock)
    retired.rebind(AT_B)
    assert retired.mark_done() is False
    assert retired.state is LinkState.RETIRED

    expired = ready_board(AT_A, clock, ttl=10.0)
    clock.advance(10)
    expired.check_expiry()
    assert expired.mark_done() is False
    assert expired.state is LinkState.EXPIRED


def test_a_failure_after_done_keeps_it_done() -> None:
    clock = FakeClock()
    board = ready_board(AT_A, clock)
    board.mark_done()
    ticket = board.begin(purpose_for(AT_A))
    assert board.fail(ticket) is True  # it was the request in flight...
    assert board.state is LinkState.DONE  # ...but a spent link is not "replaced"
    assert board.retirement is None


def test_purpose_description_names_who_what_where() -> None:
    purpose = LinkPurpose(
        AT_A,
        LinkTokenRequest.build(UID_A, "oura"),
        "user 1b4e28ba…0016d3cca427",
        "Oura",
        "Sandbox · US",
    )
    assert purpose.description == "For user 1b4e28ba…0016d3cca427 · Oura · Sandbox · US"


# ------------------------------------------------------------------- property

PATIENTS = (patient_key(UID_A), patient_key(UID_B))
CONNECTIONS = (SANDBOX_US, OTHER_KEY)
BINDINGS = tuple(Binding(p, c) for p in PATIENTS for c in CONNECTIONS)

# Each event with its weight, so that begin -> deliver -> hand out sequences are common.
EVENTS = (
    ("form", 2),  # the desk edits the form: it names BINDINGS[a] now, and the board is told
    ("form_untold", 1),  # the form changes but the board is not told (a missed signal)
    ("begin", 3),  # Generate for what the form names now
    ("abandon", 1),
    ("deliver", 3),
    ("fail", 1),
    ("check_expiry", 1),
    ("mark_done", 1),
    ("advance", 2),
    ("hand_out", 5),  # for what the form names now (a = 3: for BINDINGS[b] instead)
)
EVENT_POOL = tuple(name for name, weight in EVENTS for _ in range(weight))
# Seconds a delivered token has left; 0 is a token already past its exp when it arrived.
LIFETIMES = (0.0, 5.0, 60.0, 600.0)
STEPS = (1.0, 5.0, 30.0, 61.0)

# (event, a, b, c) with a, b, c in 0..3: a picks the binding, the ticket (0 and 1: the
# newest, 2: the one before, 3: the one before that) or the clock step; for "deliver", c
# picks the link's lifetime.
event = st.tuples(
    st.sampled_from(EVENT_POOL), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)
)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(event, min_size=10, max_size=60))
def test_hand_out_only_ever_gives_a_ready_unexpired_link_bound_to_now(
    script: list[tuple[str, int, int, int]],
) -> None:
    clock = FakeClock()
    board = LinkBoard()
    form = BINDINGS[0]
    tickets: list[tuple[int, Binding]] = []
    finished: list[IssuedLink] = []  # links that were ever out of play: never again

    def pick(a: int) -> tuple[int, Binding] | None:
        back = max(0, a - 1)
        return tickets[-1 - back] if back < len(tickets) else None

    for name, a, b, c in script:
        chosen = pick(a)
        if name == "form":
            form = BINDINGS[a]
            board.rebind(form)
        elif name == "form_untold":
            form = BINDINGS[a]
        elif name == "begin":
            tickets.append((board.begin(purpose_for(form)), form))
        elif name == "abandon" and chosen:
            board.abandon(chosen[0])
        elif name == "deliver" and chosen:
            ticket, bound = chosen
            session = LinkSession(
                LinkTokenRequest.build(bound.patient),
                LINK,
                ttl=600.0,
                clock=clock,
                token_left=LIFETIMES[c],
            )
            if board.deliver(ticket, session, form) is Delivery.SHOWN:
                assert bound == form
                assert board.current is not None and board.current.session is session
            else:
                assert board.current is None or board.current.session is not session
        elif name == "fail" and chosen:
            board.fail(chosen[0])
        elif name == "check_expiry":
            board.check_expiry()
        elif name == "mark_done":
            board.mark_done()
        elif name == "advance":
            clock.advance(STEPS[a])
        elif name == "hand_out":
            now = BINDINGS[b] if a == 3 else form
            issued = board.hand_out(now)
            if issued is not None:
                hyp_event("handed out")
                assert board.state is LinkState.READY
                assert issued is board.current
                assert issued.purpose.binding == now
                assert not issued.session.expired()
                assert not any(done is issued for done in finished)
        current = board.current
        if current is not None and board.state is not LinkState.READY:
            if not any(done is current for done in finished):
                finished.append(current)
