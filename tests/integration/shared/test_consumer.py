"""The consumer over the real broker and database: once in effect, dead-letters with reasons."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from shared.events import new_event
from shared.messaging.consumer import EventConsumer, PermanentFailure
from tests.integration.shared.conftest import NOW, booking_event
from tests.support.system import ROOT, wait_until

pytestmark = pytest.mark.integration


def test_an_event_is_applied_once_and_recorded_in_processed_events(bus):
    bus.start_consumer(bus.subscription())
    event = booking_event("b-1")

    bus.publish_event(event)

    assert wait_until(lambda: bus.effect_count(event["id"]) == 1, 15)
    processed = bus.tables["processed_events"]
    with bus.db.read() as s:
        rows = s.execute(select(processed.c.consumer, processed.c.type)
                         .where(processed.c.event_id == event["id"])).all()
    assert [tuple(r) for r in rows] == [("bookings", "booking.held")]


def test_a_duplicate_delivery_changes_nothing(bus):
    bus.start_consumer(bus.subscription())
    event, marker = booking_event("b-dup"), booking_event("b-after")

    bus.publish_event(event)
    bus.publish_event(event)
    bus.publish_event(marker)

    assert wait_until(lambda: bus.effect_count(marker["id"]) == 1, 15)
    assert bus.effect_count(event["id"]) == 1
    assert wait_until(lambda: bus.depth(bus.queue("bookings")) == 0, 5)


def test_an_older_sequence_of_a_subject_is_ignored_but_another_event_family_of_it_is_not(bus):
    bus.start_consumer(bus.subscription(keys=("booking.*", "contact_request.*")))
    newer, older = booking_event("b-seq", 2, "booking.cancelled"), booking_event("b-seq", 1)
    other_family = new_event("contact_request.matched", "/attune/test", "b-seq", 1,
                             {"contact_request_id": "r-1", "clinician_id": "c-1", "start": NOW}, NOW)

    bus.publish_event(newer)
    bus.publish_event(older)
    bus.publish_event(other_family)

    assert wait_until(lambda: bus.effect_count(other_family["id"]) == 1, 15)
    assert bus.effect_count(newer["id"]) == 1
    assert bus.effect_count(older["id"]) == 0


def test_an_unordered_subscription_applies_every_sequence(bus):
    bus.start_consumer(bus.subscription("loose", ordered=False))
    newer, older = booking_event("b-loose", 2, "booking.cancelled"), booking_event("b-loose", 1)

    bus.publish_event(newer)
    bus.publish_event(older)

    assert wait_until(lambda: bus.effect_count() == 2, 15)


def test_poison_messages_are_dead_lettered_with_their_reason_and_the_next_good_one_is_applied(bus):
    bus.start_consumer(bus.subscription())
    unknown = {**booking_event("b-unknown"), "type": "booking.exploded"}
    bad_data = booking_event("b-bad")
    bad_data["data"]["status"] = "teleported"
    good = booking_event("b-good")

    bus.publish_raw(b"{not json", "booking.held", message_id="garbage")
    bus.publish_raw(json.dumps(unknown), "booking.held", message_id="unknown")
    bus.publish_raw(json.dumps(bad_data), "booking.held", message_id="bad-data")
    bus.publish_raw(json.dumps(booking_event("b-nohandler", type_="booking.hold_released")), "booking.hold_released",
                    message_id="no-handler")
    bus.publish_event(good)

    assert wait_until(lambda: bus.effect_count(good["id"]) == 1, 15)
    dead = bus.take_all(bus.queue("bookings") + ".dlq", expect=4)
    reasons = {m.properties["message_id"]: m.headers["x-attune-reason"] for m in dead}
    assert reasons["garbage"].startswith("not JSON")
    assert "type" in reasons["unknown"] and "Must be one of" in reasons["unknown"]
    assert "status" in reasons["bad-data"]
    assert "no handler for booking.hold_released" in reasons["no-handler"]
    assert {m.headers["x-attune-queue"] for m in dead} == {bus.queue("bookings")}
    assert bus.effect_count() == 1
    assert bus.depth(bus.queue("bookings")) == 0


def test_a_handler_that_keeps_failing_is_dead_lettered_and_its_transaction_rolled_back(bus):
    def broken(session, event, data):
        bus.record(session, event, data)
        raise PermanentFailure("clinician c-1 is unknown here")

    bus.start_consumer(bus.subscription(handler=broken))
    event = booking_event("b-broken")

    bus.publish_event(event)

    dead = bus.take_all(bus.queue("bookings") + ".dlq")
    assert [m.headers["x-attune-reason"] for m in dead] == ["PermanentFailure: clinician c-1 is unknown here"]
    assert bus.effect_count() == 0
    processed = bus.tables["processed_events"]
    with bus.db.read() as s:
        assert s.execute(select(func.count()).select_from(processed)).scalar() == 0


def test_a_transient_failure_is_retried_and_applied_once(bus):
    from sqlalchemy.exc import OperationalError

    calls = []

    def flaky(session, event, data):
        calls.append(event["id"])
        if len(calls) < 3:
            raise OperationalError("UPDATE x", {}, Exception("database is locked"))
        bus.record(session, event, data)

    bus.start_consumer(bus.subscription(handler=flaky), retry_delays=(0.01, 0.01, 0.01))
    event = booking_event("b-flaky")

    bus.publish_event(event)

    assert wait_until(lambda: bus.effect_count(event["id"]) == 1, 15)
    assert len(calls) == 3
    assert bus.depth(bus.queue("bookings") + ".dlq") == 0


def test_a_database_that_stays_away_requeues_until_the_delivery_limit_then_dead_letters(bus):
    from sqlalchemy.exc import OperationalError

    deliveries = []

    def down(session, event, data):
        raise OperationalError("INSERT x", {}, Exception("could not connect"))

    class Counting(EventConsumer):
        def on_message(self, sub, message):
            deliveries.append(int((message.headers or {}).get("x-delivery-count") or 0))
            super().on_message(sub, message)

    bus.start_consumer(bus.subscription(handler=down), consumer_class=Counting, retry_delays=(0.01,))

    bus.publish_event(booking_event("b-down"))

    dead = bus.take_all(bus.queue("bookings") + ".dlq")
    assert [m.headers["x-attune-reason"] for m in dead] == ["the database stayed unavailable"]
    assert deliveries == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("crash", ["before_commit", "after_commit"])
def test_a_consumer_that_crashes_before_ack_gets_the_message_again_and_applies_it_once(bus, crash):
    """A real process dies (os._exit) inside its handler or between commit and ack; another consumer
    receives the message again and the effect exists exactly once."""
    event = booking_event(f"b-crash-{crash}")
    sub = bus.subscription("crashy")
    bus.declare(sub)
    bus.publish_event(event)

    proc = subprocess.run([sys.executable, str(ROOT / "tests/integration/shared/crashing_consumer.py"),
                           bus.settings.amqp_url, bus.settings.exchange, bus.db.engine.url.render_as_string(False),
                           _schema(bus), crash], check=False, cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert proc.returncode == 17, proc.stderr[-2000:]
    assert bus.effect_count(event["id"]) == (1 if crash == "after_commit" else 0)

    redelivered = []

    class Watching(EventConsumer):
        def on_message(self, sub, message):
            redelivered.append((message.properties.get("message_id"), message.delivery_info.get("redelivered")))
            super().on_message(sub, message)

    bus.start_consumer(sub, consumer_class=Watching)

    assert wait_until(lambda: redelivered, 15) == [(event["id"], True)]
    assert wait_until(lambda: bus.effect_count(event["id"]) == 1, 15)
    bus.stops.pop()()
    assert bus.depth(bus.queue("crashy")) == 0
    assert bus.effect_count(event["id"]) == 1


def _schema(bus) -> str:
    if bus.db.sqlite:
        return "-"
    with bus.db.read() as s:
        return s.execute(select(func.current_schema())).scalar()


def test_when_dead_lettering_with_a_reason_fails_the_broker_dead_letters_the_rejected_message(bus):
    from kombu import Connection

    consumer = bus.start_consumer(bus.subscription())
    consumer._dead_letters = Connection("amqp://guest:guest@127.0.0.1:1//", connect_timeout=0.2,
                                        transport_options={"confirm_publish": True})
    good = booking_event("b-after-reject")

    bus.publish_raw(b"garbage", "booking.held", message_id="garbage")
    bus.publish_event(good)

    [dead] = bus.take_all(bus.queue("bookings") + ".dlq", timeout=20)
    assert dead.properties["message_id"] == "garbage"
    assert "x-attune-reason" not in dead.headers
    assert dead.headers["x-death"][0]["reason"] == "rejected"
    assert wait_until(lambda: bus.effect_count(good["id"]) == 1, 15)


def test_the_topology_declares_idempotently_on_a_fresh_broker_namespace(bus):
    from kombu import Connection

    sub = bus.subscription()
    bus.declare(sub)
    bus.declare(sub)  # a second worker starting, or a restart: same arguments, no error

    with Connection(bus.settings.amqp_url) as conn:
        channel = conn.channel()
        for exchange in (bus.settings.exchange, bus.settings.exchange + ".dlx"):
            channel.exchange_declare(exchange, "", passive=True)
        for queue in (bus.queue("bookings"), bus.queue("bookings") + ".dlq"):
            channel.queue_declare(queue, passive=True)
    bus.publish_event(booking_event("b-routed"))
    assert wait_until(lambda: bus.depth(bus.queue("bookings")) == 1, 5)
