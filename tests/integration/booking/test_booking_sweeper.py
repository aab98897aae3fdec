"""The sweeper: stale holds become expired with exactly one event each, also with two sweepers at once."""
from __future__ import annotations

import threading

import pytest
from booking_support import at
from sqlalchemy import text

from services.booking.entrypoints.jobs import JOBS, expire_holds

pytestmark = pytest.mark.integration


def test_the_sweeper_expires_only_holds_past_their_expiry(booking, clock):
    cid = booking.clinician()
    stale = booking.hold(cid, at(0, "12:00")).json
    clock.advance(seconds=300)
    fresh = booking.hold(cid, at(0, "12:15")).json
    clock.advance(seconds=301)

    assert booking.sweep() == 1

    [expired] = booking.events("booking.hold_expired")
    assert expired["subject"] == stale["id"] and expired["sequence"] == 2
    assert expired["data"]["status"] == "expired"
    assert booking.confirm(fresh).status_code == 201
    assert booking.confirm(stale).status_code == 410


def test_two_sweepers_at_once_expire_each_hold_once(booking, clock):
    cid = booking.clinician()
    ids = [booking.hold(cid, at(d, f"{h}:{m:02d}")).json["id"]
           for d in (1, 2) for h in (10, 11, 12) for m in (0, 15, 30, 45)]
    clock.advance(minutes=11)
    workers = [booking.container, second_worker(booking)]
    barrier = threading.Barrier(len(workers))

    def sweeper(container):
        barrier.wait()
        expire_holds(container)

    threads = [threading.Thread(target=sweeper, args=(c,)) for c in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    workers[1].db.engine.dispose()

    expired = booking.events("booking.hold_expired")
    assert sorted(e["subject"] for e in expired) == sorted(ids)
    assert booking.sweep() == 0


def second_worker(booking):
    """Another container on the same database and schema, as a second worker process would have."""
    from services.booking.bootstrap import bootstrap

    with booking.container.db.read() as s:
        schema = s.execute(text("SELECT current_schema()")).scalar() if not booking.container.db.sqlite else None
    return bootstrap(settings=booking.container.settings, clock=booking.clock, schema=schema)


def test_the_worker_runs_the_sweeper_every_second_or_faster():
    [job] = [j for j in JOBS if j.name == "expire-holds"]

    assert job.seconds <= 1
