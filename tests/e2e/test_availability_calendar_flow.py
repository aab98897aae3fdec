"""A clinician's own CalDAV calendar (Radicale) with availability and booking as real processes: busy time
hides slots and refuses holds, consultations land in the calendar exactly once across a killed worker."""
from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import api, infra
from tests.support.radicale import PASSWORD, Radicale, vevent
from tests.support.system import System, http, wait_until

pytestmark = pytest.mark.e2e
SYNC_SECONDS = 2  # the production default is 20 (+ the 5 s job): the same path, just sooner


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale"), users={"ada": PASSWORD}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    pg = infra.find_postgres() if infra.wants_postgres() else None
    sysm = System(tmp_path_factory.mktemp("e2e-calendar"), infra.find_amqp(), pg, services=("availability", "booking"),
                  web_workers=1, env={"CALENDAR_SYNC_SECONDS": SYNC_SECONDS, "HOLDS_PER_MINUTE_PER_ADDRESS": 100000,
                       "HOLD_MAX_LIVE_PER_ADDRESS": 100000, "HOLD_CHALLENGE_AFTER": 0})
    try:
        sysm.start()
    except Exception:
        sysm.stop()
        raise
    yield sysm
    sysm.stop()


def with_uid(radicale, calendar_url, uid: str) -> list[str]:
    return [text for text in radicale.events(calendar_url).values() if f"UID:{uid}" in text]


def test_busy_time_comes_and_goes_and_a_booking_is_written_once_although_the_worker_is_killed(system, radicale):
    calendar_url = radicale.make_calendar()
    clinician = api.make_clinician(system, tz="UTC", weekly=api.EVERY_HOUR)
    st, status, _ = http("PUT", system.url("availability", f"/v1/clinicians/{clinician['id']}/calendar"),
                         {"caldav_url": radicale.url, "username": "ada", "password": PASSWORD,
                          "calendar_url": calendar_url}, system.token)
    assert st == 200 and status["status"] == "ok", status
    day = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d")
    busy = f"{day}T10:00:00Z"
    assert api.wait_for_slots(system, clinician["id"], present={busy})

    began = time.monotonic()
    event = radicale.put_event(calendar_url, vevent("x", f"""BEGIN:VEVENT
        UID:school-run
        DTSTAMP:20260101T000000Z
        DTSTART:{day.replace('-', '')}T100000Z
        DTEND:{day.replace('-', '')}T103000Z
        END:VEVENT"""))
    assert api.wait_for_slots(system, clinician["id"], absent={busy, f"{day}T10:15:00Z"}, timeout=60)
    hidden_after = time.monotonic() - began
    refused = wait_until(lambda: api.hold(system, clinician["id"], busy)[0] == 422, 30)
    assert refused, "the booking service refuses a new hold on the busy time"

    start = f"{day}T14:00:00Z"
    st, held, _ = api.hold_when_ready(system, clinician["id"], start)
    assert st == 201, held
    st, booking, _ = api.confirm(system, held, {"name": "Robin Example", "email": "robin@client.test"})
    assert st == 201, booking
    time.sleep(random.uniform(0, 0.5))
    system.kill("availability-worker")  # somewhere between consuming booking.confirmed and the CalDAV PUT
    system.start_worker("availability")
    uid = f"{booking['id']}@attune"
    assert wait_until(lambda: with_uid(radicale, calendar_url, uid), 60), system.logs()[-3000:]
    time.sleep(SYNC_SECONDS)  # a second write would come by now
    [written] = with_uid(radicale, calendar_url, uid)
    assert "Consultation call: Robin" in written and "Example" not in written and "robin@client.test" not in written

    radicale.delete(event)
    assert api.wait_for_slots(system, clinician["id"], present={busy}, timeout=60)
    print(f"busy time hidden {hidden_after:.1f} s after the event was added (sync every {SYNC_SECONDS} s)")

    st, _, _ = api.booking_call(system, "POST", booking["id"], "cancel", {}, booking["manage_token"])
    assert st == 200
    assert wait_until(lambda: not with_uid(radicale, calendar_url, uid), 60), "the cancelled call leaves the calendar"
