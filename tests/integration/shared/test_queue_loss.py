"""A service's queue deleted while events flow: the consumer re-declares it and asks the publishers for
a replay, so every event still reaches the service (once); messages no queue took are counted."""
from __future__ import annotations

import threading
import time

import pytest
from kombu import Connection
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from shared import metrics
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay, drain
from shared.messaging.topology import replay_queue_name
from tests.integration.shared.conftest import booking_data
from tests.support.system import wait_until

pytestmark = pytest.mark.integration


def replaying_relay(bus) -> tuple[OutboxRelay, threading.Event]:
    s = bus.settings
    publisher = ConfirmingPublisher(s.amqp_url, s.exchange, replay_queue=replay_queue_name(s.queue_prefix, s.service))
    relay, stop = OutboxRelay(bus.db, bus.tables["outbox"], publisher), threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    bus.stops.append(lambda: (stop.set(), thread.join(timeout=10)))
    return relay, stop


def counted(name: str, **labels) -> float:
    """A counter's value in this process's registry (0 before its first increment)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def applied(bus) -> tuple[int, int]:
    """(effects written, distinct events among them)."""
    with bus.db.read() as s:
        return s.execute(select(func.count(), func.count(bus.effects.c.event_id.distinct()))).one()


def test_every_event_reaches_the_service_although_its_queue_was_deleted_while_events_flowed(bus):
    def slow(session, event, data):  # a consumer that lags behind, so the queue holds a backlog
        time.sleep(0.01)
        bus.record(session, event, data)

    consumer = bus.start_consumer(bus.subscription(handler=slow))
    relay, _ = replaying_relay(bus)
    queue = {"service": "booking", "queue": bus.queue("bookings")}
    replayed = {"service": metrics.service(), "queue": bus.queue("bookings")}
    losses, resent = counted("attune_queue_losses_total", **queue), counted("attune_events_replayed_total", **replayed)
    written = [bus.write("booking.held", f"b-{i}", booking_data(f"b-{i}"))["id"] for i in range(40)]
    assert wait_until(lambda: bus.unpublished() == 0, 10)

    with Connection(bus.settings.amqp_url) as conn:  # the queue goes while it still holds most of them
        conn.channel().queue_delete(bus.queue("bookings"))
    for i in range(40, 80):  # ... and events keep coming while it is gone and after it is back
        written.append(bus.write("booking.held", f"b-{i}", booking_data(f"b-{i}"))["id"])
        time.sleep(0.01)

    assert wait_until(lambda: applied(bus)[1] == len(written), 30, 0.2), f"applied {applied(bus)} of {len(written)}"
    time.sleep(0.5)  # replayed duplicates still arriving are dropped, not applied again
    assert applied(bus) == (80, 80), "every event applied exactly once"
    assert consumer.queue_losses == 1 and consumer.last_queue_loss_at is not None
    assert relay.replayed >= 1
    assert counted("attune_queue_losses_total", **queue) - losses == 1, "/metrics shows the lost queue"
    assert counted("attune_events_replayed_total", **replayed) - resent == relay.replayed, "... and the replay"


def test_a_message_no_queue_takes_is_counted_and_a_first_start_asks_no_replay(bus):
    relay = OutboxRelay(bus.db, bus.tables["outbox"], ConfirmingPublisher(bus.settings.amqp_url, bus.settings.exchange))
    bus.stops.append(relay.close)
    bus.write("booking.held", "b-nowhere", booking_data("b-nowhere"))
    nowhere = {"service": metrics.service(), "routing_key": "booking.held"}
    before = counted("attune_events_unroutable_total", **nowhere)

    assert drain(relay) == 1

    assert relay.unroutable == 1 and relay.last_unroutable_at is not None
    assert counted("attune_events_unroutable_total", **nowhere) - before == 1, "/metrics shows it too"
    assert bus.unpublished() == 0, "confirmed by the broker: sent, counted as gone nowhere"
    consumer = bus.start_consumer(bus.subscription())
    assert consumer.queue_losses == 0, "a queue never used before is no loss"
