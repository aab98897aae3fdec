"""Events per second through the outbox relay (publisher confirms, rows marked sent) next to raw
unconfirmed publishing of the same bodies to the same broker, in the same run; and the delay from
commit to publish of a running relay.

    python bench/relay.py [--events 20000] [--db sqlite,postgres] [--queue quorum|classic|none]

The bench exchange is bound to one queue of the chosen kind (quorum: as Attune's consumers use),
so the broker stores every message and confirms mean "persisted". Everything it makes is removed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kombu import Connection, Exchange, Queue
from sqlalchemy import MetaData, text

from shared.db import Database, make_engine
from shared.messaging.outbox import Outbox
from shared.messaging.publisher import CONTENT_TYPE, ConfirmingPublisher, amqp_properties
from shared.messaging.relay import OutboxRelay, drain
from shared.messaging.tables import add_messaging_tables, install_outbox_notify

AMQP = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def booking(i: int) -> dict:
    return {"booking_id": f"bk_{i}", "clinician_id": "cl_bench", "start": NOW, "end": NOW, "status": "held",
            "expires_at": NOW}


class Target:
    """An outbox in a fresh SQLite file or PostgreSQL schema."""

    def __init__(self, kind: str, workdir: str):
        self.kind, self.schema = kind, f"bench_{uuid.uuid4().hex[:8]}"
        url = f"sqlite:///{workdir}/bench.db" if kind == "sqlite" else PG
        self.metadata = MetaData()
        self.tables = add_messaging_tables(self.metadata)
        self.db = Database(make_engine(url, self.schema))
        self.metadata.create_all(self.db.engine)
        with self.db.engine.begin() as conn:
            install_outbox_notify(conn)
        self.outbox = Outbox(self.tables["outbox"], "/attune/bench")

    def fill(self, n: int, chunk: int = 1000) -> float:
        started = time.perf_counter()
        for first in range(0, n, chunk):
            with self.db.write() as s:
                for i in range(first, min(n, first + chunk)):
                    self.outbox.add(s, "booking.held", f"bk_{i}", booking(i), NOW)
        return n / (time.perf_counter() - started)

    def bodies(self) -> list[str]:
        with self.db.read() as s:
            return [r[0] for r in s.execute(text("SELECT body FROM outbox ORDER BY id"))]

    def relay(self, exchange: str, **kw) -> OutboxRelay:
        return OutboxRelay(self.db, self.tables["outbox"], ConfirmingPublisher(AMQP, exchange), **kw)

    def drop(self) -> None:
        if self.kind == "postgres":
            with self.db.engine.begin() as c:
                c.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.db.engine.dispose()


def relayed_rate(target: Target, exchange: str) -> float:
    relay = target.relay(exchange)
    started = time.perf_counter()
    sent = drain(relay, timeout=600)
    rate = sent / (time.perf_counter() - started)
    relay.close()
    return rate


def raw_rate(bodies: list[str], exchange: str) -> float:
    """kombu's py-amqp channel, no confirms: as fast as this client can hand messages to the broker."""
    import json

    with Connection(AMQP) as conn:
        channel = conn.channel()
        started = time.perf_counter()
        for body in bodies:
            event = json.loads(body)
            msg = channel.prepare_message(body.encode(), content_type=CONTENT_TYPE, content_encoding="utf-8",
                                          properties=amqp_properties(event))
            channel.basic_publish(msg, exchange=exchange, routing_key=event["type"])
        channel.exchange_declare(exchange, "topic", durable=True, passive=True)  # a round trip: all taken
        return len(bodies) / (time.perf_counter() - started)


def latency_ms(target: Target, exchange: str, queue: str, samples: int, listen: bool) -> list[float]:
    """Commit to arrival in the queue, one event at a time, with a relay running in a thread."""
    relay, stop = target.relay(exchange, listen=listen), threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.5)
    out = []
    with Connection(AMQP) as conn:
        channel = conn.channel()
        for i in range(samples):
            with target.db.write() as s:
                target.outbox.add(s, "booking.held", f"lat_{i}", booking(i), NOW)
            started = time.perf_counter()
            while channel.basic_get(queue, no_ack=True) is None:
                time.sleep(0.0005)
            out.append((time.perf_counter() - started) * 1000)
            time.sleep(0.011)  # land anywhere in the poll interval
    stop.set()
    thread.join(timeout=10)
    return out


def purge(queue: str | None) -> None:
    if queue:
        with Connection(AMQP) as conn:
            conn.channel().queue_purge(queue)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--db", default="sqlite,postgres")
    p.add_argument("--queue", choices=("quorum", "classic", "none"), default="quorum")
    p.add_argument("--latency-samples", type=int, default=40)
    args = p.parse_args()
    exchange = f"attune.bench.{uuid.uuid4().hex[:8]}"
    queue = None if args.queue == "none" else f"{exchange}.all"
    with Connection(AMQP) as conn:
        ex = Exchange(exchange, "topic", durable=True)
        ex(conn.channel()).declare()
        if queue:
            extra = {"x-queue-type": "quorum"} if args.queue == "quorum" else {}
            Queue(queue, ex, routing_key="#", durable=True, queue_arguments=extra)(conn.channel()).declare()
    print(f"broker {AMQP.rsplit('@', 1)[-1]}, {args.events} events of ~{len(booking(0))} fields, "
          f"exchange bound to a {args.queue} queue")
    print(f"{'database':10} {'outbox writes/s':>16} {'relay+confirm/s':>16} {'raw publish/s':>14} {'ratio':>6}")
    latencies = {}
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for kind in args.db.split(","):
                target = Target(kind, workdir)
                try:
                    writes = target.fill(args.events)
                    raw = raw_rate(target.bodies(), exchange)
                    purge(queue)
                    relayed = relayed_rate(target, exchange)
                    purge(queue)
                    print(f"{kind:10} {writes:16.0f} {relayed:16.0f} {raw:14.0f} {relayed / raw:6.2f}", flush=True)
                    if queue and args.latency_samples:
                        modes = (True, False) if kind == "postgres" else (False,)
                        for listen in modes:
                            label = f"{kind} {'LISTEN/NOTIFY' if listen else 'poll 30 ms'}"
                            latencies[label] = latency_ms(target, exchange, queue, args.latency_samples, listen)
                finally:
                    target.drop()
    finally:
        with Connection(AMQP) as conn:
            if queue:
                conn.channel().queue_delete(queue)
            conn.channel().exchange_delete(exchange)
    if latencies:
        print("\ncommit -> message in queue, running relay (ms):")
        for label, values in latencies.items():
            values.sort()
            print(f"  {label:28} median {statistics.median(values):5.1f}   p90 {values[int(len(values) * 0.9)]:5.1f}"
                  f"   max {values[-1]:5.1f}")


if __name__ == "__main__":
    main()
