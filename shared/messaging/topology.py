"""Broker topology in one place: the topic exchange, the dead-letter exchange, each service's queues.

Queue names say who consumes what (`availability.booking-events`); each has a `.dlq` twin.
Everything is declared idempotently at start, so a fresh broker needs no manual setup.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kombu import Exchange, Queue, binding

DELIVERY_LIMIT = 5


@dataclass(frozen=True)
class Subscription:
    """One durable queue of one service, bound to the routing keys it needs."""

    purpose: str
    routing_keys: tuple[str, ...]
    handlers: dict = field(default_factory=dict, hash=False, compare=False)
    ordered: bool = True  # ignore events whose per-subject sequence is not newer than the last applied


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True)


def dead_letter_exchange(name: str) -> Exchange:
    return Exchange(f"{name}.dlx", type="direct", durable=True)


def queue_name(prefix: str, service: str, purpose: str) -> str:
    return f"{prefix}{service}.{purpose}"


def queues_for(exchange_name: str, prefix: str, service: str, sub: Subscription) -> tuple[Queue, Queue]:
    """The work queue (quorum, dead-lettering, delivery limit) and its dead-letter twin."""
    name = queue_name(prefix, service, sub.purpose)
    dlx = dead_letter_exchange(exchange_name)
    exchange = events_exchange(exchange_name)
    work = Queue(
        name,
        bindings=[binding(exchange, routing_key=key) for key in sub.routing_keys],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": dlx.name,
            "x-dead-letter-routing-key": name,
            "x-delivery-limit": DELIVERY_LIMIT,
        },
    )
    dead = Queue(f"{name}.dlq", exchange=dlx, routing_key=name, durable=True,
                 queue_arguments={"x-queue-type": "quorum"})
    return work, dead


def declare(channel, exchange_name: str, queues: list[Queue]) -> None:
    events_exchange(exchange_name)(channel).declare()
    dead_letter_exchange(exchange_name)(channel).declare()
    for q in queues:
        q(channel).declare()


def replay_exchange(name: str) -> Exchange:
    """Where a consumer that lost its queue asks every publishing service to send recent events again."""
    return Exchange(f"{name}.replay", type="fanout", durable=True)


def replay_queue_name(prefix: str, service: str) -> str:
    return f"{prefix}{service}.replay"


def declare_replay_queue(channel, exchange_name: str, queue: str) -> None:
    """The relay's queue of replay requests (one per publishing service, shared by its replicas)."""
    replays = replay_exchange(exchange_name)
    replays(channel).declare()
    Queue(queue, exchange=replays, durable=True, queue_arguments={"x-queue-type": "quorum"})(channel).declare()


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` is zero or more."""
    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and (p[0] == "*" or p[0] == k[0]) and match(p[1:], k[1:])

    return match(pattern.split("."), key.split("."))
