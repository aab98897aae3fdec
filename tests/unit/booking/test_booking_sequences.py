"""Per-subject sequences written by a unit of work: a new aggregate starts at 1 without a lookup,
one already written to in the transaction continues from there, any other is looked up."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.booking.domain.model import Appointment
from services.booking.domain.rules import Policy
from services.booking.service_layer.unit_of_work import Tx

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Outbox:
    """Stands in for the outbox table: remembers the last sequence per subject and the lookups."""

    def __init__(self, stored: dict[str, int] | None = None):
        self.stored, self.lookups, self.written = dict(stored or {}), [], []

    def add(self, session, type_, subject, data, now, after=None):
        if after is None:
            self.lookups.append(subject)
            after = self.stored.get(subject, 0)
        self.stored[subject] = after + 1
        self.written.append((subject, type_, after + 1))
        return {"sequence": after + 1}


def tx(outbox) -> Tx:
    return Tx(session=None, now=NOW, outbox=outbox, policy=Policy())


def hold(id_: str) -> Appointment:
    return Appointment.hold(id_, "cl-1", NOW + timedelta(days=1), timedelta(minutes=15), NOW + timedelta(minutes=10),
                            "token")


def test_a_new_hold_starts_at_one_without_a_lookup_and_its_next_event_follows_in_the_same_transaction():
    outbox, appt = Outbox(), hold("b-1")
    t = tx(outbox)

    t.record(appt)
    appt.expire()
    t.record(appt)

    assert outbox.written == [("b-1", "booking.held", 1), ("b-1", "booking.hold_expired", 2)]
    assert outbox.lookups == []


def test_an_aggregate_loaded_from_the_database_has_its_last_sequence_looked_up_once_per_transaction():
    outbox, appt = Outbox(stored={"b-2": 4}), hold("b-2")
    appt.new, appt.events = False, []  # as loaded: its earlier events are in the outbox

    first = tx(outbox)
    appt.expire()
    first.record(appt)
    second = tx(outbox)
    appt.status = "held"
    appt.expire()
    second.record(appt)

    assert [w[2] for w in outbox.written] == [5, 6]
    assert outbox.lookups == ["b-2", "b-2"], "a new transaction looks again: others may have written since"


def test_a_recorded_hold_is_no_longer_new_so_a_later_transaction_looks_its_sequence_up():
    outbox, appt = Outbox(), hold("b-3")
    tx(outbox).record(appt)

    appt.expire()
    tx(outbox).record(appt)

    assert outbox.written[-1] == ("b-3", "booking.hold_expired", 2) and outbox.lookups == ["b-3"]
