"""Prints Attune events as they happen, from a queue of its own bound to the event types you choose.

    attune up                                              # in another terminal
    python examples/subscriber.py 'booking.*' contact_request.matched
    python examples/subscriber.py '#' --queue my-integration   # durable: keeps events while you are away

AMQP_URL (default amqp://guest:guest@127.0.0.1:5672//) and ATTUNE_EXCHANGE (default attune.events)
are read from the environment. Delivery is at least once: de-duplicate on the event `id`, and use
`sequence` to ignore an update older than one you already applied for the same `subject`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import pika


def parameters(url: str) -> pika.URLParameters:
    """Attune's URLs name the default vhost `/` as kombu does (`...:5672//`); pika wants `%2F`."""
    return pika.URLParameters(url[:-2] + "/%2F" if url.endswith("//") else url)


def connect(url: str, exchange: str, patterns: list[str], queue: str | None):
    channel = pika.BlockingConnection(parameters(url)).channel()
    channel.exchange_declare(exchange, "topic", durable=True)
    if queue:  # survives restarts of this program; quorum like Attune's own queues
        channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    else:  # private to this run, gone when it stops
        queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    for pattern in patterns:
        channel.queue_bind(queue, exchange, routing_key=pattern)
    channel.basic_qos(prefetch_count=50)
    return channel, queue


def show(event: dict) -> str:
    data = json.dumps(event.get("data"), separators=(",", ":"))
    return f"{event['time']}  {event['type']:24} {event['subject']} #{event['sequence']}  {data}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Print Attune events as they happen.")
    parser.add_argument("patterns", nargs="*", default=["#"], help="routing keys, e.g. 'booking.*' (default: all)")
    parser.add_argument("--queue", help="a durable queue name to keep events while this program is away")
    parser.add_argument("--count", type=int, help="stop after this many events")
    args = parser.parse_args(argv)
    url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    exchange = os.environ.get("ATTUNE_EXCHANGE", "attune.events")
    channel, queue = connect(url, exchange, args.patterns, args.queue)
    print(f"listening on {exchange} for {', '.join(args.patterns)} (queue {queue})", flush=True)
    seen, shown = set(), 0
    for method, _props, body in channel.consume(queue):
        try:
            event = json.loads(body)
        except ValueError:
            print(f"not JSON, skipped: {body[:80]!r}", file=sys.stderr, flush=True)
            channel.basic_reject(method.delivery_tag, requeue=False)
            continue
        if event.get("id") not in seen:  # a redelivery carries the same id
            seen.add(event.get("id"))
            print(show(event), flush=True)
            shown += 1
        channel.basic_ack(method.delivery_tag)
        if args.count and shown >= args.count:
            break
    channel.connection.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
