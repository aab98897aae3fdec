"""Prints Attune events as they happen, from a queue of its own bound to the event types you choose.

    attune up                                              # in another terminal
    python examples/subscriber.py 'booking.*' contact_request.matched
    python examples/subscriber.py '#' --queue my-integration   # durable: keeps events while you are away

AMQP_URL (default amqp://guest:guest@127.0.0.1:5672//) and ATTUNE_EXCHANGE (default attune.events)
are read from the environment. Delivery is at least once: de-duplicate on the event `id`, and use
`sequence` to ignore an update older than one you already applied for the same `subject`.

When the broker restarts or the network drops, it reconnects with exponential backoff (1 s doubling
to 30 s, with jitter) and goes on. With `--queue` nothing is lost meanwhile: the durable queue kept
what was published, and an event it was handling but had not acknowledged comes again (skipped by its
id). Without `--queue` the private queue dies with the connection: events published while it was away
are gone (catch up with GET /v1/events, or use `--queue`).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import OrderedDict

import pika
from pika.exceptions import AMQPChannelError, AMQPConnectionError

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
REMEMBERED_IDS = 10_000  # event ids kept for de-duplication (the newest ones)


def parameters(url: str) -> pika.URLParameters:
    """Attune's URLs name the default vhost `/` as kombu does (`...:5672//`); pika wants `%2F`."""
    params = pika.URLParameters(url[:-2] + "/%2F" if url.endswith("//") else url)
    params.connection_attempts, params.socket_timeout = 1, 5  # this program does its own retrying
    return params


def connect(url: str, exchange: str, patterns: list[str], queue: str | None):
    connection = pika.BlockingConnection(parameters(url))
    channel = connection.channel()
    channel.exchange_declare(exchange, "topic", durable=True)
    if queue:  # survives restarts of this program and of the broker; quorum like Attune's own queues
        channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    else:  # private to this connection, gone when it ends
        queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    for pattern in patterns:
        channel.queue_bind(queue, exchange, routing_key=pattern)
    channel.basic_qos(prefetch_count=50)
    return channel, queue


def show(event: dict) -> str:
    data = json.dumps(event.get("data"), separators=(",", ":"))
    return f"{event['time']}  {event['type']:24} {event['subject']} #{event['sequence']}  {data}"


class Seen:
    """The newest event ids, so a redelivery (after a reconnect, say) is not shown twice; and how many
    were shown, across reconnections."""

    def __init__(self, size: int = REMEMBERED_IDS):
        self.ids: OrderedDict[str, None] = OrderedDict()
        self.size, self.shown = size, 0

    def first_time(self, event_id) -> bool:
        if event_id in self.ids:
            return False
        self.ids[event_id] = None
        if len(self.ids) > self.size:
            self.ids.popitem(last=False)
        return True


def consume(channel, queue: str, seen: Seen, wanted: int | None) -> None:
    """Prints events until `wanted` were shown in all; raises when the link drops."""
    for method, _props, body in channel.consume(queue):
        try:
            event = json.loads(body)
        except ValueError:
            print(f"not JSON, skipped: {body[:80]!r}", file=sys.stderr, flush=True)
            channel.basic_reject(method.delivery_tag, requeue=False)
            continue
        if seen.first_time(event.get("id")):  # a redelivery carries the same id
            print(show(event), flush=True)
            seen.shown += 1
        channel.basic_ack(method.delivery_tag)
        if wanted and seen.shown >= wanted:
            break


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Print Attune events as they happen.")
    parser.add_argument("patterns", nargs="*", default=["#"], help="routing keys, e.g. 'booking.*' (default: all)")
    parser.add_argument("--queue", help="a durable queue name to keep events while this program is away")
    parser.add_argument("--count", type=int, help="stop after this many events")
    args = parser.parse_args(argv)
    url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    exchange = os.environ.get("ATTUNE_EXCHANGE", "attune.events")
    seen, delay, connected_before = Seen(), BACKOFF_FIRST, False
    while True:
        try:
            channel, queue = connect(url, exchange, args.patterns, args.queue)
            print(f"{'reconnected, listening' if connected_before else 'listening'} on {exchange} for "
                  f"{', '.join(args.patterns)} (queue {queue})", flush=True)
            connected_before, delay = True, BACKOFF_FIRST
            consume(channel, queue, seen, args.count)
            channel.connection.close()
            return
        except (AMQPConnectionError, AMQPChannelError, OSError) as e:
            wait = delay * random.uniform(0.8, 1.2)
            lost = "" if args.queue or not connected_before else "; events published meanwhile are not kept " \
                                                                 "(use --queue)"
            print(f"broker unreachable ({type(e).__name__}), reconnecting in {wait:.1f} s{lost}",
                  file=sys.stderr, flush=True)
            time.sleep(wait)
            delay = min(delay * 2, BACKOFF_MAX)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
