"""The consumer's policy per message, with a recording message and dead-letter producer: ack after
commit, once in effect, retries, requeues bounded by the delivery limit, dead-letters with reasons."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError

from shared import config
from shared.events import new_event
from shared.logging import request_id
from shared.messaging.consumer import EventConsumer, PermanentFailure, sequence_key
from shared.messaging.topology import DELIVERY_LIMIT, Subscription
from tests.unit.shared.conftest import NOW, booking_data


class Message:
    """What kombu hands the consumer, recording how it was settled."""

    def __init__(self, body, deliveries: int = 1, on_settle=None):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = {"x-delivery-count": deliveries - 1} if deliveries > 1 else {}
        self.properties = {"message_id": "m-1", "type": "booking.held"}
        self.content_type, self.content_encoding = "application/cloudevents+json", "utf-8"
        self.settled: list[str] = []
        self.on_settle = on_settle or (lambda: None)

    def ack(self):
        self.on_settle()
        self.settled.append("ack")

    def reject(self):
        self.settled.append("reject")

    def requeue(self):
        self.settled.append("requeue")


class DeadLetters:
    """Stands in for the dead-letter connection: records what would be published."""

    def __init__(self, fail: Exception | None = None):
        self.sent, self.fail = [], fail

    def Producer(self):
        return self

    def publish(self, body, **kw):
        if self.fail:
            raise self.fail
        self.sent.append((kw["routing_key"], kw["headers"]["x-attune-reason"], kw["delivery_mode"]))

    def collect(self):
        pass


@pytest.fixture
def make(store):
    def build(handler, ordered=True, dead_letters=None):
        settings = config.load("booking", {"BOOKING_DATABASE_URL": "sqlite://"})
        sub = Subscription("bookings", ("booking.*",), {"booking.held": handler, "booking.cancelled": handler},
                           ordered=ordered)
        consumer = EventConsumer(settings, store.db, store.tables, [sub], retry_delays=(0, 0))
        consumer._dead_letters = dead_letters or DeadLetters()
        return consumer, sub
    return build


def event(subject="bk_1", sequence=1, type_="booking.held"):
    return new_event(type_, "/attune/booking", subject, sequence, booking_data(subject), NOW)


def effects(store) -> int:
    with store.db.read() as s:
        return s.execute(select(func.count()).select_from(store.effects)).scalar()


def recorder(store, calls=None):
    def handler(session, ev, data):
        if calls is not None:
            calls.append(ev["id"])
        session.execute(insert(store.effects).values(event_id=ev["id"]))
    return handler


def test_the_message_is_acked_only_after_the_handlers_transaction_committed(store, make):
    consumer, sub = make(recorder(store))
    seen_at_ack = []
    msg = Message(event(), on_settle=lambda: seen_at_ack.append(effects(store)))

    consumer.on_message(sub, msg)

    assert msg.settled == ["ack"] and seen_at_ack == [1]


def test_a_redelivered_event_is_acked_without_running_the_handler_again(store, make):
    calls = []
    consumer, sub = make(recorder(store, calls))
    ev = event()

    consumer.on_message(sub, Message(ev))
    again = Message(ev, deliveries=2)
    consumer.on_message(sub, again)

    assert calls == [ev["id"]] and effects(store) == 1
    assert again.settled == ["ack"]


def test_a_stale_sequence_is_acked_and_skipped_in_an_ordered_subscription_only(store, make):
    for ordered, expected in ((True, 1), (False, 2)):
        calls = []
        consumer, sub = make(recorder(store, calls), ordered=ordered)
        subject = f"bk_{ordered}"
        consumer.on_message(sub, Message(event(subject, 5, "booking.cancelled")))
        consumer.on_message(sub, Message(event(subject, 4)))
        assert len(calls) == expected


def test_poison_is_dead_lettered_to_the_queues_twin_with_its_reason_and_acked(store, make):
    dead = DeadLetters()
    consumer, sub = make(recorder(store), dead_letters=dead)
    msg = Message(b"\x00garbage")

    consumer.on_message(sub, msg)

    assert msg.settled == ["ack"]
    [(queue, reason, mode)] = dead.sent
    assert (queue, mode) == ("booking.bookings", 2) and reason.startswith("not JSON")
    assert effects(store) == 0


def test_an_event_type_without_a_handler_here_is_dead_lettered(store, make):
    dead = DeadLetters()
    consumer, sub = make(recorder(store), dead_letters=dead)

    consumer.on_message(sub, Message(event(type_="booking.hold_expired")))

    assert dead.sent[0][1] == "booking.bookings has no handler for booking.hold_expired"


def test_a_handler_error_is_retried_then_dead_lettered_with_its_type_and_message(store, make):
    calls, dead = [], DeadLetters()

    def broken(session, ev, data):
        calls.append(1)
        raise KeyError("clinician")

    consumer, sub = make(broken, dead_letters=dead)
    msg = Message(event())

    consumer.on_message(sub, msg)

    assert len(calls) == 3  # first try and two retries
    assert dead.sent[0][1] == "KeyError: 'clinician'"
    assert msg.settled == ["ack"]


def test_a_permanent_failure_is_dead_lettered_without_retrying(store, make):
    calls, dead = [], DeadLetters()

    def refuses(session, ev, data):
        calls.append(1)
        raise PermanentFailure("never")

    consumer, sub = make(refuses, dead_letters=dead)
    consumer.on_message(sub, Message(event()))

    assert len(calls) == 1 and dead.sent[0][1] == "PermanentFailure: never"


def test_a_database_that_stays_away_requeues_until_the_last_allowed_delivery_then_dead_letters(store, make):
    def locked(session, ev, data):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    dead = DeadLetters()
    consumer, sub = make(locked, dead_letters=dead)
    early, last = Message(event(), deliveries=DELIVERY_LIMIT - 1), Message(event(), deliveries=DELIVERY_LIMIT)

    consumer.on_message(sub, early)
    consumer.on_message(sub, last)

    assert early.settled == ["requeue"]
    assert last.settled == ["ack"] and dead.sent[0][1] == "the database stayed unavailable"


def test_the_handler_runs_with_the_events_request_id_and_it_is_reset_after(store, make):
    seen = []
    consumer, sub = make(lambda session, ev, data: seen.append(request_id.get()))

    consumer.on_message(sub, Message({**event(), "requestid": "req-5"}))

    assert seen == ["req-5"] and request_id.get() is None


def test_when_the_dead_letter_publish_fails_the_message_is_rejected_to_the_brokers_dead_lettering(store, make):
    consumer, sub = make(recorder(store), dead_letters=DeadLetters(fail=ValueError("no route")))
    msg = Message(b"not json")

    consumer.on_message(sub, msg)

    assert msg.settled == ["reject"]


def test_an_unexpected_error_rejects_the_message_and_the_consumer_lives_on(store, make):
    consumer, sub = make(recorder(store))

    class Broken(Message):
        @property
        def body(self):
            raise RuntimeError("kombu surprise")

        @body.setter
        def body(self, value):
            pass

    msg = Broken(b"")
    consumer.on_message(sub, msg)

    assert msg.settled == ["reject"]


def test_order_is_kept_per_subject_and_event_family_in_at_most_64_characters():
    assert sequence_key({"type": "booking.held", "subject": "bk_1"}) == "booking:bk_1"
    assert sequence_key({"type": "clinician.updated", "subject": "c"}) != sequence_key(
        {"type": "availability.changed", "subject": "c"})
    assert len(sequence_key({"type": "contact_request.created", "subject": "x" * 80})) <= 64


def test_failure_logs_carry_the_event_id_but_never_the_clients_details(store, make):
    import io
    import logging

    from shared import logging as attune_logging

    stream, root = io.StringIO(), logging.getLogger()
    saved = root.handlers[:], root.level
    attune_logging.configure("booking", "INFO", stream)
    dead = DeadLetters()

    def leaky(session, ev, data):
        raise ValueError(f"duplicate key (email)=({data['client']['email']})")

    consumer, sub = make(leaky, dead_letters=dead)
    sub.handlers["booking.confirmed"] = leaky
    ev = new_event("booking.confirmed", "/attune/booking", "bk_9", 1,
                   {**booking_data("bk_9", "confirmed"), "client": {"name": "Alex Example",
                                                                    "email": "alex@example.org"}}, NOW)
    try:
        consumer.on_message(sub, Message({**ev, "requestid": "req-1"}))
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert "alex@example.org" not in stream.getvalue() and "Alex" not in stream.getvalue()
    assert any(line.get("event_id") == ev["id"] and line["request_id"] == "req-1" for line in lines)
    assert "alex@example.org" in dead.sent[0][1]  # the reason stays inside the broker
