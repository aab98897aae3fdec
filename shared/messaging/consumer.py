"""The consuming side: kombu ConsumerMixin, manual acks after commit, de-duplication, dead-letters.

For each message:
1. Parse the envelope and its data schema. Not JSON, unknown type, bad data or no handler here:
   poison, dead-lettered at once.
2. In one database transaction: record (event id, consumer) in processed-events (a duplicate is
   acked and dropped), skip it if its per-subject `sequence` is not newer than the last one applied
   (ordered subscriptions), else run the handler. Ack only after that commit.
3. A failing handler is retried in place with backoff. A database that stays away (locked, down)
   returns the message to the queue for another delivery, up to the quorum queue's delivery limit;
   any other failure that persists, or a handler raising PermanentFailure, dead-letters it.

Dead-lettering: RabbitMQ's own dead-lettering (reject without requeue) cannot say why, so the
consumer publishes the message to the dead-letter exchange itself, confirmed, with the reason in
`x-attune-reason`, and then acks it. If that publish fails for another reason than a lost
connection, it rejects the message and the broker dead-letters it without a reason. A consumer that
dies before acking gets the message again and the processed-events row makes the second run a
no-op; a message that kills consumers again and again reaches the delivery limit, and the broker
dead-letters it by itself. The consumer reconnects on its own when the broker goes away, trying at
least every RECONNECT_MAX seconds, so it consumes again within moments of the broker's return.

A deleted queue: the broker cancels the consumer (kombu reconnects), and before declaring its queues
again the consumer looks whether each still exists. One that is gone lost what it held and what was
published meanwhile, so after re-declaring it the consumer asks the publishers for a replay of the
events since shortly before the last one it saw (relay.serve_replays); de-duplication drops what it
already applied. `queue_losses` and `last_queue_loss_at` show it for readiness, `attune_queue_losses_total` for metrics.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from amqp.exceptions import NotFound
from kombu import Connection
from kombu.mixins import ConsumerMixin
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from shared import metrics, tracing
from shared.clock import SystemClock, naive_utc
from shared.events import InvalidEvent, parse
from shared.logging import request_id, safe_request_id
from shared.messaging.topology import (
    DELIVERY_LIMIT,
    Subscription,
    dead_letter_exchange,
    declare,
    queues_for,
    replay_exchange,
)

log = logging.getLogger("attune.consumer")
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0)
RECONNECT_MAX = 2.0  # seconds between attempts to reach a broker that is away, at most
# A replay starts this long before the last event seen (publishers' clocks and several relays' order
# differ a little), or, with none seen since start, before the last one applied in the database.
REPLAY_MARGIN, REPLAY_MARGIN_COLD = timedelta(minutes=5), timedelta(hours=1)
REQUEUE = object()  # apply() outcome: the database stayed away, deliver the message again


class PermanentFailure(Exception):
    """Raised by a handler for an event it can never apply; dead-letters the message at once."""


def _transient(error: Exception) -> bool:
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def sequence_key(event: dict) -> str:
    """Order is kept per subject and type family: `clinician.*` and `availability.*` of one clinician
    are separate streams, so a late name change is not dropped behind a newer schedule."""
    key = f"{event['type'].split('.')[0]}:{event['subject']}"
    return key if len(key) <= 64 else hashlib.sha1(key.encode()).hexdigest()


class EventConsumer(ConsumerMixin):
    def __init__(self, settings, db, tables: dict, subscriptions: list[Subscription], clock=None,
                 prefetch: int = 20, retry_delays: tuple[float, ...] = RETRY_DELAYS):
        self.settings, self.db, self.tables = settings, db, tables
        self.subscriptions, self.clock, self.prefetch = subscriptions, clock or SystemClock(), prefetch
        self.retry_delays = retry_delays
        self.connection = Connection(settings.amqp_url, heartbeat=30)
        self._dead_letters = Connection(settings.amqp_url, transport_options={"confirm_publish": True})
        self.queues = {s.purpose: queues_for(settings.exchange, settings.queue_prefix, settings.service, s)
                       for s in subscriptions}
        self.ready = threading.Event()  # set while consuming (tests and health checks wait on it)
        self.queue_losses, self.last_queue_loss_at = 0, None  # queues found deleted (readiness, metrics)
        self._last_seen: dict[str, datetime] = {}  # per subscription: the newest event time consumed

    def get_consumers(self, Consumer, channel):
        lost = [s for s in self.subscriptions if not self._queue_exists(self.queues[s.purpose][0].name)]
        declare(channel, self.settings.exchange, [q for pair in self.queues.values() for q in pair])
        for sub in lost:
            self._ask_replay(sub)
        return [Consumer(queues=[self.queues[s.purpose][0]], on_message=self._on_message_for(s),
                         prefetch_count=self.prefetch) for s in self.subscriptions]

    def _queue_exists(self, name: str) -> bool:
        try:
            channel = self._dead_letters.channel()
            try:
                channel.queue_declare(name, passive=True)
                return True
            except NotFound:
                return False
            finally:
                with contextlib.suppress(Exception):  # a failed passive declare has closed it already
                    channel.close()
        except self._dead_letters.connection_errors:  # a link gone stale (broker restart): afresh next try
            self._dead_letters.collect()
            raise

    def _ask_replay(self, sub: Subscription) -> None:
        """The queue was gone: asks every publisher for what it may have missed (nothing, on a first start)."""
        queue = self.queues[sub.purpose][0].name
        since = self._last_seen.get(sub.purpose)
        if since is not None:
            since -= REPLAY_MARGIN
        else:
            t = self.tables["processed_events"]
            with self.db.read() as session:
                last = session.execute(select(func.max(t.c.processed_at)).where(t.c.consumer == sub.purpose)).scalar()
            if last is None:
                return  # a queue never used before: nothing to catch up on
            since = last.replace(tzinfo=UTC) - REPLAY_MARGIN_COLD
        self.queue_losses += 1
        self.last_queue_loss_at = time.time()
        metrics.queue_lost(self.settings.service, queue)
        log.warning("queue was gone, re-declared; replay asked", extra={"queue": queue, "since": since.isoformat()})
        body = json.dumps({"queue": queue, "routing_keys": list(sub.routing_keys), "since": since.isoformat()})
        exchange = replay_exchange(self.settings.exchange)
        self._dead_letters.Producer().publish(
            body, exchange=exchange, routing_key="", declare=[exchange], content_type="application/json",
            delivery_mode=2, retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5})

    @contextlib.contextmanager
    def establish_connection(self):
        """As kombu's, but retrying every RECONNECT_MAX seconds at most (kombu's backoff grows to 30 s,
        so a consumer could sit idle half a minute after the broker came back)."""
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries, interval_start=RECONNECT_MAX / 4,
                                   interval_step=RECONNECT_MAX / 4, interval_max=RECONNECT_MAX)
            yield conn

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self.ready.set()
        log.info("consuming", extra={"queues": [pair[0].name for pair in self.queues.values()]})

    def on_consume_end(self, connection, channel):
        self.ready.clear()

    def on_connection_error(self, exc, interval):
        self.ready.clear()
        log.warning("broker unreachable, reconnecting", extra={"error": type(exc).__name__, "retry_in": interval})

    def _on_message_for(self, sub: Subscription):
        return lambda message: self.on_message(sub, message)

    def on_message(self, sub: Subscription, message) -> None:
        try:
            self._handle(sub, message)
        except self.connection.connection_errors:
            raise  # ConsumerMixin reconnects; the broker redelivers the unacked message
        except Exception as e:  # noqa: BLE001 - nothing may kill the consumer
            log.error("message not handled, rejected", extra={"error": type(e).__name__,
                                                              "message_id": _message_id(message)})
            if not getattr(message, "acknowledged", False):
                message.reject()

    def _handle(self, sub: Subscription, message) -> None:
        queue = self.queues[sub.purpose][0].name
        try:
            event, data = parse(message.body)
            handler = sub.handlers.get(event["type"])
            if handler is None:
                raise InvalidEvent(f"{queue} has no handler for {event['type']}")
        except InvalidEvent as e:
            return self.dead_letter(message, queue, str(e))
        token = request_id.set(safe_request_id(event.get("requestid")))  # the logs of this event carry its cause's id
        if (getattr(message, "delivery_info", None) or {}).get("redelivered") or _deliveries(message) > 1:
            metrics.redelivered(self.settings.service, queue)
        try:
            with tracing.span(f"consume {event['type']}", event.get("traceparent"), kind="consumer",
                              attributes={"messaging.destination.name": queue, "cloudevents.event_id": event["id"]}):
                self._settle(message, queue, event, self.apply(sub, event, data, handler))
        finally:
            request_id.reset(token)

    def _settle(self, message, queue: str, event: dict, outcome) -> None:
        if outcome is REQUEUE and _deliveries(message) < DELIVERY_LIMIT:
            log.warning("event requeued", extra={"event_id": event["id"], "delivery": _deliveries(message)})
            metrics.consumed(self.settings.service, queue, "requeued")
            return message.requeue()
        if outcome is not None:
            reason = "the database stayed unavailable" if outcome is REQUEUE else outcome
            return self.dead_letter(message, queue, reason)
        message.ack()
        metrics.consumed(self.settings.service, queue, outcome_of(event))

    def apply(self, sub: Subscription, event: dict, data: dict, handler):
        """Applies once, retrying failures with backoff. Returns None when done (or a duplicate or
        stale), REQUEUE when the database stayed away, else the reason to dead-letter."""
        self._saw(sub, event)
        error: Exception | None = None
        for attempt, delay in enumerate((0.0, *self.retry_delays)):
            time.sleep(delay)
            try:
                self._apply_once(sub, event, data, handler)
                return None
            except PermanentFailure as e:
                return self._failed(event, e)
            except Exception as e:  # noqa: BLE001 - a failing handler must not kill the consumer
                error = e
                log.warning("event retry", extra={"event_id": event["id"], "event_type": event["type"],
                                                  "attempt": attempt + 1, "error": type(e).__name__})
        return REQUEUE if _transient(error) else self._failed(event, error)

    def _saw(self, sub: Subscription, event: dict) -> None:
        try:
            at = datetime.fromisoformat(event["time"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError, OverflowError):
            return
        if at > self._last_seen.get(sub.purpose, at - timedelta(seconds=1)):
            self._last_seen[sub.purpose] = at

    def _apply_once(self, sub: Subscription, event: dict, data: dict, handler) -> None:
        with self.db.write() as session:
            if self._seen(session, sub, event):
                log.info("duplicate event dropped", extra={"event_id": event["id"], "consumer": sub.purpose})
                event[OUTCOME] = "duplicate"
                return
            if sub.ordered and not self._advance(session, sub, event):
                log.info("stale event skipped", extra={"event_id": event["id"], "sequence": event["sequence"]})
                event[OUTCOME] = "stale"
                return
            handler(session, event, data)
        log.info("event applied", extra={"event_id": event["id"], "event_type": event["type"],
                                         "consumer": sub.purpose})

    def _failed(self, event: dict, error: Exception) -> str:
        # the message text stays out of the logs (it may quote personal data); the reason header keeps it
        log.error("event failed", extra={"event_id": event["id"], "event_type": event["type"],
                                         "error": type(error).__name__})
        return f"{type(error).__name__}: {error}"[:1000]

    def _seen(self, session, sub, event) -> bool:
        t = self.tables["processed_events"]
        if session.execute(select(t.c.event_id).where(t.c.event_id == event["id"], t.c.consumer == sub.purpose)).first():
            return True
        session.execute(insert(t).values(event_id=event["id"], consumer=sub.purpose, type=event["type"],
                                         processed_at=naive_utc(self.clock.now())))
        return False

    def _advance(self, session, sub, event) -> bool:
        """True when the event is newer than the last one applied for its stream (and records it).

        The conditional update is atomic, so two consumers racing on one subject cannot move the
        sequence backwards; a racing first insert fails on the primary key and is retried."""
        t, key, seq = self.tables["subject_sequences"], sequence_key(event), event["sequence"]
        where = (t.c.subject == key, t.c.consumer == sub.purpose)
        if session.execute(update(t).where(*where, t.c.sequence < seq).values(sequence=seq)).rowcount:
            return True
        if session.execute(select(t.c.sequence).where(*where)).first():
            return False
        session.execute(insert(t).values(subject=key, consumer=sub.purpose, sequence=seq))
        return True

    def dead_letter(self, message, queue: str, reason: str) -> None:
        """Publishes the message to the queue's dead-letter twin with the reason, then acks it."""
        headers = dict(message.headers or {})
        headers.update({"x-attune-reason": reason[:1000], "x-attune-queue": queue})
        props = message.properties or {}
        try:
            self._dead_letters.Producer().publish(
                message.body, exchange=dead_letter_exchange(self.settings.exchange), routing_key=queue,
                headers=headers, content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary", delivery_mode=2,
                message_id=props.get("message_id"), type=props.get("type"), retry=True,
                retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5})
        except Exception as e:  # noqa: BLE001 - still never block the queue: the broker's DLX takes it
            log.error("dead-letter publish failed, rejecting", extra={"queue": queue, "error": type(e).__name__})
            self._dead_letters.collect()
            return message.reject()
        # only the reason's kind ("schema", "ValueError"): its text may quote personal data
        log.warning("event dead-lettered", extra={"queue": queue, "reason": reason.split(":", 1)[0][:200],
                                                  "message_id": props.get("message_id")})
        message.ack()
        metrics.dead_lettered(self.settings.service, queue)

    def stop(self) -> None:
        self.should_stop = True


OUTCOME = "_attune_outcome"  # set on the parsed event by _apply_once when it did not apply it


def outcome_of(event: dict) -> str:
    return event.pop(OUTCOME, "applied")


def _deliveries(message) -> int:
    """How many times the quorum queue delivered this message before (x-delivery-count)."""
    return int((message.headers or {}).get("x-delivery-count") or 0) + 1


def _message_id(message) -> str | None:
    return (message.properties or {}).get("message_id")
