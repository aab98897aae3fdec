"""The outbox relay over the real broker and database: confirmed, persistent, once, through outages."""
from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError
from sqlalchemy import select

from shared.messaging import publisher as publisher_module
from shared.messaging.consumer import RECONNECT_MAX
from shared.messaging.relay import drain
from tests.integration.shared.conftest import NOW, booking_data
from tests.support import infra
from tests.support.system import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def tap(bus):
    """A plain queue bound to every routing key of the test's exchange: counts raw publishes."""
    name = f"test-tap-{infra.rand()}"
    with Connection(bus.settings.amqp_url) as conn:
        Queue(name, Exchange(bus.settings.exchange, "topic", durable=True), routing_key="#",
              durable=True)(conn.channel()).declare()
    yield name
    with Connection(bus.settings.amqp_url) as conn:
        conn.channel().queue_delete(name)


def test_the_relay_publishes_persistent_cloudevents_whose_properties_repeat_the_envelope(bus, tap):
    event = bus.write("booking.held", "b-props", booking_data("b-props"))

    assert drain(bus.relay()) == 1

    [msg] = bus.take_all(tap)
    assert json.loads(msg.body) == event
    assert msg.delivery_info["routing_key"] == "booking.held"
    p = msg.properties
    assert (p["message_id"], p["type"], p["delivery_mode"]) == (event["id"], "booking.held", 2)
    assert p["content_type"] == "application/cloudevents+json"
    assert p["timestamp"] == int(NOW.timestamp())
    assert bus.unpublished() == 0


def test_rows_stay_unsent_when_the_broker_cannot_be_reached(bus):
    bus.write("booking.held", "b-unconfirmed", booking_data("b-unconfirmed"))
    relay = bus.relay()
    relay.publisher.url = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there

    with pytest.raises(OperationalError):
        relay.relay_once()

    assert bus.unpublished() == 1


def test_several_relays_at_once_publish_every_row_exactly_once(bus, tap):
    with bus.db.write() as s:
        events = [bus.outbox.add(s, "booking.held", f"b-many-{i}", booking_data(f"b-many-{i}"), NOW)
                  for i in range(600)]
    relays = [bus.relay(batch_size=50) for _ in range(3)]

    threads = [threading.Thread(target=drain, args=(r, 30)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in relays:  # a relay that found the lock taken returned early: finish the job
        drain(r)

    ids = [json.loads(m.body)["id"] for m in bus.take_all(tap, expect=600, timeout=20)]
    assert sorted(ids) == sorted(e["id"] for e in events)
    assert len(ids) == len(set(ids))
    assert bus.unpublished() == 0


def test_a_running_relay_publishes_soon_after_commit_and_an_idle_one_keeps_its_connection(bus, tap, caplog,
                                                                                          monkeypatch):
    monkeypatch.setattr(publisher_module, "HEARTBEAT", 1)  # the broker drops a silent connection after 2 s
    caplog.set_level(logging.WARNING, logger="attune.relay")
    bus.start_relay()
    bus.write("booking.held", "b-first", booking_data("b-first"))
    assert len(bus.take_all(tap)) == 1

    time.sleep(3.5)
    bus.write("booking.held", "b-later", booking_data("b-later"))

    assert len(bus.take_all(tap)) == 1
    assert [r.getMessage() for r in caplog.records if r.name == "attune.relay"] == []


@pytest.mark.own_broker
def test_an_event_written_while_the_broker_is_stopped_is_delivered_after_it_returns_once_in_effect(bus, own_broker,
                                                                                                  caplog):
    """The broker (the test's own node) stopped for a few seconds: the relay backs off, the consumer
    reconnects by itself (trying every RECONNECT_MAX seconds at most), and the event written meanwhile
    is applied exactly once."""
    consumer = bus.start_consumer(bus.subscription())
    bus.start_relay()
    before = bus.write("booking.held", "b-before", booking_data("b-before"))
    bus.publish_raw(b"garbage", "booking.held", message_id="poison-before")
    assert wait_until(lambda: bus.effect_count(before["id"]) == 1, 15)
    assert len(bus.take_all(bus.queue("bookings") + ".dlq")) == 1

    with own_broker.down():
        during = bus.write("booking.held", "b-during", booking_data("b-during"))
        assert not wait_until(lambda: bus.unpublished() == 0, 1.5)

    assert wait_until(lambda: bus.effect_count(during["id"]) == 1, 60)
    assert wait_until(consumer.ready.is_set, 30)
    waits = [r.retry_in for r in caplog.records if r.getMessage() == "broker unreachable, reconnecting"]
    assert waits and max(waits) <= RECONNECT_MAX, f"kombu's backoff grows to 30 s: {waits}"
    after = bus.write("booking.held", "b-after", booking_data("b-after"))
    assert wait_until(lambda: bus.effect_count(after["id"]) == 1, 30)
    bus.publish_raw(b"garbage", "booking.held", message_id="poison-after")
    [dead] = bus.take_all(bus.queue("bookings") + ".dlq")
    assert dead.headers["x-attune-reason"].startswith("not JSON")
    assert [bus.effect_count(e["id"]) for e in (before, during, after)] == [1, 1, 1]
    assert bus.unpublished() == 0
    t = bus.tables["processed_events"]
    with bus.db.read() as s:
        assert len(s.execute(select(t.c.event_id)).all()) == 3
