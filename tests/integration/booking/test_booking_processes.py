"""The booking service as real processes (gunicorn with several workers, booking workers) on the real
broker and database: a crowd on one slot gets one hold, and stale holds expire once, also after downtime."""
from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import isoformat
from shared.events import new_event
from shared.messaging.publisher import ConfirmingPublisher
from tests.support import infra
from tests.support.integrator import Integrator
from tests.support.system import System, http, wait_until

pytestmark = pytest.mark.e2e
TTL = 3
ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    amqp = infra.find_amqp()
    pg = infra.find_postgres() if infra.wants_postgres() else None
    sysm = System(tmp_path_factory.mktemp("booking-procs"), amqp, pg, services=("booking",), web_workers=4,
                  env={"HOLDS_PER_MINUTE_PER_ADDRESS": 100000, "HOLD_MAX_LIVE_PER_ADDRESS": 100000, "HOLD_CHALLENGE_AFTER": 0,
                       "HOLD_TTL_SECONDS": TTL})
    try:
        sysm.start()
        sysm.integrator = Integrator(amqp, sysm.exchange)
        sysm.clinician = seed_clinician(sysm)
    except Exception:
        sysm.stop()
        raise
    yield sysm
    sysm.integrator.stop()
    sysm.stop()
    infra.delete_broker_objects(amqp, sysm.exchange, [f"{sysm.exchange}:booking.availability-events"])


def seed_clinician(system) -> str:
    """Publishes availability's events for a clinician and waits until the booking worker applied them."""
    from kombu import Connection

    cid = f"cl-{infra.rand()}"
    queue = f"{system.exchange}:booking.availability-events"
    with Connection(system.amqp_url) as conn:
        assert wait_until(lambda: _queue_exists(conn, queue), 30), "the booking worker declares its queue"
    now = datetime.now(UTC)
    profile = {"clinician_id": cid, "name": "Dr Crowd", "email": "crowd@example.org", "time_zone": "UTC",
               "modalities": ["eft"], "populations": ["adults"], "languages": ["en"],
               "accepting_new_clients": True, "active": True}
    schedule = {"clinician_id": cid, "version": 1, "time_zone": "UTC", "weekly": ALL_DAY, "overrides": [],
                "time_off": []}
    events = [new_event("clinician.created", "/attune/availability", cid, 1, profile, now),
              new_event("availability.changed", "/attune/availability", cid, 2, schedule, now)]
    publisher = ConfirmingPublisher(system.amqp_url, system.exchange)
    publisher.publish([json.dumps(e) for e in events])
    publisher.close()
    probe = isoformat(slot(days=6))
    held = wait_until(lambda: hold_made(system, cid, probe), 30)
    assert held, "the booking worker applied the clinician's schedule"
    http("DELETE", system.url("booking", f"/v1/holds/{held['id']}"), token=held["token"])
    return cid


def hold_made(system, cid: str, start: str) -> dict | None:
    status, body, _ = hold(system, cid, start)
    return body if status == 201 else None


def _queue_exists(conn, name: str) -> bool:
    try:
        conn.channel().queue_declare(name, passive=True)
        return True
    except Exception:  # noqa: BLE001 - not declared yet
        return False


def slot(days: int = 1, minutes: int = 0) -> datetime:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now.replace(minute=now.minute - now.minute % 15) + timedelta(days=days, minutes=minutes)


def hold(system, cid: str, start: str):
    return http("POST", system.url("booking", "/v1/holds"), {"clinician_id": cid, "start": start})


def test_two_hundred_clients_racing_for_one_slot_get_one_hold_and_the_broker_one_event(system):
    start = isoformat(slot(days=1))
    gate = threading.Barrier(200)

    def one(_):
        gate.wait()
        return hold(system, system.clinician, start)

    with ThreadPoolExecutor(200) as pool:
        answers = list(pool.map(one, range(200)))

    statuses = sorted(a[0] for a in answers)
    assert statuses.count(201) == 1 and statuses.count(409) == 199, (Counter(statuses), [a for a in answers if a[0] not in (201, 409)][:2])
    winner = next(a[1] for a in answers if a[0] == 201)
    assert wait_until(lambda: system.integrator.of("booking.hold_expired", booking_id=winner["id"]), TTL + 15), \
        "the winning hold expires within seconds of its expiry"
    assert len(system.integrator.of("booking.held", start=start)) == 1
    assert len(system.integrator.of("booking.hold_expired", booking_id=winner["id"])) == 1


def test_forty_holds_racing_in_one_hold_session_leave_it_holding_exactly_one_slot(system):
    session = f"tab-{infra.rand()}"
    starts = [isoformat(slot(days=3, minutes=15 * i)) for i in range(40)]
    gate = threading.Barrier(len(starts))

    def one(start):
        gate.wait()
        return http("POST", system.url("booking", "/v1/holds"), {"clinician_id": system.clinician, "start": start},
                    headers={"X-Hold-Session": session})

    with ThreadPoolExecutor(len(starts)) as pool:
        answers = list(pool.map(one, starts))

    statuses = Counter(a[0] for a in answers)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, (statuses, [a[1] for a in answers if a[0] >= 500][:2])
    made = {a[1]["id"] for a in answers if a[0] == 201}

    def settled():
        held = {e["data"]["booking_id"] for e in system.integrator.of("booking.held")} & made
        released = {e["data"]["booking_id"] for e in system.integrator.of("booking.hold_released")} & made
        return held == made and len(released) == len(made) - 1 and released
    assert wait_until(settled, 15), "every hold but one was released by the next, each with its event"
    [survivor] = made - settled()
    taken = http("POST", system.url("booking", "/v1/holds"), {"clinician_id": system.clinician,
                                                               "start": next(a[1]["start"] for a in answers
                                                                             if a[0] == 201 and a[1]["id"] == survivor)})
    assert taken[0] == 409, "the session's last hold still holds its slot"


def test_holds_that_expired_while_the_workers_were_down_expire_once_when_two_come_back(system):
    system.kill("booking-worker")
    st, held, _ = hold(system, system.clinician, isoformat(slot(days=2, minutes=30)))
    assert st == 201, held
    expires_at = datetime.fromisoformat(held["expires_at"])
    time.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.5)

    system.start_worker("booking")
    system._spawn("booking-worker-2", [sys.executable, "-m", "attune.cli", "worker", "booking"])

    assert wait_until(lambda: system.integrator.of("booking.hold_expired", booking_id=held["id"]), 30), \
        system.logs()[-3000:]
    st2, again, _ = hold(system, system.clinician, isoformat(slot(days=2, minutes=45)))
    assert st2 == 201
    assert wait_until(lambda: system.integrator.of("booking.held", booking_id=again["id"]), 15)
    assert len(system.integrator.of("booking.hold_expired", booking_id=held["id"])) == 1
