"""Two web processes and two workers per service: a burst of 100 bookings from 32 clients while one
worker of each service is SIGKILLed and the broker (the test's own node) is down for 10 s. Afterwards
every booking has one booking.confirmed and one client email, no slot has two bookings, every hold left
unconfirmed expired exactly once, /metrics agrees, and the client's email joins the request's trace."""
from __future__ import annotations

import collections
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import api, infra
from tests.support.integrator import Integrator
from tests.support.smtp import SmtpSink
from tests.support.system import System, http, wait_until

pytestmark = pytest.mark.e2e
SERVICES = ("availability", "booking", "notifications")
TTL = 8


@pytest.fixture
def replicated(tmp_path, own_broker):
    smtp = SmtpSink()
    pg = infra.find_postgres() if infra.wants_postgres() else None
    system = System(tmp_path, own_broker.url, pg, services=SERVICES, web_workers=2, env={
        "SMTP_URL": smtp.url, "HOLD_TTL_SECONDS": TTL, "PRACTICE_INBOX": "practice@e2e.test", "LOG_LEVEL": "WARNING",
        "HOLDS_PER_MINUTE_PER_ADDRESS": 100000, "HOLD_MAX_LIVE_PER_ADDRESS": 100000, "HOLD_CHALLENGE_AFTER": 0,
        "CONFIRMS_PER_MINUTE_PER_ADDRESS": 100000})
    try:
        system.start()
        for s in SERVICES:
            second_worker(system, s)
        system.integrator = Integrator(own_broker.url, system.exchange)
        yield system, smtp
    finally:
        if getattr(system, "integrator", None):
            system.integrator.stop()
        system.stop()
        smtp.stop()


def second_worker(system: System, service: str) -> None:
    system._spawn(f"{service}-worker-2", [sys.executable, "-m", "attune.cli", "worker", service])


def hold(system: System, cid: str, start: str):
    """A hold, retried while it only met another hold of the same session (every test client shares one
    address) at the same moment, as the 409 asks."""
    for _ in range(20):
        st, body, hdrs = api.hold_when_ready(system, cid, start)
        if not (st == 409 and "session" in ((body or {}).get("errors") or {})):
            return st, body, hdrs
        time.sleep(random.uniform(0.05, 0.3))
    return st, body, hdrs


def metric(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_a_burst_under_worker_kills_and_a_broker_outage_books_each_slot_once_and_loses_nothing(replicated,
                                                                                                own_broker):
    system, smtp = replicated
    clinician = api.make_clinician(system, tz="UTC")
    assert api.wait_for_slots(system, clinician["id"], timeout=30)
    starts = [s["start"] for s in api.slots(system, clinician_id=clinician["id"])]
    targets, loose = starts[4:104], starts[110:120]
    attempts = [(s, f"c{i}-{infra.rand(4)}@client.test") for i, s in enumerate(targets)]
    attempts += [(s, f"rival{i}-{infra.rand(4)}@client.test") for i, s in enumerate(random.sample(targets, 20))]
    random.shuffle(attempts)
    booked, refused, lock = {}, collections.Counter(), threading.Lock()
    faults, loose_ids = threading.Event(), []

    def attempt(start: str, email: str) -> None:
        st, held, _ = hold(system, clinician["id"], start)
        if st == 201:
            st, body, _ = api.confirm(system, held, {"name": "Burst Client", "email": email})
        with lock:
            if st == 201:
                booked[body["id"]] = (start, email)
            else:
                refused[st] += 1
            if len(booked) + sum(refused.values()) == 30:
                faults.set()

    def inject_faults() -> None:
        faults.wait(60)
        for s in SERVICES:
            system.kill(f"{s}-worker", signal.SIGKILL)
        own_broker.outage(10)  # the web apps keep taking bookings: their events wait in the outboxes
        for s in SERVICES:
            system.start_worker(s)

    injector = threading.Thread(target=inject_faults, daemon=True)
    injector.start()
    with ThreadPoolExecutor(32) as pool:
        futures = [pool.submit(attempt, s, e) for s, e in attempts]
        for s in loose:
            st, held, _ = hold(system, clinician["id"], s)
            assert st == 201, f"a hold nobody confirms: {held}"
            loose_ids.append(held["id"])
        for f in futures:
            f.result()
    injector.join(60)

    assert sorted(s for s, _ in booked.values()) == sorted(targets), "each slot was booked exactly once"
    assert set(refused) <= {409}, refused
    integrator = system.integrator

    def settled() -> bool:
        return (all(integrator.of("booking.confirmed", booking_id=b) for b in booked)
                and all(smtp.to(email) for _, email in booked.values())
                and all(integrator.of("booking.hold_expired", booking_id=h) for h in loose_ids))

    assert wait_until(settled, 75, 0.5), f"not settled; logs under {system.workdir}"
    time.sleep(2)  # a duplicate that was going to arrive has arrived
    twice = []
    for booking_id, (_, email) in booked.items():
        assert len({e["id"] for e in integrator.of("booking.confirmed", booking_id=booking_id)}) == 1
        mails = [m for m in smtp.to(email) if m["X-Attune-Notification"] == "booking_confirmed_client"]
        assert 1 <= len(mails) <= 2, f"{booking_id}: one confirmation email"
        twice += [booking_id] * (len(mails) - 1)
    # SMTP has no idempotent send: the one notifications worker SIGKILLed between handing a mail to the
    # server and committing it may leave that one mail to be sent again by the other worker, never more
    assert len(twice) <= 1, f"mailed twice: {twice}"
    expired = [e for e in integrator.events if e.get("type") == "booking.hold_expired"]
    per_hold = collections.Counter(e["subject"] for e in {e["id"]: e for e in expired}.values())
    assert set(per_hold) == set(loose_ids) and set(per_hold.values()) == {1}, "every loose hold expired once"
    by_start = collections.Counter(e["data"]["start"] for e in {e["id"]: e for e in
                                   integrator.events if e.get("type") == "booking.confirmed"}.values())
    assert set(by_start.values()) == {1}, "no slot has two confirmed bookings"

    st, text, _ = http("GET", system.url("booking", "/metrics"), headers={"Accept": "text/plain"})
    assert st == 200
    confirm = {"endpoint": "/v1/holds/<hold_id>/confirm", "status": "201"}
    assert metric(text, "attune_http_requests_total", **confirm) == len(booked), "counted by both web processes"
    assert metric(text, "attune_holds_expired_total") == len(loose), "counted by whichever worker expired them"
    st, text, _ = http("GET", system.url("notifications", "/metrics"), headers={"Accept": "text/plain"})
    # the SIGKILLed notifications worker may die between committing a send and counting it (a counter is
    # not part of the send's transaction): at most that one increment is lost
    assert metric(text, "attune_emails_total", kind="booking_confirmed_client", outcome="sent") >= len(booked) - 1

    booking_id, _ = next(iter(booked.items()))
    [confirmed] = {e["id"]: e for e in integrator.of("booking.confirmed", booking_id=booking_id)}.values()
    trace = confirmed["traceparent"].split("-")[1]
    sent = [e for e in integrator.of("notification.sent", booking_id=booking_id)
            if e["data"]["kind"] == "booking_confirmed_client"]
    assert sent and {e["traceparent"].split("-")[1] for e in sent} == {trace}, "the email joins the request's trace"
