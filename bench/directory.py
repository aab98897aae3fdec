"""Bench: the directory at 200 and 2,000 clinicians with a 30%-booked week, through gunicorn.

For each size: starts the availability service (gunicorn web app, real RabbitMQ, SQLite or PostgreSQL),
creates the clinicians and their schedules with the service's own commands (in this process, on the
same database: creating 2,000 over HTTP would time the setup, not the reads), books 30% of every
clinician's open slots in the busy projection and refreshes each clinician's directory row as the
booking events do (timing each refresh), then times sequential requests: directory pages (first,
filtered, deep, 100 a page), a /v1/slots page, the $bulk-publish manifest and a Slot file, and
/v1/health as the same-run baseline. The NDJSON generation is timed in this process, cold (a new
process's first build) and warm. Last: how each figure grows from 200 to 2,000.

    .venv/bin/python -m bench.directory [--requests 200] [--database postgresql://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.slots import LANGUAGES, ZONES, percentile, schedule_for, timings
from shared.events import MODALITIES, POPULATIONS
from tests.support import infra
from tests.support.system import System, http

BIO = ("I work with adults and couples who feel stuck in the same painful patterns. Together we look at how "
       "closeness and distance play out in your relationships, at a pace that feels safe. ")
BASELINE = "baseline     GET /v1/health"


def container_for(system: System):
    """This process's own container on the system's database (its schema on PostgreSQL)."""
    from services.availability.bootstrap import bootstrap
    from shared import config

    settings = config.load("availability", system.env)
    return bootstrap(settings, schema=system.env.get("AVAILABILITY_DB_SCHEMA"))


def create_practice(container, rng: random.Random, size: int) -> list[str]:
    from services.availability.service_layer import clinicians as commands

    ids, now = [], datetime.now(UTC)
    for i in range(size):
        fields = {"name": f"{rng.choice(['Dr ', ''])}{rng.choice('ABCDEFGHJKLMNPRSTW')}. Clinician {i:04d}",
                  "email": f"clinician{i}@example.org", "time_zone": rng.choice(ZONES),
                  "modalities": rng.sample(MODALITIES, rng.randint(1, 3)),
                  "populations": rng.sample(POPULATIONS, rng.randint(1, 3)), "languages": rng.choice(LANGUAGES),
                  "accepting_new_clients": rng.random() < 0.9, "credentials": "PhD, LMFT", "bio": BIO}
        clinician = commands.create_clinician(container, fields)
        s = schedule_for(rng, now)
        overrides = [{"date": datetime.fromisoformat(o["date"]).date(), "windows": o["windows"]}
                     for o in s["overrides"]]
        time_off = [{"start": datetime.fromisoformat(t["start"]), "end": datetime.fromisoformat(t["end"])}
                    for t in s["time_off"]]
        commands.set_schedule(container, clinician.id, s["weekly"], overrides, time_off)
        ids.append(clinician.id)
    return ids


def book(container, rng: random.Random, ids: list[str], share: float) -> tuple[int, int, list[float]]:
    """Books `share` of each clinician's open slots in the busy projection, then refreshes that clinician's
    directory row as a booking event does; returns (open slots, booked, refresh times in ms)."""
    from services.availability.adapters import repository as repo
    from services.availability.domain.slots import instant
    from services.availability.service_layer import directory
    from services.availability.service_layer import slots as queries

    total = booked = 0
    refresh_ms, now = [], container.clock.now()
    for n, clinician_id in enumerate(ids):
        starts = [at for at, _ in queries.find_slots(container, queries.Filters(), clinician_id)]
        taken = rng.sample(starts, round(len(starts) * share))
        total, booked = total + len(starts), booked + len(taken)
        with container.db.write() as session:
            for i, at in enumerate(taken):
                start = instant(at)
                repo.put_booking(session, f"bk_{n}_{i}", {"clinician_id": clinician_id, "start": start,
                                                          "end": start + timedelta(minutes=15),
                                                          "status": "confirmed", "expires_at": None}, 1, now)
            began = time.perf_counter()
            directory.refresh_next_available(session, clinician_id, now)
            refresh_ms.append((time.perf_counter() - began) * 1000)
    return total, booked, refresh_ms


def deep_page(system: System, pages: int) -> str:
    """The path of the directory's `pages`-th page of 20 (following next_page), or its last."""
    token = ""
    for _ in range(pages - 1):
        found = http("GET", system.url("availability", f"/v1/directory?page_size=20&page={token}"))[1]["next_page"]
        if found is None:
            break
        token = found
    return f"/v1/directory?page_size=20&page={token}"


def generation(system: System) -> dict[str, float]:
    """$bulk-publish files built in this process: cold (a fresh container: schedules expanded) and warm."""
    from services.availability.service_layer import bulk_publish

    container = container_for(system)
    out = {}
    for label in ("cold", "warm"):
        began, size = time.perf_counter(), 0
        size += len(bulk_publish.location(container)) + len(bulk_publish.schedules(container, None))
        for day in bulk_publish.days(container):
            size += len(bulk_publish.slots(container, day, None))
        out[label] = (time.perf_counter() - began) * 1000
    out["MB"] = size / 1e6
    container.db.engine.dispose()
    return out


def measure(system: System, count: int) -> dict[str, tuple[list[float], int]]:
    port = system.ports["availability"]
    manifest = http("GET", system.url("availability", "/$bulk-publish"))[1]
    slot_file = "/$bulk-publish/" + manifest["output"][3]["url"].rsplit("/", 1)[1]
    paths = {"directory    GET /v1/directory (page 1 of 20)": "/v1/directory",
             "directory    filtered modality+language": "/v1/directory?modality=eft&language=en",
             "directory    page 5 (next_page token)": deep_page(system, 5),
             "directory    page_size=100": "/v1/directory?page_size=100",
             "slots        GET /v1/slots (first page)": "/v1/slots",
             "slots        GET /v1/slots?limit=100": "/v1/slots?limit=100",
             "bulk         GET /$bulk-publish": "/$bulk-publish",
             "bulk         GET one day's Slot file": slot_file,
             BASELINE: "/v1/health"}
    for path in paths.values():  # warm-up: every gunicorn worker expands the schedules and builds the files
        timings(port, path, 10)
    results = {name: ([], 0) for name in paths}
    for _ in range(5):  # interleaved rounds: a slow moment of the machine hits every endpoint alike
        for name, path in paths.items():
            ms, size = timings(port, path, max(1, count // 5))
            results[name] = (results[name][0] + ms, size)
    return results


def run(size: int, args, rng: random.Random) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        system = System(Path(workdir), infra.find_amqp(), args.database, services=("availability",),
                        env={"MIN_NOTICE_MINUTES": "120", "LOG_LEVEL": "WARNING"}).start()
        try:
            container = container_for(system)
            began = time.perf_counter()
            ids = create_practice(container, rng, size)
            created = time.perf_counter() - began
            total, booked, refresh_ms = book(container, rng, ids, 0.3)
            container.db.engine.dispose()
            results = measure(system, args.requests)
            built = generation(system)
        finally:
            system.stop()
            infra.delete_broker_objects(system.amqp_url, system.exchange,
                                        [f"{system.exchange}:availability.booking-events"])
    return {"size": size, "results": results, "total": total, "booked": booked, "refresh": refresh_ms,
            "created": created, "built": built}


def report(run_: dict, database: str, count: int) -> None:
    results = run_["results"]
    base = statistics.median(results[BASELINE][0])
    print(f"\n{run_['size']} clinicians, {run_['total']} open slots in the week, {run_['booked']} booked "
          f"({run_['booked'] / max(1, run_['total']):.0%}), {database}, gunicorn 2 workers, {count} requests each; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'endpoint':48} {'p50 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'body KB':>9}")
    for name, (ms, size) in results.items():
        p50, p99 = percentile(ms, 50), percentile(ms, 99)
        print(f"{name:48} {p50:8.2f} {p99:8.2f} {p50 / base:9.1f} {size / 1024:9.1f}")
    r, b = run_["refresh"], run_["built"]
    print(f"refresh_next_available (one clinician, per booking change): p50 {percentile(r, 50):.2f} ms, "
          f"p99 {percentile(r, 99):.2f} ms; creating the practice took {run_['created']:.1f} s")
    print(f"$bulk-publish generation in-process (all files, {b['MB']:.1f} MB): cold {b['cold']:.0f} ms, "
          f"warm {b['warm']:.0f} ms")


def growth(small: dict, large: dict) -> None:
    print(f"\ngrowth {small['size']} -> {large['size']} clinicians (p50 ratio; 1.0 is flat, "
          f"{large['size'] / small['size']:.0f} is linear)")
    for name in small["results"]:
        a, b = (percentile(r["results"][name][0], 50) for r in (small, large))
        sa, sb = small["results"][name][1], large["results"][name][1]
        print(f"  {name:48} {b / a:6.2f}x time   {sb / max(1, sa):6.2f}x body")
    a, b = (percentile(r["refresh"], 50) for r in (small, large))
    print(f"  {'refresh_next_available':48} {b / a:6.2f}x time")
    print(f"  {'$bulk-publish generation (warm)':48} {large['built']['warm'] / small['built']['warm']:6.2f}x time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default=None, help="a PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    database = "PostgreSQL" if args.database else "SQLite"
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        runs.append(run(size, args, random.Random(args.seed)))
        report(runs[-1], database, args.requests)
    if len(runs) == 2:
        growth(*runs)
        worst = max(percentile(runs[1]["results"][n][0], 50) for n in runs[1]["results"] if "directory" in n)
        big = max(runs[1]["results"][n][1] for n in runs[1]["results"] if "directory" in n)
        print(f"\naim at {runs[1]['size']}: directory p50 < 50 ms -> {'met' if worst < 50 else 'NOT met'} "
              f"(worst {worst:.1f} ms); a page < 100 KB -> {'met' if big < 100 * 1024 else 'NOT met'} "
              f"(largest {big / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
