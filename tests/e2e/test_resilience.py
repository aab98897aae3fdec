"""Crashes and broker restarts in the middle of bursts of bookings lose nothing and double nothing.

The broker these tests restart is their own node (tests/support/own_broker.py), never the machine's."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import E2E_HOLD_TTL
from tests.support import api, infra
from tests.support.integrator import Integrator
from tests.support.system import System, wait_until

pytestmark = pytest.mark.e2e


def _book(system, cid: str, start: str, email: str) -> str | None:
    st, held, _ = api.hold_when_ready(system, cid, start)
    if st != 201:
        return None
    st, booking, _ = api.confirm(system, held, {"name": "Burst Client", "email": email})
    return booking["id"] if st == 201 else None


def _burst(system, cid: str, starts: list[str], tag: str, midway) -> dict[str, str]:
    """Books each start for its own client from 4 threads; `midway` runs once half are done."""
    done, booked = threading.Event(), {}
    emails = {s: f"burst-{tag}-{i}-{infra.rand(4)}@client.test" for i, s in enumerate(starts)}

    def one(start):
        booking_id = _book(system, cid, start, emails[start])
        if booking_id:
            booked[booking_id] = emails[start]
        if len(booked) >= len(starts) // 2 and not done.is_set():
            done.set()

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(one, s) for s in starts]
        done.wait(60)
        midway()
        for f in futures:
            f.result()
    return booked


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp, own_broker):
    """The whole system on the test's own RabbitMQ node, which the test restarts."""
    pg = infra.find_postgres() if infra.wants_postgres() else None
    sysm = System(tmp_path_factory.mktemp("e2e"), own_broker.url, pg, env={
        "SMTP_URL": smtp.url, "HOLD_TTL_SECONDS": E2E_HOLD_TTL, "PRACTICE_INBOX": "practice@e2e.test",
        "HOLDS_PER_MINUTE_PER_ADDRESS": 100000, "HOLD_MAX_LIVE_PER_ADDRESS": 100000, "HOLD_CHALLENGE_AFTER": 0,
        "CONFIRMS_PER_MINUTE_PER_ADDRESS": 100000})
    try:
        sysm.start()
    except Exception:
        sysm.stop()
        raise
    sysm.integrator = Integrator(own_broker.url, sysm.exchange)
    yield sysm
    sysm.integrator.stop()
    sysm.stop()


def test_killed_workers_and_a_broker_restart_leave_one_event_and_one_email_per_booking(system, smtp, own_broker):
    clinician = api.make_clinician(system, tz="America/Chicago")
    open_slots = api.wait_for_slots(system, clinician["id"]) and api.slots(system, clinician_id=clinician["id"])
    starts = [s["start"] for s in open_slots[:36]]

    def kill_and_restart_workers():
        for service in ("booking", "notifications"):
            system.kill(f"{service}-worker")
        time.sleep(0.5)
        for service in ("booking", "notifications"):
            system.start_worker(service)

    booked = _burst(system, clinician["id"], starts[:18], "kill", kill_and_restart_workers)
    booked |= _burst(system, clinician["id"], starts[18:], "broker", lambda: own_broker.outage(2))
    assert len(booked) == len(starts), "every booking of both bursts was confirmed over HTTP"

    def settled():
        return all(system.integrator.of("booking.confirmed", booking_id=b) for b in booked) and all(
            smtp.to(email) for email in booked.values())

    if not wait_until(settled, 90, 0.5):  # a killed worker's leased mail is free again after 60 s
        no_event = [b for b in booked if not system.integrator.of("booking.confirmed", booking_id=b)]
        no_mail = [b for b, email in booked.items() if not smtp.to(email)]
        pytest.fail(f"of {len(booked)} bookings, {len(no_event)} never reached the integrator and "
                    f"{len(no_mail)} clients got no mail; logs under {system.workdir}")
    time.sleep(2)  # let any duplicate that was going to arrive arrive
    for booking_id, email in booked.items():
        events = system.integrator.of("booking.confirmed", booking_id=booking_id)
        assert len({e["id"] for e in events}) == 1, f"{booking_id}: one booking.confirmed event"
        confirmations = [m for m in smtp.to(email) if m["X-Attune-Notification"] == "booking_confirmed_client"]
        assert len(confirmations) == 1, f"{booking_id}: one confirmation email to its client"
    open_now = api.slot_starts(system, clinician_id=clinician["id"])
    assert not (set(starts) & open_now), "the slot list agrees with the bookings"
