"""Per-subject sequences written by a unit of work: an appointment counts its own events (the count is
stored with its row), a new aggregate starts at 1, one already written to in the transaction continues
from there; only an aggregate that keeps no count of its own is looked up."""
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
        event, row = self.row(type_, subject, after + 1, data, now)
        self.write(session, [row])
        return event

    def row(self, type_, subject, sequence, data, now):
        return {"sequence": sequence}, {"subject": subject, "type": type_, "sequence": sequence}

    def write(self, session, rows):
        for r in rows:
            self.stored[r["subject"]] = r["sequence"]
            self.written.append((r["subject"], r["type"], r["sequence"]))


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


def test_an_appointment_loaded_from_the_database_continues_from_its_stored_sequence_without_a_lookup():
    outbox, appt = Outbox(stored={"b-2": 4}), hold("b-2")
    appt.events, appt.sequence = [], 4  # as loaded: its row says four events were written

    appt.expire()
    assert appt.sequence == 5, "the row is saved with the sequence of the event about to be written"
    tx(outbox).record(appt)

    assert outbox.written == [("b-2", "booking.hold_expired", 5)]
    assert outbox.lookups == []


def test_several_events_of_one_change_are_numbered_in_order_from_the_stored_sequence():
    outbox, appt = Outbox(), hold("b-3")
    appt.events, appt.sequence, appt.status = [], 7, "held"
    appt.expire()
    appt.status = "held"
    appt.expire()

    tx(outbox).record(appt)

    assert [w[2] for w in outbox.written] == [8, 9] and appt.sequence == 9


class Counterless:
    """An aggregate that does not count its events (as a contact request): its last one is looked up."""

    def __init__(self, subject: str, new: bool = False):
        self.subject, self.new, self.events = subject, new, []

    def pull_events(self):
        events, self.events = self.events, []
        return events


def test_an_aggregate_without_its_own_count_is_looked_up_once_per_transaction_unless_new():
    outbox, loaded, created = Outbox(stored={"c-1": 2}), Counterless("c-1"), Counterless("c-2", new=True)
    loaded.events = [("contact_request.matched", {}), ("contact_request.matched", {})]
    created.events = [("contact_request.created", {})]

    first = tx(outbox)
    first.record(loaded, created)
    loaded.events = [("contact_request.matched", {})]
    tx(outbox).record(loaded)

    assert outbox.written == [("c-1", "contact_request.matched", 3), ("c-1", "contact_request.matched", 4),
                              ("c-2", "contact_request.created", 1), ("c-1", "contact_request.matched", 5)]
    assert outbox.lookups == ["c-1", "c-1"], "a new transaction looks again: others may have written since"
