"""Broker topology: who consumes what, quorum queues with a dead-letter twin and a delivery limit."""
from __future__ import annotations

from shared.messaging.publisher import amqp_properties
from shared.messaging.topology import (
    DELIVERY_LIMIT,
    Subscription,
    dead_letter_exchange,
    events_exchange,
    queues_for,
)


def test_the_events_exchange_is_a_durable_topic_and_its_dead_letter_exchange_is_direct():
    ex, dlx = events_exchange("attune.events"), dead_letter_exchange("attune.events")

    assert (ex.name, ex.type, ex.durable) == ("attune.events", "topic", True)
    assert (dlx.name, dlx.type, dlx.durable) == ("attune.events.dlx", "direct", True)


def test_a_subscription_gets_a_durable_quorum_queue_bound_to_its_keys_that_dead_letters_to_its_twin():
    sub = Subscription("booking-events", ("booking.*", "contact_request.matched"))

    work, dead = queues_for("attune.events", "", "availability", sub)

    assert work.name == "availability.booking-events" and work.durable
    assert sorted(b.routing_key for b in work.bindings) == ["booking.*", "contact_request.matched"]
    assert {b.exchange.name for b in work.bindings} == {"attune.events"}
    assert work.queue_arguments == {"x-queue-type": "quorum", "x-dead-letter-exchange": "attune.events.dlx",
                                    "x-dead-letter-routing-key": "availability.booking-events",
                                    "x-delivery-limit": DELIVERY_LIMIT}
    assert (dead.name, dead.exchange.name, dead.routing_key) == (
        "availability.booking-events.dlq", "attune.events.dlx", "availability.booking-events")
    assert dead.durable and dead.queue_arguments == {"x-queue-type": "quorum"}


def test_queues_of_another_exchange_carry_its_name():
    work, dead = queues_for("attune.test.x1", "attune.test.x1:", "booking", Subscription("clinicians", ("#",)))

    assert (work.name, dead.name) == ("attune.test.x1:booking.clinicians", "attune.test.x1:booking.clinicians.dlq")


def test_amqp_properties_repeat_the_envelope_and_ask_for_persistence():
    event = {"id": "ev-1", "type": "booking.held", "time": "2026-03-02T09:00:00Z", "source": "/attune/booking"}

    assert amqp_properties(event) == {"message_id": "ev-1", "type": "booking.held", "timestamp": 1772442000,
                                      "delivery_mode": 2, "app_id": "/attune/booking"}
