"""Bench: GET /v1/slots for a practice of 50 clinicians with a week 30% booked, through gunicorn.

Starts the availability service as `attune up` does (gunicorn web app + worker, real RabbitMQ, SQLite
or PostgreSQL), creates the clinicians and their schedules over HTTP, books ~30% of the week by
publishing booking events through the broker (the worker projects them), then times sequential
requests: the whole practice's slots, one clinician's, and /v1/health as the same-run baseline.

    .venv/bin/python bench/slots.py [--requests 300] [--database postgresql://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.events import MODALITIES, POPULATIONS, new_event
from shared.messaging.publisher import ConfirmingPublisher
from tests.support import infra
from tests.support.system import System, http, wait_until

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London",
         "Europe/Berlin", "Europe/Dublin", "Australia/Sydney", "America/Toronto", "Pacific/Auckland"]
LANGUAGES = [["en"], ["en"], ["en", "es"], ["en", "fr"], ["en-GB"], ["de", "en"], ["en", "pt-BR"]]
TEMPLATES = [  # (weekdays, windows): the shapes of real clinicians' consultation hours
    (("mon", "tue", "wed", "thu", "fri"), (("09:00", "12:00"), ("13:00", "17:00"))),
    (("mon", "tue", "wed", "thu"), (("08:00", "11:00"), ("17:00", "20:00"))),
    (("tue", "wed", "thu"), (("10:00", "16:00"),)),
    (("mon", "tue", "wed", "thu"), (("09:00", "13:00"), ("14:00", "18:30"))),
    (("mon", "wed", "fri", "sat"), (("09:30", "12:30"), ("15:00", "18:00"))),
]


PRACTICE, BASELINE = "whole practice  GET /v1/slots", "baseline        GET /v1/health"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def schedule_for(rng: random.Random, today: datetime) -> dict:
    days, windows = rng.choice(TEMPLATES)
    weekly = [{"weekday": d, "start": s, "end": e} for d in days for s, e in windows]
    overrides, time_off = [], []
    if rng.random() < 0.4:  # a day off, or a short day, some time in the coming week
        day = (today + timedelta(days=rng.randint(1, 6))).date().isoformat()
        overrides.append({"date": day, "windows": rng.choice([[], [{"start": "10:00", "end": "12:00"}]])})
    if rng.random() < 0.2:  # an afternoon away
        day = today + timedelta(days=rng.randint(1, 6))
        start = day.replace(hour=13, minute=0, second=0, microsecond=0)
        time_off.append({"start": start.isoformat(), "end": (start + timedelta(hours=5)).isoformat()})
    return {"weekly": weekly, "overrides": overrides, "time_off": time_off}


def create_practice(system: System, rng: random.Random, size: int) -> list[str]:
    ids, now = [], datetime.now(UTC)
    for i in range(size):
        body = {"name": f"Clinician {i:02d}", "email": f"clinician{i}@example.org",
                "time_zone": rng.choice(ZONES), "modalities": rng.sample(MODALITIES, rng.randint(1, 3)),
                "populations": rng.sample(POPULATIONS, rng.randint(1, 3)), "languages": rng.choice(LANGUAGES),
                "accepting_new_clients": rng.random() < 0.85, "credentials": "LMFT"}
        status, created, _ = http("POST", system.url("availability", "/v1/clinicians"), body, system.token)
        assert status == 201, created
        path = f"/v1/clinicians/{created['id']}/schedule"
        schedule = schedule_for(rng, now)
        status, answer, _ = http("PUT", system.url("availability", path), schedule, system.token)
        assert status == 200, answer
        ids.append(created["id"])
    return ids


def book(system: System, rng: random.Random, share: float) -> tuple[int, int]:
    """Books `share` of the open slots by publishing booking events; waits until the worker applied them."""
    slots = http("GET", system.url("availability", "/v1/slots?limit=5000"))[1]["slots"]
    taken = rng.sample(slots, round(len(slots) * share))
    now, events = datetime.now(UTC), []
    for i, slot in enumerate(taken):
        start = datetime.fromisoformat(slot["start"])
        data = {"booking_id": f"bk_{i}", "clinician_id": slot["clinician_id"], "start": start,
                "end": start + timedelta(minutes=15), "status": "confirmed",
                "client": {"name": "Bench Client", "email": "client@example.org"}}
        events.append(json.dumps(new_event("booking.confirmed", "/attune/booking", f"bk_{i}", 1, data, now)))
    publisher = ConfirmingPublisher(system.amqp_url, system.exchange)
    publisher.publish(events)
    publisher.close()
    booked = {(s["clinician_id"], s["start"]) for s in taken}

    def applied():
        current = http("GET", system.url("availability", "/v1/slots?limit=5000"))[1]["slots"]
        return not booked & {(s["clinician_id"], s["start"]) for s in current}

    if not wait_until(applied, 120, 0.5):
        raise RuntimeError("the worker did not apply the booking events in time:\n" + system.logs()[-3000:])
    return len(slots), len(taken)


def timings(port: int, path: str, count: int) -> tuple[list[float], int]:
    """Sequential requests over one keep-alive connection; milliseconds each, and the last body's size."""
    conn, out, size = HTTPConnection("127.0.0.1", port, timeout=30), [], 0
    for _ in range(count):
        began = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        out.append((time.perf_counter() - began) * 1000)
        assert resp.status == 200, body[:300]
        size = len(body)
    conn.close()
    return out, size


def busiest(system: System) -> str:
    """The clinician with the most open slots: the one-clinician query should have something to list."""
    slots = http("GET", system.url("availability", "/v1/slots?limit=5000"))[1]["slots"]
    return Counter(s["clinician_id"] for s in slots).most_common(1)[0][0]


def measure(system: System, count: int) -> dict[str, tuple[list[float], int]]:
    port, one = system.ports["availability"], busiest(system)
    paths = {PRACTICE: "/v1/slots",
             "one clinician   GET /v1/slots?clinician_id=…": f"/v1/slots?clinician_id={one}&tz=Asia/Tokyo",
             "filtered        GET /v1/slots?modality=eft": "/v1/slots?modality=eft&tz=America/New_York",
             "directory       GET /v1/clinicians": "/v1/clinicians",
             BASELINE: "/v1/health"}
    for path in paths.values():  # warm-up: both gunicorn workers expand and cache the schedules
        timings(port, path, 20)
    results = {name: ([], 0) for name in paths}
    for _ in range(5):  # interleaved rounds, so a slow moment of the machine hits every endpoint alike
        for name, path in paths.items():
            ms, size = timings(port, path, max(1, count // 5))
            results[name] = (results[name][0] + ms, size)
    return results


def report(results: dict, total: int, booked: int, database: str, count: int) -> None:
    base = statistics.median(results[BASELINE][0])
    print(f"\nAttune availability bench: 50 clinicians, {total} slots in the window, {booked} booked "
          f"({booked / total:.0%}), {database}, gunicorn 2 workers (gthread), {count} sequential requests "
          f"each; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other processes skew p99)\n")
    print(f"{'endpoint':48} {'p50 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'body KB':>8}")
    for name, (ms, size) in results.items():
        p50, p99 = percentile(ms, 50), percentile(ms, 99)
        print(f"{name:48} {p50:8.2f} {p99:8.2f} {p50 / base:9.1f} {size / 1024:8.1f}")
    whole = percentile(results[PRACTICE][0], 50)
    print(f"\naim: whole practice under 50 ms p50 -> {'met' if whole < 50 else 'NOT met'} ({whole:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as workdir:
        system = System(Path(workdir), infra.find_amqp(), args.database, services=("availability",),
                        env={"MIN_NOTICE_MINUTES": "120", "LOG_LEVEL": "WARNING"}).start()
        try:
            create_practice(system, rng, 50)
            total, booked = book(system, rng, 0.3)
            results = measure(system, args.requests)
        finally:
            system.stop()
            infra.delete_broker_objects(system.amqp_url, system.exchange,
                                        [f"{system.exchange}:availability.booking-events"])
    report(results, total, booked, "PostgreSQL" if args.database else "SQLite", args.requests)


if __name__ == "__main__":
    main()
