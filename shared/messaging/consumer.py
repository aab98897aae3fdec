"""The consuming side: kombu ConsumerMixin, manual acks after commit, de-duplication, dead-letters.

For each message:
1. Parse the envelope and its data schema. Not JSON, unknown type or bad data: poison. It is
   published to the queue's dead-letter twin with the reason in `x-attune-reason`, then acked,
   so it never blocks the queue nor crashes the consumer.
2. In one database transaction: record (event id, consumer) in processed-events (a duplicate is
   acked and dropped), skip it if its per-subject `sequence` is not newer than the last one applied
   (for ordered subscriptions), else run the handler. Ack only after that commit.
3. Transient database failures are retried with backoff; a handler that keeps failing dead-letters
   the message with its reason. A consumer that dies before acking gets the message again and the
   processed-events row makes the second run a no-op; the quorum queue's delivery limit sends a
   message that crashes consumers again and again to the dead-letter queue by itself.
"""
from __future__ import annotations

import logging
import time

from kombu import Connection
from kombu.mixins import ConsumerMixin
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.clock import SystemClock
from shared.events import InvalidEvent, parse
from shared.messaging.topology import Subscription, dead_letter_exchange, declare, queues_for

log = logging.getLogger("attune.consumer")
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0)


class PermanentFailure(Exception):
    """Raised by a handler for an event it can never apply; dead-letters the message at once."""


class EventConsumer(ConsumerMixin):
    def __init__(self, settings, db, tables: dict, subscriptions: list[Subscription], clock=None,
                 prefetch: int = 20):
        self.settings, self.db, self.tables = settings, db, tables
        self.subscriptions, self.clock, self.prefetch = subscriptions, clock or SystemClock(), prefetch
        self.connection = Connection(settings.amqp_url, heartbeat=30)
        self._dead_letters = Connection(settings.amqp_url, transport_options={"confirm_publish": True})
        self.queues = {s.purpose: queues_for(settings.exchange, settings.queue_prefix, settings.service, s)
                       for s in subscriptions}

    def get_consumers(self, Consumer, channel):
        declare(channel, self.settings.exchange, [q for pair in self.queues.values() for q in pair])
        return [Consumer(queues=[self.queues[s.purpose][0]], on_message=self._on_message_for(s),
                         prefetch_count=self.prefetch) for s in self.subscriptions]

    def _on_message_for(self, sub: Subscription):
        return lambda message: self.on_message(sub, message)

    def on_message(self, sub: Subscription, message) -> None:
        queue = self.queues[sub.purpose][0].name
        try:
            event, data = parse(message.body)
            handler = sub.handlers.get(event["type"])
            if handler is None:
                raise InvalidEvent(f"{queue} has no handler for {event['type']}")
        except InvalidEvent as e:
            self.dead_letter(message, queue, str(e))
            return message.ack()
        reason = self.apply(sub, event, data, handler)
        if reason:
            self.dead_letter(message, queue, reason)
        message.ack()

    def apply(self, sub: Subscription, event: dict, data: dict, handler) -> str | None:
        """Applies once, with retries for transient failures; returns the failure reason, if any."""
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            time.sleep(delay)
            try:
                with self.db.write() as session:
                    if self._seen(session, sub, event):
                        return None
                    if not sub.ordered or self._advance(session, sub, event):
                        handler(session, event, data)
                log.info("event applied", extra={"event_id": event["id"], "event_type": event["type"],
                                                 "consumer": sub.purpose})
                return None
            except (IntegrityError, OperationalError) as e:  # a racing duplicate, a lock, a lost connection
                log.warning("event retry", extra={"event_id": event["id"], "attempt": attempt + 1,
                                                  "error": type(e).__name__})
            except Exception as e:  # noqa: BLE001 - a failing handler must not kill the consumer
                log.exception("event failed", extra={"event_id": event["id"], "event_type": event["type"]})
                return f"{type(e).__name__}: {e}"[:500]
        return "transient failures persisted after retries"

    def _seen(self, session, sub, event) -> bool:
        t = self.tables["processed_events"]
        if session.execute(select(t.c.event_id).where(t.c.event_id == event["id"], t.c.consumer == sub.purpose)).first():
            return True
        session.execute(insert(t).values(event_id=event["id"], consumer=sub.purpose, type=event["type"],
                                         processed_at=self.clock.now().replace(tzinfo=None)))
        return False

    def _advance(self, session, sub, event) -> bool:
        """True when the event is newer than the last one applied for its subject (and records it)."""
        t = self.tables["subject_sequences"]
        where = (t.c.subject == event["subject"], t.c.consumer == sub.purpose)
        last = session.execute(select(t.c.sequence).where(*where)).scalar()
        if last is None:
            session.execute(insert(t).values(subject=event["subject"], consumer=sub.purpose,
                                             sequence=event["sequence"]))
            return True
        if event["sequence"] <= last:
            log.info("stale event skipped", extra={"event_id": event["id"], "sequence": event["sequence"]})
            return False
        session.execute(update(t).where(*where).values(sequence=event["sequence"]))
        return True

    def dead_letter(self, message, queue: str, reason: str) -> None:
        headers = dict(message.headers or {})
        headers.update({"x-attune-reason": reason[:1000], "x-attune-queue": queue})
        props = message.properties or {}
        producer = self._dead_letters.Producer()
        producer.publish(message.body, exchange=dead_letter_exchange(self.settings.exchange), routing_key=queue,
                         headers=headers, content_type=message.content_type or "application/octet-stream",
                         content_encoding=message.content_encoding or "binary", delivery_mode=2,
                         message_id=props.get("message_id"), type=props.get("type"), retry=True,
                         retry_policy={"max_retries": 5})
        log.warning("event dead-lettered", extra={"queue": queue, "reason": reason[:200],
                                                  "message_id": props.get("message_id")})

    def stop(self) -> None:
        self.should_stop = True
