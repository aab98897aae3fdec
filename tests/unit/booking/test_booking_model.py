"""The appointment aggregate: its statuses and the one event it records for each change."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.booking.domain import tokens
from services.booking.domain.errors import Conflict, HoldGone
from services.booking.domain.model import Appointment, Client
from shared.clock import FrozenClock

SLOT = timedelta(minutes=15)
START = datetime(2026, 3, 3, 10, tzinfo=UTC)


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 3, 2, 7, tzinfo=UTC))


def hold(clock, token="t0k3n") -> Appointment:
    return Appointment.hold("b1", "c1", START, SLOT, clock.now() + timedelta(minutes=10), token, session=None)


def types(appt: Appointment) -> list[str]:
    return [t for t, _ in appt.pull_events()]


def test_a_new_hold_records_booking_held_with_its_expiry_and_keeps_only_the_tokens_hash(clock):
    appt = hold(clock)

    [(type_, data)] = appt.pull_events()
    assert type_ == "booking.held" and data["expires_at"] == clock.now() + timedelta(minutes=10)
    assert data["end"] == START + SLOT and data["status"] == "held"
    assert appt.hold_token_hash == tokens.digest("t0k3n") and "t0k3n" not in repr(appt)


def test_a_hold_counts_only_until_its_expiry(clock):
    appt = hold(clock)
    clock.advance(minutes=10)

    assert not appt.holding(clock.now())


def test_confirming_records_the_client_and_only_a_sealed_manage_token_in_booking_confirmed(clock):
    appt = hold(clock)
    appt.pull_events()

    appt.confirm(Client("Ada", "ada@example.org", time_zone="Europe/Dublin"), "notes", "m4nage", clock.now(),
                 "gAAAAA-sealed")

    [(type_, data)] = appt.pull_events()
    assert type_ == "booking.confirmed" and data["status"] == "confirmed"
    assert data["client"] == {"name": "Ada", "email": "ada@example.org", "phone": None,
                              "time_zone": "Europe/Dublin"}
    assert data["sealed_manage_token"] == "gAAAAA-sealed" and "m4nage" not in str(data)
    assert appt.manage_token_hash == tokens.digest("m4nage")


def test_an_expired_or_released_hold_cannot_be_confirmed(clock):
    released, expired = hold(clock), hold(clock)
    released.release(clock.now())
    clock.advance(minutes=11)

    for appt in (released, expired):
        with pytest.raises(HoldGone):
            appt.confirm(Client("Ada", "ada@example.org"), None, "m", clock.now())


def test_releasing_a_live_hold_records_a_release_and_a_stale_one_expires_instead(clock):
    live, stale = hold(clock), hold(clock)
    live.pull_events(), stale.pull_events()
    assert live.release(clock.now())
    clock.advance(minutes=11)

    assert stale.release(clock.now())
    assert not live.release(clock.now())
    assert (types(live), live.status) == (["booking.hold_released"], "released")
    assert (types(stale), stale.status) == (["booking.hold_expired"], "expired")


def test_a_booking_cannot_be_released_but_is_cancelled_once(clock):
    appt = hold(clock)
    appt.confirm(Client("Ada", "ada@example.org"), None, "m", clock.now())
    appt.pull_events()

    with pytest.raises(Conflict):
        appt.release(clock.now())
    appt.cancel("moved away", "client")
    appt.cancel("again", "client")

    assert types(appt) == ["booking.cancelled"] and appt.cancel_reason == "moved away"


def test_rescheduling_records_where_the_booking_was_and_a_cancelled_one_cannot_move(clock):
    appt = hold(clock)
    appt.confirm(Client("Ada", "ada@example.org"), None, "m", clock.now())
    appt.pull_events()

    appt.reschedule(START + timedelta(hours=2), SLOT)

    [(type_, data)] = appt.pull_events()
    assert type_ == "booking.rescheduled" and data["previous_start"] == START and data["previous_end"] == START + SLOT
    assert data["start"] == START + timedelta(hours=2) and "client" not in data
    appt.cancel(None, "staff")
    with pytest.raises(Conflict):
        appt.reschedule(START, SLOT)
