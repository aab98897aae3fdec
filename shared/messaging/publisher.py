"""Publishing with publisher confirms, pipelined: a batch goes out, then we wait for its acks.

Waiting for each message's confirm before the next caps throughput at a few percent of the raw
rate; the broker acks a pipelined batch (often with `multiple`) almost as fast as it takes it.
kombu's Connection gives URL parsing and heartbeats; its py-amqp channel gives the ack events.

Mandatory publishing: a message that no queue takes (no binding matched, e.g. while a service's queue
is deleted) comes back as basic.return. It is still confirmed, so the row counts as sent, but the
publisher counts it (`unroutable`, `last_unroutable_at`, `attune_events_unroutable_total`) for readiness
and metrics to show the gap;
the consumer whose queue was lost asks for a replay when it re-declares it (see `replay`).

The relay's connection sits idle between events. RabbitMQ closes a connection that sends nothing
for two heartbeat intervals, so the relay calls `keepalive()` while idle; without it, the first
event after a quiet minute met a dead socket and waited for a reconnect.
"""
from __future__ import annotations

import json
import time
from datetime import datetime

from kombu import Connection

from shared import metrics
from shared.messaging.topology import declare_replay_queue, events_exchange

CONTENT_TYPE = "application/cloudevents+json"
HEARTBEAT = 30


class PublishNotConfirmed(RuntimeError):
    """The broker nacked a message or did not confirm it in time: nothing may be marked sent."""


def amqp_properties(event: dict) -> dict:
    """The AMQP properties that repeat the envelope: id, type, time; persistent delivery."""
    ts = datetime.fromisoformat(event["time"])
    return {"message_id": event["id"], "type": event["type"], "timestamp": int(ts.timestamp()),
            "delivery_mode": 2, "app_id": event["source"]}


class ConfirmingPublisher:
    def __init__(self, amqp_url: str, exchange: str, confirm_timeout: float = 10.0, replay_queue: str | None = None):
        self.url, self.exchange, self.timeout = amqp_url, exchange, confirm_timeout
        self.replay_queue = replay_queue  # where consumers' replay requests reach this service's relay
        self._conn = self._channel = None
        self.unroutable, self.last_unroutable_at = 0, None

    @property
    def connected(self) -> bool:
        return self._channel is not None

    def _connect(self) -> None:
        if self._channel is not None:
            return
        conn = Connection(self.url, heartbeat=HEARTBEAT, connect_timeout=5)
        try:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)  # the relay backs off
            channel = conn.channel()
            events_exchange(self.exchange)(channel).declare()
            if self.replay_queue:
                declare_replay_queue(channel, self.exchange, self.replay_queue)
            channel.confirm_select()
        except Exception:
            conn.collect()
            raise
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._conn, self._channel, self._next_tag, self._nacked = conn, channel, 1, False
        self._pending: set[int] = set()

    def _on_ack(self, delivery_tag, multiple):
        # Confirms come out of order (an unroutable message is confirmed at once, a queued one after
        # its queue stored it), so count tags, not acks: a single ack for tag 4 followed by a
        # `multiple` ack for tag 3 confirms all four.
        if multiple:
            self._pending = {tag for tag in self._pending if tag > delivery_tag}
        else:
            self._pending.discard(delivery_tag)

    def _on_nack(self, delivery_tag, multiple):
        self._nacked = True

    def _on_return(self, exc, exchange, routing_key, message):
        self.unroutable += 1
        self.last_unroutable_at = time.time()
        metrics.unroutable(routing_key)

    def publish(self, bodies: list[str]) -> None:
        """Publishes serialised events, persistent, to the exchange, and returns once the broker confirmed all."""
        self._publish(bodies, self.exchange, None)

    def publish_to_queue(self, queue: str, bodies: list[str]) -> None:
        """The same straight into one queue (the default exchange): a replay for the consumer that asked."""
        self._publish(bodies, "", queue)

    def take_replay_request(self) -> tuple[int, bytes] | None:
        """The next replay request waiting for this relay (delivery tag, body), or None."""
        if not self.replay_queue:
            return None
        self._connect()
        msg = self._channel.basic_get(self.replay_queue, no_ack=False)
        return None if msg is None else (msg.delivery_tag, msg.body)

    def settle_replay_request(self, delivery_tag: int) -> None:
        self._channel.basic_ack(delivery_tag)

    def _publish(self, bodies: list[str], exchange: str, queue: str | None) -> None:
        if not bodies:
            return
        self._connect()
        first = self._next_tag
        try:
            for body in bodies:
                event = json.loads(body)
                msg = self._channel.prepare_message(body.encode(), content_type=CONTENT_TYPE,
                                                    content_encoding="utf-8", properties=amqp_properties(event))
                self._pending.add(self._next_tag)
                self._channel.basic_publish(msg, exchange=exchange, routing_key=queue or event["type"], mandatory=True)
                self._next_tag += 1
            self._wait_for(first, self._next_tag - 1)
        except Exception:
            self.drop()
            raise

    def _wait_for(self, first: int, last: int) -> None:
        deadline = time.monotonic() + self.timeout
        while self._pending and not self._nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishNotConfirmed(f"no confirm for {len(self._pending)} message(s)")
            try:
                self._conn.drain_events(timeout=remaining)
            except TimeoutError:
                continue
        if self._nacked:
            raise PublishNotConfirmed("the broker nacked a message")

    def keepalive(self) -> None:
        """Reads what the broker sent (heartbeats) and sends ours when due; drops a dead connection."""
        if self._conn is None:
            return
        try:
            try:
                self._conn.drain_events(timeout=0)
            except TimeoutError:
                pass
            self._conn.heartbeat_check()
        except Exception:  # noqa: BLE001 - the next publish reconnects
            self.drop()

    def drop(self) -> None:
        """Forgets a broken connection without talking to the broker (which may not answer)."""
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            conn.collect()

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # noqa: BLE001 - a dead connection is being dropped anyway
                conn.collect()
