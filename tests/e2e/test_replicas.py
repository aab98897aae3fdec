"""Two web processes and two workers per service: a burst of 100 bookings from 32 clients while one
worker of each service is SIGKILLed and the broker (the test's own node) is down for 10 s. Afterwards
every booking has one booking.confirmed, one client email (one Message-ID: a resend in the killed
worker's crash window is the same message) and one event in the clinician's CalDAV calendar (Radicale),
no slot has two bookings, every hold left unconfirmed expired exactly once and is not in the calendar,
cancelled bookings leave it, /metrics agrees, and each client's email joins the trace of their request."""
from __future__ import annotations

import collections
import random
import re
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.notifications.service_layer.email_handlers import EMAIL_ROUTING_KEYS
from tests.support import api, infra
from tests.support.integrator import Integrator
from tests.support.radicale import PASSWORD, Radicale
from tests.support.smtp import SmtpSink
from tests.support.system import System, http, wait_until

pytestmark = pytest.mark.e2e
SERVICES = ("availability", "booking", "notifications")
TTL = 8
CANCELLED = 5  # bookings cancelled once the calendar shows them


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path / "radicale", users={"ada": PASSWORD}).start()
    yield server
    server.stop()


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


def scrape(system: System, service: str) -> str:
    st, text, _ = http("GET", system.url(service, "/metrics"), headers={"Accept": "text/plain"})
    assert st == 200
    return text


def ready(system: System) -> bool:
    """Every service's database, broker and consumers connected: no event published from now on goes nowhere."""
    return all(http("GET", system.url(s, "/v1/health/ready"), timeout=5)[0] == 200 for s in SERVICES)


def connect_calendar(system: System, radicale: Radicale, clinician_id: str) -> str:
    calendar_url = radicale.make_calendar()
    st, status, _ = http("PUT", system.url("availability", f"/v1/clinicians/{clinician_id}/calendar"),
                         {"caldav_url": radicale.url, "username": "ada", "password": PASSWORD,
                          "calendar_url": calendar_url}, system.token)
    assert st == 200 and status["status"] == "ok", status
    return calendar_url


def calendar_uids(radicale: Radicale, calendar_url: str) -> collections.Counter:
    """How many VEVENTs of each UID the clinician's calendar holds (read from Radicale's storage)."""
    return collections.Counter(uid for text in radicale.events(calendar_url).values()
                               for uid in re.findall(r"^UID:(\S+?)\r?$", text, re.MULTILINE))


def in_calendar(booking_ids) -> collections.Counter:
    return collections.Counter({f"{b}@attune": 1 for b in booking_ids})


def sent_message(integrator: Integrator, booking_id: str, kind: str) -> set[str]:
    """The Message-IDs of the mails of `kind` recorded sent for the booking (its notification.sent events)."""
    return {f"<{e['data']['notification_id']}@attune>" for e in integrator.of("notification.sent", booking_id=booking_id)
            if e["data"]["kind"] == kind}


def one_message_each(integrator: Integrator, mails: list, booking_ids, kind: str) -> int:
    """Asserts one message of `kind` per booking: one recorded sent, and every mail of that kind that
    arrived is one of those (a second, different message for a booking fails). Returns the raw resends."""
    expected = set()
    for b in booking_ids:
        ids = sent_message(integrator, b, kind)
        assert len(ids) == 1, f"{b}: one {kind} message recorded sent, not {len(ids)}"
        expected |= ids
    arrived = collections.Counter(m["Message-ID"] for m in mails if m["X-Attune-Notification"] == kind)
    assert set(arrived) == expected, f"{kind}: each booking's one message arrived, and no other"
    return sum(arrived.values()) - len(arrived)


def test_a_burst_under_worker_kills_and_a_broker_outage_books_each_slot_once_and_loses_nothing(replicated,
                                                                                                own_broker, radicale):
    system, smtp = replicated
    began = time.monotonic()
    assert wait_until(lambda: ready(system), 30), "every consumer connected"
    clinician = api.make_clinician(system, tz="UTC")
    calendar_url = connect_calendar(system, radicale, clinician["id"])
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
        trace = f"{random.getrandbits(128):032x}"  # the client's own trace: the email must join it
        if st == 201:
            st, body, _ = api.confirm(system, held, {"name": "Burst Client", "email": email},
                                      headers={"traceparent": f"00-{trace}-{random.getrandbits(64):016x}-01"})
        with lock:
            if st == 201:
                booked[body["id"]] = (start, email, trace, body["manage_token"])
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
    burst = time.monotonic()

    assert sorted(s for s, *_ in booked.values()) == sorted(targets), "each slot was booked exactly once"
    assert set(refused) <= {409}, refused
    integrator = system.integrator
    kinds = ("booking_confirmed_client", "booking_confirmed_clinician")

    def settled() -> bool:
        return (all(integrator.of("booking.confirmed", booking_id=b) for b in booked)
                and all(sent_message(integrator, b, k) for b in booked for k in kinds)
                and all(integrator.of("booking.hold_expired", booking_id=h) for h in loose_ids)
                and calendar_uids(radicale, calendar_url) == in_calendar(booked))

    assert wait_until(settled, 75, 0.5), f"not settled; logs under {system.workdir}"
    calm = time.monotonic()
    cancelled = random.sample(sorted(booked), CANCELLED)  # a cancelled booking leaves the calendar
    for b in cancelled:
        assert api.booking_call(system, "POST", b, "cancel", {}, booked[b][3])[0] == 200
    kept = set(booked) - set(cancelled)
    assert wait_until(lambda: calendar_uids(radicale, calendar_url) == in_calendar(kept)
                      and all(sent_message(integrator, b, "booking_cancelled_client") for b in cancelled), 30, 0.5)
    time.sleep(max(0.0, calm + 2 - time.monotonic()))  # a duplicate that was going to arrive has arrived

    assert calendar_uids(radicale, calendar_url) == in_calendar(kept), \
        "each kept booking is in the calendar exactly once; no expired hold or cancelled booking is"
    mails = [m for _, m in list(smtp.messages)]
    resends = {k: one_message_each(integrator, mails, booked, k) for k in kinds}
    one_message_each(integrator, mails, cancelled, "booking_cancelled_client")
    print(f"raw resends of a mail in the killed notifications worker's crash window: {resends}")
    # SMTP has no idempotent send: the one mail in flight when the notifications worker was SIGKILLed
    # may go out again, as the same message (one Message-ID), never a different one and never more
    assert sum(resends.values()) <= 1, resends
    for booking_id in booked:
        assert len({e["id"] for e in integrator.of("booking.confirmed", booking_id=booking_id)}) == 1
    expired = [e for e in integrator.events if e.get("type") == "booking.hold_expired"]
    per_hold = collections.Counter(e["subject"] for e in {e["id"]: e for e in expired}.values())
    assert set(per_hold) == set(loose_ids) and set(per_hold.values()) == {1}, "every loose hold expired once"
    by_start = collections.Counter(e["data"]["start"] for e in {e["id"]: e for e in
                                   integrator.events if e.get("type") == "booking.confirmed"}.values())
    assert set(by_start.values()) == {1}, "no slot has two confirmed bookings"

    for booking_id, (*_, trace, _) in booked.items():
        [confirmed] = {e["id"]: e for e in integrator.of("booking.confirmed", booking_id=booking_id)}.values()
        sent = [e for e in integrator.of("notification.sent", booking_id=booking_id)
                if e["data"]["kind"] == "booking_confirmed_client"]
        assert confirmed["traceparent"].split("-")[1] == trace, "the event continues the client's trace"
        assert {e["traceparent"].split("-")[1] for e in sent} == {trace}, "the email joins the request's trace"

    text = scrape(system, "booking")
    confirm = {"endpoint": "/v1/holds/<hold_id>/confirm", "status": "201"}
    assert metric(text, "attune_http_requests_total", **confirm) == len(booked), "counted by both web processes"
    assert metric(text, "attune_http_requests_total", endpoint="/v1/bookings/<booking_id>/cancel",
                  status="200") == CANCELLED
    assert metric(text, "attune_holds_expired_total") == len(loose), "counted by whichever worker expired them"
    text = scrape(system, "notifications")
    # a counter is not part of the send's transaction: the SIGKILLed worker may die between committing a
    # send and counting it, so at most that one increment is missing; a resend is counted once
    sent = metric(text, "attune_emails_total", kind="booking_confirmed_client", outcome="sent")
    assert len(booked) - 1 <= sent <= len(booked), sent
    assert metric(text, "attune_emails_total", kind="booking_cancelled_client", outcome="sent") == CANCELLED
    [emails_queue] = [q for q in infra.service_queues("notifications", system.env) if q.endswith(".booking-events")]
    routed = {e["id"] for e in integrator.events if e.get("type") in EMAIL_ROUTING_KEYS}
    taken = sum(metric(text, "attune_events_consumed_total", queue=emails_queue, outcome=o) for o in ("applied", "stale"))
    assert len(routed) - 1 <= taken <= len(routed), f"each event the email queue got was taken once: {taken}"
    for service in SERVICES:
        text = scrape(system, service)
        for lost in ("attune_events_dead_lettered_total", "attune_events_unroutable_total", "attune_queue_losses_total"):
            assert metric(text, lost) == 0, f"{service}: {lost}: no event was dead-lettered, went nowhere or lost"
    print(f"burst {burst - began:.1f} s, settled {calm - burst:.1f} s, cancels and checks "
          f"{time.monotonic() - calm:.1f} s")

