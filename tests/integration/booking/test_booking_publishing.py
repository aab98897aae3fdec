"""The booking worker's events reach the broker in mixed batches: some routed to a queue, some not."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kombu import Connection, Exchange, Queue

from shared.events import new_event
from shared.messaging.publisher import ConfirmingPublisher
from tests.support import infra

pytestmark = pytest.mark.integration


def test_a_batch_whose_confirms_come_out_of_order_is_confirmed(amqp_url, exchange_name):
    """Only hold_expired has a queue: those confirms come after the queue stored them, the others
    at once, so acks for later tags overtake earlier ones."""
    now = datetime.now(UTC)
    data = {"booking_id": "b", "clinician_id": "c", "start": now, "end": now, "status": "held"}
    bodies = [json.dumps(new_event("booking.hold_expired" if i % 7 == 0 else "booking.held", "/attune/booking",
                                   f"b{i}", 1, data, now)) for i in range(300)]
    queue = f"test-expired-{infra.rand()}"
    with Connection(amqp_url) as conn:
        Queue(queue, Exchange(exchange_name, "topic", durable=True), routing_key="booking.hold_expired",
              durable=True)(conn.channel()).declare()
    publisher = ConfirmingPublisher(amqp_url, exchange_name, confirm_timeout=5)
    try:
        for _ in range(3):
            publisher.publish(bodies)
    finally:
        publisher.close()
        infra.delete_broker_objects(amqp_url, exchange_name, [])
        with Connection(amqp_url) as conn:
            conn.channel().queue_delete(queue)
