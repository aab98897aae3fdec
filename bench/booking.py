"""Booking throughput through gunicorn on SQLite and PostgreSQL, next to a trivial endpoint's rate.

    python bench/booking.py [--db sqlite,postgresql] [--seconds 10] [--clients 32] [--web-workers 2]

For each database it starts the booking service as `attune` runs it (gunicorn web app + worker, real
RabbitMQ), seeds clinicians through availability events on the broker, then measures, in one run:
  1. GET /v1/health (a trivial endpoint: one SELECT 1) requests per second, the baseline;
  2. hold + confirm pairs per second, each pair on its own slot, with p50/p99 latency of each call,
     as an integrator's client makes them (no hold session), then as the booking page makes them
     (each client with its own X-Hold-Session, so each hold also looks for the session's last one);
  3. the delay from a hold's `expires_at` to its `booking.hold_expired` arriving on the broker.
Figures, never assertions: speed is reported here, not tested.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.clock import isoformat
from shared.events import new_event
from shared.messaging.publisher import ConfirmingPublisher
from tests.support import infra
from tests.support.system import System, wait_until

TTL = 5
ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
CLIENT = {"client": {"name": "Bench Client", "email": "bench@example.org"}, "consent": True}


class Client:
    """One keep-alive HTTP connection, as a browser or an integrator would hold it."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def call(self, method: str, path: str, body=None, token=None) -> tuple[int, dict | None, float]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                started = time.perf_counter()
                self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                elapsed = time.perf_counter() - started
                return resp.status, (json.loads(raw) if raw else None), elapsed
            except (http.client.HTTPException, OSError):
                self.conn = None  # the server closed an idle keep-alive connection: reconnect once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_for(seconds: float, clients: int, port: int, work) -> dict:
    """Runs `work(client, stats)` in a loop on `clients` threads for `seconds`; returns merged stats."""
    stop, barrier, results = threading.Event(), threading.Barrier(clients + 1), []

    def loop():
        c, stats = Client(port), {"done": 0, "errors": {}, "lat": {}}
        barrier.wait()
        while not stop.is_set():
            if work(c, stats) is False:
                break
        results.append(stats)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    elapsed = time.perf_counter() - started
    merged = {"done": sum(r["done"] for r in results), "errors": {}, "lat": {}, "elapsed": elapsed}
    for r in results:
        for k, v in r["errors"].items():
            merged["errors"][k] = merged["errors"].get(k, 0) + v
        for k, v in r["lat"].items():
            merged["lat"].setdefault(k, []).extend(v)
    return merged


def _error(stats, what: str, status: int) -> None:
    key = f"{what} {status}"
    stats["errors"][key] = stats["errors"].get(key, 0) + 1


def seed(system: System, n: int) -> list[str]:
    from kombu import Connection

    queue = f"{system.exchange}:booking.availability-events"

    def declared(conn):
        try:
            conn.channel().queue_declare(queue, passive=True)
            return True
        except Exception:  # noqa: BLE001 - not yet
            return False

    with Connection(system.amqp_url) as conn:
        if not wait_until(lambda: declared(conn), 30):
            raise RuntimeError("the booking worker did not declare its queue")
    now, events, ids = datetime.now(UTC), [], []
    for i in range(n):
        cid = f"bench-{infra.rand(6)}-{i}"
        ids.append(cid)
        profile = {"clinician_id": cid, "name": f"Dr Bench {i}", "email": f"{cid}@example.org",
                   "time_zone": "UTC", "modalities": ["eft"], "populations": ["adults"], "languages": ["en"],
                   "accepting_new_clients": True, "active": True}
        schedule = {"clinician_id": cid, "version": 1, "time_zone": "UTC", "weekly": ALL_DAY, "overrides": [],
                    "time_off": []}
        events += [new_event("clinician.created", "/attune/availability", cid, 1, profile, now),
                   new_event("availability.changed", "/attune/availability", cid, 2, schedule, now)]
    publisher = ConfirmingPublisher(system.amqp_url, system.exchange)
    publisher.publish([json.dumps(e) for e in events])
    publisher.close()
    probe = Client(system.ports["booking"])
    for cid in ids:
        held = wait_until(lambda c=cid: probe_hold(probe, c), 60, 0.1)
        if not held:
            raise RuntimeError(f"the booking worker did not apply clinician {cid}")
        probe.call("DELETE", f"/v1/holds/{held['id']}", token=held["token"])
    return ids


def probe_hold(probe: Client, cid: str) -> dict | None:
    """A hold far ahead (outside the measured slots), once the clinician's schedule has arrived."""
    start = isoformat(slots(1)[0] + timedelta(days=6, hours=12))
    status, body, _ = probe.call("POST", "/v1/holds", {"clinician_id": cid, "start": start})
    return body if status == 201 else None


def slots(count: int) -> list[datetime]:
    """The next `count` quarter hours."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first = now.replace(minute=now.minute - now.minute % 15) + timedelta(minutes=15)
    return [first + timedelta(minutes=15 * i) for i in range(count)]


class ExpiryWatch:
    """A consumer of booking.hold_expired on its own queue, noting when each event arrives; it
    reconnects if the broker restarts (other test runs on this broker may restart it)."""

    def __init__(self, amqp_url: str, exchange: str):
        from kombu import Exchange, Queue

        self.url, self.arrived = amqp_url, {}
        self.queue = Queue(f"bench-expiry-{infra.rand()}", Exchange(exchange, "topic", durable=True),
                           routing_key="booking.hold_expired", durable=True,
                           queue_arguments={"x-expires": 600_000})
        self.stop, self.ready = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self):

        from kombu import Connection

        while not self.stop.is_set():
            try:
                with Connection(self.url, heartbeat=10) as conn, \
                        conn.Consumer(self.queue, callbacks=[self._on], accept=None) as consumer:
                    consumer.qos(prefetch_count=500)
                    self.ready.set()
                    while not self.stop.is_set():
                        try:
                            conn.drain_events(timeout=0.2)
                        except TimeoutError:
                            conn.heartbeat_check()
            except Exception:  # noqa: BLE001 - broker away: reconnect
                self.stop.wait(0.5)

    def _on(self, body, message):
        event = json.loads(body) if isinstance(body, (str, bytes)) else body
        self.arrived[event["data"]["booking_id"]] = time.time()
        message.ack()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        from kombu import Connection

        with Connection(self.url) as conn:
            conn.channel().queue_delete(self.queue.name)


SERVERS = {"postgres": "postgresql", "beam.smp": "rabbitmq"}


def cpu_seconds(system: System) -> dict[str, float]:
    """CPU time (user + system) of each part: the web app (gunicorn master and workers) and the
    worker, each in a session of its own, and the database and broker servers on this machine
    (all their processes, whoever they serve: on a quiet machine, this bench)."""
    leaders = {p.pid: name for name, p in system.procs.items()}
    out = dict.fromkeys([*leaders.values(), *SERVERS.values()], 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                head, _, tail = f.read().rpartition(")")
        except OSError:
            continue
        fields, comm = tail.split(), head.partition("(")[2]
        part = leaders.get(int(fields[3])) or SERVERS.get(comm)
        if part:
            out[part] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def bench_database(label: str, pg_url: str | None, args, amqp: str) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-booking-{label}-"))
    system = System(workdir, amqp, pg_url, services=("booking",), web_workers=args.web_workers,
                    env={"HOLDS_PER_MINUTE_PER_ADDRESS": 10**9, "HOLD_MAX_LIVE_PER_ADDRESS": 10**9, "HOLD_CHALLENGE_AFTER": 0,
                         "HOLD_TTL_SECONDS": TTL,
                         "LOG_LEVEL": "WARNING", "WEB_THREADS": args.threads})
    system.start()
    try:
        result = measure(system, args, amqp)
        if args.logs:
            print(system.logs()[-6000:], file=sys.stderr)
        return result
    except Exception:
        print(system.logs()[-4000:], file=sys.stderr)
        raise
    finally:
        system.stop()
        infra.delete_broker_objects(amqp, system.exchange, [f"{system.exchange}:booking.availability-events"])


def measure(system: System, args, amqp: str) -> dict:
    port = system.ports["booking"]
    *clinicians, spare = seed(system, args.clinicians + 1)  # the spare one's slots are for expiry only
    horizon = (7 * 24 - 2) * 4
    todo = [(c, s) for c in clinicians for s in slots(horizon)[4:]]
    random.shuffle(todo)
    lock = threading.Lock()

    def health(c, stats):
        status, _, lat = c.call("GET", "/v1/health")
        if status != 200:
            _error(stats, "health", status)
        stats["done"] += 1
        stats["lat"].setdefault("health", []).append(lat)

    def pair(c, stats):
        with lock:
            if not todo:
                return False
            cid, start = todo.pop()
        body = {"clinician_id": cid, "start": isoformat(start)}
        if getattr(c, "session", None):
            body["session"] = c.session
        status, held, lat = c.call("POST", "/v1/holds", body)
        stats["lat"].setdefault("hold", []).append(lat)
        if status != 201:
            return _error(stats, "hold", status)
        status, _, lat = c.call("POST", f"/v1/holds/{held['id']}/confirm", CLIENT, held["token"])
        stats["lat"].setdefault("confirm", []).append(lat)
        if status != 201:
            return _error(stats, "confirm", status)
        stats["done"] += 1

    run_for(2, args.clients, port, health)  # warm up
    baseline = timed_cpu(system, lambda: run_for(args.seconds, args.clients, port, health))
    expiry = ExpiryProbe(system, amqp, spare, args.expiries, within=max(1.0, args.seconds - TTL - 1))
    backlog = Backlog(system)
    booked = timed_cpu(system, lambda: run_for(args.seconds, args.clients, port, pair))
    expiry_delays, drained = expiry.results(), backlog.results()

    def page_pair(c, stats):
        c.session = c.session if getattr(c, "session", None) else f"bench-{infra.rand(12)}"
        return pair(c, stats)

    paged = timed_cpu(system, lambda: run_for(args.seconds, args.clients, port, page_pair))
    return {"health": baseline, "pairs": booked, "page_pairs": paged, "expiry": expiry_delays, "left": len(todo),
            "backlog": drained}


def timed_cpu(system: System, phase) -> dict:
    before, own = cpu_seconds(system), os.times()
    result = phase()
    result["cpu"] = {k: v - before.get(k, 0.0) for k, v in cpu_seconds(system).items()}
    result["client_cpu"] = sum(os.times()[:2]) - sum(own[:2])
    return result


class Backlog:
    """Samples the outbox rows the relay has not published yet, during the pairs and until drained."""

    def __init__(self, system: System):
        from shared.db import make_engine

        env = system.env
        self.engine = make_engine(env["BOOKING_DATABASE_URL"], env.get("BOOKING_DB_SCHEMA") or "booking")
        self.samples: list[tuple[float, int]] = []
        self.started, self.stop = time.monotonic(), threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        from sqlalchemy import text

        while not self.stop.is_set():
            with self.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
            self.samples.append((time.monotonic() - self.started, n))
            if self.stop.wait(0.25):
                break

    def results(self) -> dict:
        """Called when the pairs end: the peak, and how long the relay took to catch up after."""
        ended = time.monotonic() - self.started
        wait_until(lambda: self.samples and self.samples[-1][0] > ended and self.samples[-1][1] == 0, 60, 0.1)
        self.stop.set()
        self.thread.join(5)
        self.engine.dispose()
        peak = max(n for _, n in self.samples)
        drained = next((t - ended for t, n in self.samples if n == 0 and t > ended), float("nan"))
        return {"peak": peak, "drained_after": drained}


class ExpiryProbe:
    """While the pairs run, places holds nobody confirms (spread over `within` seconds, so they
    expire under load) and times each booking.hold_expired against the hold's expires_at."""

    def __init__(self, system: System, amqp: str, cid: str, count: int, within: float):
        self.watch = ExpiryWatch(amqp, system.exchange)
        self.client, self.cid, self.expiries = Client(system.ports["booking"]), cid, {}
        self.starts, self.pause = slots(count * 4 + 4)[4::4], within / count
        self.thread = threading.Thread(target=self._place, daemon=True)
        self.thread.start()

    def _place(self):
        for start in self.starts:
            status, held, _ = self.client.call("POST", "/v1/holds", {"clinician_id": self.cid,
                                                                     "start": isoformat(start)})
            if status == 201:
                at = datetime.fromisoformat(held["expires_at"]).timestamp()
                self.expiries[held["id"]] = at
            time.sleep(self.pause)

    def results(self) -> list[float]:
        self.thread.join(60)
        arrived = self.watch.arrived
        wait_until(lambda: set(self.expiries) <= set(arrived), TTL + 30, 0.2)
        self.watch.close()
        return [arrived[b] - at for b, at in self.expiries.items() if b in arrived] + \
            [float("inf")] * len(set(self.expiries) - set(arrived))


def report(label: str, r: dict, args) -> str:
    h, p, pp, e = r["health"], r["pairs"], r["page_pairs"], r["expiry"]
    rate = lambda s: s["done"] / s["elapsed"]
    ms = lambda phase, k, q: pct(phase["lat"].get(k, []), q) * 1000
    errors = {**h["errors"], **p["errors"], **{f"{k} (page)": v for k, v in pp["errors"].items()}}

    def cpu(phase) -> str:
        per = {k.split("-")[-1]: 1000 * v / max(1, phase["done"]) for k, v in phase["cpu"].items()}
        return f"{sum(per.values()):8.2f} ms CPU (" + ", ".join(f"{k} {v:.2f}" for k, v in per.items()) + ")"

    lines = [
        f"{label}:",
        (f"  trivial GET /v1/health        {rate(h):8.0f} req/s   p50 {pct(h['lat']['health'], 50) * 1000:6.1f} ms"
         f"   p99 {pct(h['lat']['health'], 99) * 1000:6.1f} ms"),
        f"                                {cpu(h)} per request",
        (f"  hold+confirm pairs            {rate(p):8.0f} pairs/s ({2 * rate(p):.0f} req/s, "
         f"{2 * rate(p) / rate(h):.2f} of the trivial endpoint's rate)"),
        f"                                {cpu(p)} per pair",
        (f"                                (this load generator itself used "
         f"{p['client_cpu'] / p['elapsed']:.2f} of the {os.cpu_count()} cores)"),
        f"    POST /v1/holds              p50 {ms(p, 'hold', 50):6.1f} ms   p99 {ms(p, 'hold', 99):6.1f} ms",
        f"    POST /v1/holds/{{id}}/confirm p50 {ms(p, 'confirm', 50):6.1f} ms   p99 {ms(p, 'confirm', 99):6.1f} ms",
        (f"  the same with a hold session  {rate(pp):8.0f} pairs/s ({2 * rate(pp):.0f} req/s, "
         f"{2 * rate(pp) / rate(h):.2f} of the trivial endpoint's rate), as the booking page sends"),
        f"                                {cpu(pp)} per pair",
        f"    POST /v1/holds              p50 {ms(pp, 'hold', 50):6.1f} ms   p99 {ms(pp, 'hold', 99):6.1f} ms",
        f"    POST /v1/holds/{{id}}/confirm p50 {ms(pp, 'confirm', 50):6.1f} ms   p99 {ms(pp, 'confirm', 99):6.1f} ms",
        (f"  expires_at -> hold_expired    p50 {statistics.median(e):5.2f} s   max {max(e):5.2f} s"
         f"   ({len(e)} holds expiring during the pairs, TTL {TTL} s, sweeper every 0.5 s)"),
        (f"  relay backlog                 peak {r['backlog']['peak']} unpublished events, all published "
         f"{r['backlog']['drained_after']:.2f} s after the pairs ended"),
        f"  non-2xx answers               {errors or 'none'}",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument("--clinicians", type=int, default=20)
    parser.add_argument("--expiries", type=int, default=40)
    parser.add_argument("--logs", action="store_true", help="print the services' log tails")
    args = parser.parse_args(argv)
    amqp = infra.find_amqp()
    print(f"booking bench: {os.cpu_count()} cores, gunicorn {args.web_workers} workers x {args.threads} threads "
          f"(gthread), {args.clients} keep-alive clients, {args.seconds:.0f} s per phase", flush=True)
    for label in args.db.split(","):
        pg = infra.find_postgres() if label.startswith("postgres") else None
        result = bench_database(label, pg, args, amqp)
        print(report(label, result, args), flush=True)


if __name__ == "__main__":
    main()
