"""A messaging bench of its own per test: outbox and effect tables, a real broker, its own exchange."""
from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from kombu import Connection, Exchange
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from shared import config
from shared.db import Database, make_engine
from shared.events import new_event
from shared.messaging.consumer import EventConsumer
from shared.messaging.outbox import Outbox
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay
from shared.messaging.tables import add_messaging_tables, install_outbox_notify
from shared.messaging.topology import Subscription, declare, queues_for
from tests.support import infra
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def booking_data(booking_id: str, status: str = "held") -> dict:
    return {"booking_id": booking_id, "clinician_id": "c-1", "start": datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
            "end": datetime(2026, 3, 3, 15, 15, tzinfo=UTC), "status": status}


def booking_event(booking_id: str, sequence: int = 1, type_: str = "booking.held") -> dict:
    return new_event(type_, "/attune/test", booking_id, sequence, booking_data(booking_id), NOW)


@dataclass
class Bus:
    """One service's messaging parts over a test database, plus an `effects` table handlers write to."""

    settings: config.Settings
    db: Database
    tables: dict
    effects: Table
    outbox: Outbox
    stops: list = field(default_factory=list)

    def record(self, session, event: dict, data: dict) -> None:
        """A handler whose effect can be counted."""
        session.execute(insert(self.effects).values(event_id=event["id"], subject=event["subject"],
                                                    note=event["type"]))

    def effect_count(self, event_id: str | None = None) -> int:
        q = select(func.count()).select_from(self.effects)
        if event_id:
            q = q.where(self.effects.c.event_id == event_id)
        with self.db.read() as s:
            return s.execute(q).scalar()

    def subscription(self, purpose: str = "bookings", handler=None, keys=("booking.*",), **kw) -> Subscription:
        handler = handler or self.record
        types = ("booking.held", "booking.confirmed", "booking.cancelled", "contact_request.matched")
        return Subscription(purpose, keys, {t: handler for t in types}, **kw)

    def start_consumer(self, *subs: Subscription, consumer_class=EventConsumer, **kw) -> EventConsumer:
        consumer = consumer_class(self.settings, self.db, self.tables, list(subs), **kw)
        thread = threading.Thread(target=consumer.run, daemon=True)
        thread.start()
        self.stops.append(lambda: (consumer.stop(), thread.join(timeout=10)))
        assert consumer.ready.wait(15), "the consumer did not start consuming"
        return consumer

    def declare(self, sub: Subscription) -> None:
        with Connection(self.settings.amqp_url) as conn:
            s = self.settings
            declare(conn.channel(), s.exchange, list(queues_for(s.exchange, s.queue_prefix, s.service, sub)))

    def relay(self, **kw) -> OutboxRelay:
        relay = OutboxRelay(self.db, self.tables["outbox"],
                            ConfirmingPublisher(self.settings.amqp_url, self.settings.exchange), **kw)
        self.stops.append(relay.close)
        return relay

    def start_relay(self, **kw) -> OutboxRelay:
        relay, stop = self.relay(**kw), threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        self.stops.append(lambda: (stop.set(), thread.join(timeout=10)))
        return relay

    def write(self, type_: str, subject: str, data: dict) -> dict:
        with self.db.write() as s:
            return self.outbox.add(s, type_, subject, data, NOW)

    def unpublished(self) -> int:
        t = self.tables["outbox"]
        with self.db.read() as s:
            return s.execute(select(func.count()).select_from(t).where(t.c.published_at.is_(None))).scalar()

    def queue(self, purpose: str) -> str:
        return f"{self.settings.queue_prefix}{self.settings.service}.{purpose}"

    def publish_raw(self, body: bytes | str, routing_key: str, **props) -> None:
        with Connection(self.settings.amqp_url, transport_options={"confirm_publish": True}) as conn:
            conn.Producer().publish(body, exchange=Exchange(self.settings.exchange, "topic", durable=True),
                                    routing_key=routing_key, content_type="application/cloudevents+json",
                                    content_encoding="utf-8", delivery_mode=2, **props)

    def publish_event(self, event: dict) -> None:
        self.publish_raw(json.dumps(event), event["type"], message_id=event["id"], type=event["type"])

    def take_all(self, queue: str, timeout: float = 10, expect: int = 1) -> list:
        """Gets (and acks) messages from a queue until `expect` arrived or `timeout` passed."""
        got: list = []
        with Connection(self.settings.amqp_url) as conn:
            channel = conn.channel()

            def more():
                while (msg := channel.basic_get(queue, no_ack=True)) is not None:
                    got.append(msg)
                return len(got) >= expect

            wait_until(more, timeout, 0.05)
        return got

    def depth(self, queue: str) -> int:
        with Connection(self.settings.amqp_url) as conn:
            return conn.channel().queue_declare(queue, passive=True).message_count


def messaging_tables() -> tuple[MetaData, dict, Table]:
    """The messaging tables and an `effects` table that handlers write to."""
    metadata = MetaData()
    tables = add_messaging_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                    Column("event_id", String(36), nullable=False), Column("subject", String(64)),
                    Column("note", String(200)))
    return metadata, tables, effects


@pytest.fixture
def bus(request, database_url, exchange_name):
    # a test marked own_broker stops the broker: it gets a node of its own, never the machine's
    own = request.node.get_closest_marker("own_broker") is not None
    amqp = request.getfixturevalue("own_broker").url if own else request.getfixturevalue("amqp_url")
    metadata, tables, effects = messaging_tables()
    schema = f"msg_t{infra.rand(6)}"
    engine = make_engine(database_url, schema)
    metadata.create_all(engine)
    with engine.begin() as conn:
        install_outbox_notify(conn)
    settings = config.load("booking", {"AMQP_URL": amqp, "ATTUNE_EXCHANGE": exchange_name,
                                       "BOOKING_DATABASE_URL": database_url})
    made = Bus(settings, Database(engine), tables, effects, Outbox(tables["outbox"], "/attune/booking"))
    yield made
    for stop in reversed(made.stops):
        stop()
    engine.dispose()
    if database_url.startswith("postgres"):
        infra.drop_schema(database_url, schema)
    queues = [made.queue(p) for p in ("bookings", "others", "crashy", "ordered", "loose")]
    with contextlib.suppress(Exception):  # the broker may be restarting after the outage test
        infra.delete_broker_objects(amqp, exchange_name, queues)
