"""PostgreSQL's one-statement writes: a hold, and a confirm, each written with its event by one
autocommitted statement, and what keeps them right when requests race.

A hold with nothing to release is one statement. Two requests of one session can both see the
session empty and race; the unique index on the session's held row refuses the second, which then
releases the first in a transaction. A confirm saves only if the row's sequence is still the one
it read, else it reads again. These run on PostgreSQL in every pass: the paths exist only there."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from booking_support import NOW, Booking, at
from sqlalchemy import text

from services.booking.adapters import appointments
from services.booking.domain.errors import HoldGone
from services.booking.domain.model import Appointment, Client
from services.booking.service_layer import holds
from services.booking.service_layer.rate_limit import Quota
from shared.clock import FrozenClock

SLOT, TTL = timedelta(minutes=15), timedelta(minutes=10)


@pytest.fixture
def pg_booking(make_container, pg_url) -> Booking:
    clock = FrozenClock(NOW)
    return Booking(make_container("booking", clock=clock, db_url=pg_url), clock)


def new_hold(cid: str, start, session: str | None = None) -> Appointment:
    return Appointment.hold(str(uuid.uuid4()), cid, start, SLOT, NOW + TTL, "token", session)


def test_a_hold_and_its_event_are_one_statement_refused_whole_when_the_slot_or_the_session_is_taken(pg_booking):
    cid, uow = pg_booking.clinician(), pg_booking.container.extra["uow"]
    first, same_session, same_slot = (new_hold(cid, at(0, "10:00"), "s1"), new_hold(cid, at(0, "10:15"), "s1"),
                                      new_hold(cid, at(0, "10:00"), "s2"))

    def place(h):
        try:
            return appointments.add_if_free_with_events(tx.session, h, tx.now, tx.rows(h))
        except appointments.SessionTaken:
            return "session taken"

    with uow.apart() as tx:
        placed = [place(h) for h in (first, same_session, same_slot)]

    assert placed == [True, "session taken", False]
    assert [(e["subject"], e["sequence"]) for e in pg_booking.events()] == [(first.id, 1)], \
        "a refused hold leaves neither its row nor its event"
    with pytest.raises(appointments.SessionTaken), uow.write() as tx:
        appointments.add_if_free(tx.session, same_session, tx.now)


def test_a_session_hold_racing_another_of_its_session_releases_it_instead_of_failing(pg_booking, pg_url):
    """The other request's hold is written but not committed when this one reads the session, so
    this one takes the one-statement path, waits on the index, is refused, and then releases it."""
    cid, uow = pg_booking.clinician(), pg_booking.container.extra["uow"]
    session_key = holds._session_key("tab-1")
    rival = new_hold(cid, at(0, "10:00"), session_key)
    result = {}

    engine = pg_booking.container.db.engine
    with engine.connect() as other:
        appointments.add_if_free(other, rival, NOW)  # uncommitted: invisible to the request below

        def place():
            result["hold"] = holds.place_hold(uow, cid, at(0, "10:15"), "tab-1", Quota("holds:test", 1000))[0]
        racer = threading.Thread(target=place)
        racer.start()
        assert _waits_on_a_lock(engine), "the one-statement insert waits on the session's index entry"
        other.commit()
        racer.join(10)

    hold = result["hold"]
    with engine.connect() as c:
        rows = dict(c.execute(text("SELECT id, status FROM appointments")).all())
    assert rows == {rival.id: "released", hold.id: "held"}
    released = pg_booking.events("booking.hold_released")
    assert [(e["subject"], e["sequence"]) for e in released] == [(rival.id, 2)]


def test_a_session_hold_whose_transaction_meets_a_newer_hold_of_its_session_tries_again(pg_booking):
    """Without a quota the session is not read up front, so the hold goes the transactional way; a
    rival hold of the session lands after it looked, and its insert is refused: it tries again."""
    cid, uow = pg_booking.clinician(), pg_booking.container.extra["uow"]
    rival = new_hold(cid, at(0, "11:00"), holds._session_key("tab-2"))
    result = {}

    engine = pg_booking.container.db.engine
    with engine.connect() as other:
        appointments.add_if_free(other, rival, NOW)

        def place():
            result["hold"] = holds.place_hold(uow, cid, at(0, "11:15"), "tab-2", quota=None)[0]
        racer = threading.Thread(target=place)
        racer.start()
        assert _waits_on_a_lock(engine, "INSERT INTO appointments%"), "the transaction's insert waits on the index"
        other.commit()
        racer.join(10)

    with engine.connect() as c:
        rows = dict(c.execute(text("SELECT id, status FROM appointments")).all())
    assert rows == {rival.id: "released", result["hold"].id: "held"}


def test_a_confirm_that_loses_a_race_with_the_sweeper_reads_again_and_answers_410(pg_booking):
    """The confirm reads the hold while an expiry of it is not yet committed; its conditional save
    then waits for the row, finds the sequence moved on, and reads the expired hold."""
    cid, uow = pg_booking.clinician(), pg_booking.container.extra["uow"]
    made = pg_booking.hold(cid, at(0, "12:00")).json
    outcome = {}

    engine = pg_booking.container.db.engine
    with engine.connect() as sweeper:
        [expired] = appointments.expire_due(sweeper, NOW + TTL + timedelta(minutes=1))
        assert expired.id == made["id"]

        def confirm():
            try:
                holds.confirm(uow, made["id"], made["token"], Client("Ada Client", "ada@example.org"), None)
            except HoldGone as e:
                outcome["error"] = e
        racer = threading.Thread(target=confirm)
        racer.start()
        assert _waits_on_a_lock(engine, "WITH written AS (UPDATE%"), "the conditional save waits on the row"
        sweeper.commit()
        racer.join(10)

    assert isinstance(outcome.get("error"), HoldGone)
    assert pg_booking.events("booking.confirmed") == []
    with engine.connect() as c:
        assert c.execute(text("SELECT status, sequence FROM appointments")).one() == ("expired", 2)


def _waits_on_a_lock(engine, query: str = "WITH written AS%", timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    with engine.connect() as c:
        while time.monotonic() < deadline:
            waiting = c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                     "AND query LIKE :q"), {"q": query}).scalar()
            c.rollback()
            if waiting:
                return True
            time.sleep(0.05)
    return False
