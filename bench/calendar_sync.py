"""Bench: syncing clinicians' own CalDAV calendars (Radicale), and the slots query with their busy time.

    .venv/bin/python bench/calendar_sync.py [--clinicians 20] [--events 500] [--queries 30]
                                       [--database postgresql://postgres@127.0.0.1:5432/test]

Starts Radicale on a free port with one calendar per clinician, each holding `--events` events over
two months around today (a tenth of them weekly recurring, some all-day, some in other zones), written
straight into Radicale's storage folder before it starts. Then, in process on the availability
service's container (SQLite file, or PostgreSQL with --database):
  1. the slots query (service layer, whole practice and one clinician) with no calendar connected: the baseline;
  2. connecting every calendar (checks the server, then the first full sync), and the worker's sync job
     over all of them when nothing changed (a sync-token report each) and when one event was added to each;
  3. the same slots queries with every clinician's calendar busy time included.
Figures, never assertions.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.availability.adapters.caldav_client import Remote
from services.availability.bootstrap import bootstrap
from services.availability.service_layer import calendar_sync
from services.availability.service_layer import clinicians as commands
from services.availability.service_layer import slots as queries
from shared import config
from shared.clock import FrozenClock
from shared.runtime import migrate
from tests.support.radicale import PASSWORD, Radicale, vevent

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Los_Angeles", "UTC"]
WEEK = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in ("mon", "tue", "wed", "thu", "fri")]


def ics_event(rng: random.Random, uid: str, today: datetime) -> str:
    day = today + timedelta(days=rng.randint(-30, 30))
    kind = rng.random()
    if kind < 0.1:  # weekly recurring, in New York time
        start = day.replace(hour=rng.randint(8, 17), minute=0)
        return vevent(uid, f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\n"
                           f"DTSTART;TZID=America/New_York:{start:%Y%m%dT%H%M%S}\n"
                           f"DTEND;TZID=America/New_York:{start + timedelta(hours=1):%Y%m%dT%H%M%S}\n"
                           f"RRULE:FREQ=WEEKLY;COUNT=12\nEND:VEVENT")
    if kind < 0.15:  # all day
        return vevent(uid, f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\nDTSTART;VALUE=DATE:{day:%Y%m%d}\n"
                           f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}\nEND:VEVENT")
    start = day.replace(hour=rng.randint(0, 23), minute=rng.choice((0, 15, 30, 45)))
    return vevent(uid, f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\nDTSTART:{start:%Y%m%dT%H%M%S}Z\n"
                       f"DTEND:{start + timedelta(minutes=rng.choice((30, 45, 60, 90))):%Y%m%dT%H%M%S}Z\n"
                       f"SUMMARY:busy\nEND:VEVENT")


def seed_storage(folder: Path, clinicians: int, events: int, today: datetime) -> list[str]:
    """Radicale's filesystem storage, written before it starts: one calendar collection per clinician."""
    rng, names = random.Random(14), []
    for n in range(clinicians):
        name = f"cal{n:02d}"
        path = folder / "collections" / "collection-root" / "ada" / name
        path.mkdir(parents=True)
        (path / ".Radicale.props").write_text(json.dumps({"tag": "VCALENDAR", "D:displayname": name}))
        for _ in range(events):
            uid = uuid.uuid4().hex
            (path / f"{uid}.ics").write_text(ics_event(rng, uid, today))
        names.append(name)
    return names


def timed(func, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        out.append((time.perf_counter() - began) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    print(f"  {label:<48} median {statistics.median(ms):8.1f} ms   max {max(ms):8.1f} ms   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clinicians", type=int, default=20)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="attune-bench-calendar-"))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    clock = FrozenClock(datetime.now(UTC))
    began = time.perf_counter()
    names = seed_storage(work / "radicale", args.clinicians, args.events, today)
    print(f"wrote {args.clinicians} calendars x {args.events} events in {time.perf_counter() - began:.1f} s")
    server = Radicale(work / "radicale", users={"ada": PASSWORD}).start()
    try:
        env = {"AVAILABILITY_DATABASE_URL": args.database or f"sqlite:///{work / 'availability.db'}",
               "ATTUNE_SECRET_KEY": "bench-secret-key-0123456789abcdefghij", "ATTUNE_VAR_DIR": str(work / "var")}
        container = bootstrap(config.load("availability", env), clock=clock,
                              schema=f"availability_bench_{uuid.uuid4().hex[:6]}")
        migrate(container)
        ids = []
        for n in range(args.clinicians):
            c = commands.create_clinician(container, {
                "name": f"Dr Bench {n}", "email": f"c{n}@example.org", "time_zone": ZONES[n % len(ZONES)],
                "modalities": ["eft"], "populations": ["couples"], "languages": ["en"],
                "accepting_new_clients": True, "active": True, "credentials": None, "bio": None})
            commands.set_schedule(container, c.id, WEEK, [], [])
            ids.append(c.id)
        run(container, clock, server, names, ids, args)
    finally:
        server.stop()


def run(container, clock, server, names, ids, args) -> None:
    practice = lambda: len(queries.find_slots(container, queries.Filters()))
    one = lambda: len(queries.find_slots(container, queries.Filters(), ids[0]))
    plain_count = practice()
    print(f"\ndatabase: {container.db.engine.dialect.name}; {len(ids)} clinicians, {plain_count} open slots plain")
    print("slots query, no calendar connected (baseline)")
    report("whole practice", timed(practice, args.queries))
    report("one clinician", timed(one, args.queries))

    print("sync")
    began = time.perf_counter()
    for name in names:  # Radicale parses a collection's items on its first access: its one-time cost, not ours
        with Remote(server.url, "ada", PASSWORD, f"{server.url}ada/{name}/") as remote:
            remote.calendar.search(event=True)
    print(f"  (Radicale's first read of the {len(names)} calendars, its cache build: {time.perf_counter() - began:.1f} s)")
    connect_ms = []
    for cid, name in zip(ids, names, strict=True):
        began = time.perf_counter()
        calendar_sync.connect(container, cid, server.url, "ada", PASSWORD, f"{server.url}ada/{name}/")
        connect_ms.append((time.perf_counter() - began) * 1000)
    print(f"  connect + first full sync, {len(ids)} x {args.events} events: total {sum(connect_ms) / 1000:.2f} s")
    report("per clinician", connect_ms)
    clock.advance(seconds=30)
    began = time.perf_counter()
    synced = calendar_sync.sync_due(container)
    print(f"  sync job, nothing changed ({synced} calendars):        {(time.perf_counter() - began) * 1000:8.1f} ms")
    for name in names:
        server.put_event(f"{server.url}ada/{name}/", vevent("x", f"BEGIN:VEVENT\nUID:{uuid.uuid4().hex}\n"
                         f"DTSTAMP:20260101T000000Z\nDTSTART:{clock.now() + timedelta(days=1):%Y%m%dT%H0000}Z\n"
                         f"DTEND:{clock.now() + timedelta(days=1, hours=1):%Y%m%dT%H0000}Z\nEND:VEVENT"))
    clock.advance(seconds=30)
    began = time.perf_counter()
    synced = calendar_sync.sync_due(container)
    print(f"  sync job, one event added to each ({synced} calendars): {(time.perf_counter() - began) * 1000:8.1f} ms")

    busy_count = practice()
    print(f"slots query with calendar busy time ({busy_count} open slots, {plain_count - busy_count} hidden)")
    report("whole practice", timed(practice, args.queries))
    report("one clinician", timed(one, args.queries))


if __name__ == "__main__":
    main()
