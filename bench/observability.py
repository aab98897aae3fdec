"""The cost of metrics and tracing on the hold+confirm pair, and commit -> integrator latency.

    python bench/observability.py [--db postgresql] [--seconds 8] [--clients 16] [--rounds 2] [--pace 0]

Starts the booking service as `attune` runs it (gunicorn web app + worker, real RabbitMQ) three ways,
alternately, `--rounds` times each (the host's speed drifts within a run):
  off      request metrics off (ATTUNE_METRICS=off, no multiprocess folder), no tracing;
  metrics  the default: prometheus-client in multiprocess mode, a generated traceparent per request;
  traces   metrics, and OpenTelemetry spans exported by OTLP/HTTP to a local sink in this process.
For each: hold+confirm pairs per second with p50/p99 of each call, and the delay from a confirm's 201
to its booking.confirmed reaching an AMQP integrator (p50/p99). Figures, never assertions. With `--pace`
the clients keep to that many pairs per second in all: the integrator latency of a steady load rather
than of a saturated host.
"""
from __future__ import annotations

import sys

# bench/ holds a calendar.py: as the script's folder it would shadow the standard library's `calendar`
sys.path[:] = [p for p in sys.path if p != __file__.rsplit("/", 1)[0]]

import argparse
import importlib.util
import json
import random
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("bench_booking", ROOT / "bench" / "booking.py")
bb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bb)

from shared.clock import isoformat
from tests.support import infra
from tests.support.system import System, free_port


class OtlpSink:
    """Accepts OTLP/HTTP exports (protobuf) and counts them, as a collector would answer."""

    def __init__(self):
        sink = self
        self.requests, self.bytes = 0, 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                size = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(size)
                sink.requests, sink.bytes = sink.requests + 1, sink.bytes + size
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class ConfirmWatch:
    """An integrator: its own queue bound to booking.confirmed, noting when each event arrives."""

    def __init__(self, amqp_url: str, exchange: str):
        from kombu import Exchange, Queue

        self.url, self.arrived = amqp_url, {}
        self.queue = Queue(f"bench-confirmed-{infra.rand()}", Exchange(exchange, "topic", durable=True),
                           routing_key="booking.confirmed", durable=True, queue_arguments={"x-expires": 600_000})
        self.stop, self.ready = threading.Event(), threading.Event()
        self.traced = 0
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _run(self):
        from kombu import Connection

        with Connection(self.url, heartbeat=10) as conn, \
                conn.Consumer(self.queue, callbacks=[self._on], accept=None) as consumer:
            consumer.qos(prefetch_count=1000)
            self.ready.set()
            while not self.stop.is_set():
                try:
                    conn.drain_events(timeout=0.2)
                except TimeoutError:
                    conn.heartbeat_check()

    def _on(self, body, message):
        event = json.loads(body) if isinstance(body, (str, bytes)) else body
        self.arrived[event["subject"]] = time.time()
        self.traced += bool(event.get("traceparent"))
        message.ack()

    def close(self):
        from kombu import Connection

        self.stop.set()
        time.sleep(0.5)
        with Connection(self.url) as conn:
            conn.channel().queue_delete(self.queue.name)


def run_mode(mode: str, pg_url: str | None, amqp: str, args, sink: OtlpSink) -> dict:
    env = {"HOLDS_PER_MINUTE_PER_ADDRESS": 10**9, "HOLD_MAX_LIVE_PER_ADDRESS": 10**9, "HOLD_CHALLENGE_AFTER": 0,
           "CONFIRMS_PER_MINUTE_PER_ADDRESS": 10**9,
           "LOG_LEVEL": "WARNING", "WEB_THREADS": args.threads}
    if mode == "off":
        env["ATTUNE_METRICS"] = "off"
    if mode == "traces":
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.url
    system = System(Path(tempfile.mkdtemp(prefix=f"bench-obs-{mode}-")), amqp, pg_url, services=("booking",),
                    web_workers=args.web_workers, env=env)
    if mode == "off":
        system.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    system.start()
    watch = ConfirmWatch(amqp, system.exchange)
    try:
        clinicians = bb.seed(system, args.clinicians)
        todo = [(c, s) for c in clinicians for s in bb.slots((7 * 24 - 2) * 4)[4:]]
        random.shuffle(todo)
        lock, answered = threading.Lock(), {}

        def pair(c, stats):
            if args.pace and not getattr(c, "offset", False):  # spread the clients over the period, not in step
                c.offset = True
                time.sleep(random.uniform(0, args.clients / args.pace))
            began = time.perf_counter()
            try:
                return one_pair(c, stats)
            finally:  # --pace: each client keeps its share of the rate, so latency is measured unsaturated
                if args.pace:
                    time.sleep(max(0.0, args.clients / args.pace - (time.perf_counter() - began)))

        def one_pair(c, stats):
            with lock:
                if not todo:
                    return False
                cid, start = todo.pop()
            status, held, lat = c.call("POST", "/v1/holds", {"clinician_id": cid, "start": isoformat(start)})
            stats["lat"].setdefault("hold", []).append(lat)
            if status != 201:
                return bb._error(stats, "hold", status)
            client = {"client": {"name": "Bench Client", "email": f"bench-{infra.rand(10)}@example.org"},
                      "consent": True}  # one consultation per client: a new client each time
            status, booking, lat = c.call("POST", f"/v1/holds/{held['id']}/confirm", client, held["token"])
            answered[booking["id"] if status == 201 else None] = time.time()
            stats["lat"].setdefault("confirm", []).append(lat)
            if status != 201:
                return bb._error(stats, "confirm", status)
            stats["done"] += 1

        bb.run_for(2, args.clients, system.ports["booking"], pair)  # warm up
        before = len(answered)
        result = bb.run_for(args.seconds, args.clients, system.ports["booking"], pair)
        ids = [b for b in list(answered)[before:] if b]
        bb.wait_until(lambda: all(b in watch.arrived for b in ids), 60, 0.2)
        result["integrator"] = [watch.arrived[b] - answered[b] for b in ids if b in watch.arrived]
        result["missing"] = len([b for b in ids if b not in watch.arrived])
        result["traced"] = watch.traced
        return result
    finally:
        watch.close()
        system.stop()
        infra.delete_broker_objects(amqp, system.exchange, [f"{system.exchange}:booking.availability-events"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="postgresql", choices=("sqlite", "postgresql"))
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--clinicians", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pace", type=float, default=0,
                        help="pairs per second in all (0: as fast as the clients go); latency at a steady rate")
    parser.add_argument("--own-broker", action="store_true", help="run a RabbitMQ node of the bench's own")
    args = parser.parse_args()
    own = None
    if args.own_broker:
        from tests.support.own_broker import OwnBroker

        own = OwnBroker().start()
    amqp = own.url if own else infra.find_amqp()
    pg = infra.find_postgres() if args.db == "postgresql" else None
    sink = OtlpSink()
    results: dict[str, list[dict]] = {"off": [], "metrics": [], "traces": []}
    for _ in range(args.rounds):
        for mode, runs in results.items():
            runs.append(run_mode(mode, pg, amqp, args, sink))
    paced = f"paced at {args.pace:g} pairs/s" if args.pace else "as fast as they go"
    print(f"hold+confirm pairs on {args.db}, {args.clients} clients {paced}, {args.seconds:g} s x {args.rounds} "
          f"rounds per mode (median of rounds):")
    base = None
    for mode, runs in results.items():
        rate = statistics.median(r["done"] / r["elapsed"] for r in runs)
        base = base or rate or 1.0
        for r in runs:
            if r["errors"]:
                print(f"  ({mode} errors: {r['errors']})")
        lat = {k: [v for r in runs for v in r["lat"].get(k, [])] for k in ("hold", "confirm")}
        integ = [v for r in runs for v in r["integrator"]]
        print(f"  {mode:8} {rate:7.1f} pairs/s ({rate / base:5.1%} of off)"
              f"   hold p50 {bb.pct(lat['hold'], 50) * 1000:5.1f} p99 {bb.pct(lat['hold'], 99) * 1000:6.1f} ms"
              f"   confirm p50 {bb.pct(lat['confirm'], 50) * 1000:5.1f} p99 {bb.pct(lat['confirm'], 99) * 1000:6.1f} ms"
              f"   201 -> integrator p50 {bb.pct(integ, 50) * 1000:5.1f} p99 {bb.pct(integ, 99) * 1000:6.1f} ms"
              f"   (missing {sum(r['missing'] for r in runs)}, with traceparent {sum(r['traced'] for r in runs)},"
              f" errors {sum(sum(r['errors'].values()) for r in runs)})")
    print(f"  OTLP sink received {sink.requests} exports ({sink.bytes / 1024:.0f} KiB)")
    if own:
        own.stop()


if __name__ == "__main__":
    main()
