"""The whole product across the three services, as real processes, over HTTP and AMQP only."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.events import parse
from tests.support import api
from tests.support.smtp import calendar_parts
from tests.support.system import wait_until

pytestmark = pytest.mark.e2e


def _text(message) -> str:
    return "".join(p.get_payload(decode=True).decode() for p in message.walk()
                   if p.get_content_type() == "text/plain")


def _ics(message) -> Calendar:
    parts = calendar_parts(message)
    assert parts, f"no text/calendar part in {message['Subject']!r}"
    return Calendar.from_ical(parts[0])


def test_a_client_books_reschedules_and_cancels_and_everyone_hears_of_each_step(system, smtp):
    ny = api.make_clinician(system, tz="America/New_York")
    sydney = api.make_clinician(system, tz="Australia/Sydney", modalities=["ddp"], populations=["children"])
    assert api.wait_for_slots(system, ny["id"]) is not None
    both = wait_until(lambda: {s["clinician_id"] for s in api.slots(system)} >= {ny["id"], sydney["id"]}, 15)
    assert both, "both clinicians' slots appear in the practice-wide list"
    listed = api.slots(system, clinician_id=ny["id"], tz="Europe/Berlin")
    first = listed[3]
    local = datetime.fromisoformat(first["local_start"])
    assert local.utcoffset() == datetime.fromisoformat(first["start"]).astimezone(
        ZoneInfo("Europe/Berlin")).utcoffset()

    st, held, _ = api.hold_when_ready(system, ny["id"], first["start"])
    assert st == 201, held
    assert api.wait_for_slots(system, ny["id"], absent={first["start"]}), "a held slot leaves the list"
    assert api.wait_for_event(system, "booking.held", booking_id=held["id"])

    client = {"name": "Robin Example", "email": "robin@client.test", "phone": "+1 206 555 0100"}
    st, booking, _ = api.confirm(system, held, client)
    assert st == 201 and booking["status"] == "confirmed", booking
    confirmed = api.wait_for_event(system, "booking.confirmed", booking_id=held["id"])
    assert confirmed
    order = [e["type"] for e in system.integrator.events if e.get("subject") == held["id"]]
    assert order.index("booking.held") < order.index("booking.confirmed")
    for event in system.integrator.of("booking.held", booking_id=held["id"]) + confirmed:
        parse(__import__("json").dumps(event))  # valid against the published schemas
    to_client = wait_until(lambda: smtp.to(client["email"]), 20)
    assert to_client, "the client's confirmation arrives"
    assert booking["manage_token"] not in str(confirmed), "no bearer secret reaches an integrator"
    plain = next(p.get_payload(decode=True).decode() for p in to_client[0].walk()
                 if p.get_content_type() == "text/plain")
    assert f"/#/manage/{held['id']}?token={booking['manage_token']}" in plain, "notifications unsealed the token"
    invite = _ics(to_client[0])
    assert invite.get("method") == "REQUEST"
    event = next(c for c in invite.walk() if c.name == "VEVENT")
    assert held["id"] in str(event.get("uid"))
    assert wait_until(lambda: smtp.to(ny["email"]), 20), "the clinician hears of the booking"
    assert api.wait_for_slots(system, ny["id"], absent={first["start"]}), "the booked time is no longer offered"

    target = listed[8]["start"]
    st, moved, _ = api.booking_call(system, "POST", booking["id"], "reschedule", {"start": target},
                                    booking["manage_token"])
    assert st == 200 and moved["start"] == target, moved
    assert api.wait_for_event(system, "booking.rescheduled", booking_id=booking["id"])
    assert api.wait_for_slots(system, ny["id"], present={first["start"]}, absent={target})
    assert wait_until(lambda: len(smtp.to(client["email"])) >= 2, 20), "the client hears of the move"

    st, cancelled, _ = api.booking_call(system, "POST", booking["id"], "cancel", {"reason": "found help"},
                                        booking["manage_token"])
    assert st == 200 and cancelled["status"] == "cancelled"
    assert api.wait_for_event(system, "booking.cancelled", booking_id=booking["id"])
    assert api.wait_for_slots(system, ny["id"], present={target, first["start"]})
    mails = wait_until(lambda: [m for m in smtp.to(client["email"]) if calendar_parts(m)
                                and _ics(m).get("method") == "CANCEL"], 20)
    assert mails, "the client gets a METHOD:CANCEL invite"


def test_a_walked_away_hold_expires_and_the_slot_opens_again(system):
    clinician = api.make_clinician(system, tz="Europe/London")
    start = api.wait_for_slots(system, clinician["id"]) and api.slots(system, clinician_id=clinician["id"])[5]["start"]
    st, held, _ = api.hold_when_ready(system, clinician["id"], start)
    assert st == 201, held
    assert api.wait_for_slots(system, clinician["id"], absent={start})
    expired = api.wait_for_event(system, "booking.hold_expired", timeout=15, booking_id=held["id"])
    assert len(expired) == 1
    assert api.wait_for_slots(system, clinician["id"], present={start}), "the expired slot is open again"


def test_a_contact_request_is_told_when_a_matching_slot_frees_up(system, smtp):
    clinician = api.make_clinician(system, tz="America/Los_Angeles")
    open_slots = api.wait_for_slots(system, clinician["id"]) and api.slots(system, clinician_id=clinician["id"],
                                                                            tz="America/Los_Angeles")
    chosen = open_slots[10]
    local = datetime.fromisoformat(chosen["local_start"])
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    st, held, _ = api.hold_when_ready(system, clinician["id"], chosen["start"])
    assert st == 201
    st, booking, _ = api.confirm(system, held, {"name": "First Client", "email": "first@client.test"})
    assert st == 201
    seeker = "seeker@client.test"
    st, req, _ = api.http_post(system, "/v1/contact-requests", {
        "name": "Sam Seeker", "email": seeker, "clinician_id": clinician["id"], "time_zone": "America/Los_Angeles",
        "preferred_times": [{"weekday": weekday, "start": local.strftime("%H:%M"),
                             "end": f"{(local.hour + 1) % 24:02d}:{local.minute:02d}"}],
        "message": "Evenings are hard for us.", "consent": True})
    assert st == 201, req
    assert api.wait_for_event(system, "contact_request.created", contact_request_id=req["id"])
    assert wait_until(lambda: smtp.to(seeker), 20), "the client is asked to confirm their address"
    link = re.search(r"(https?://\S+/verify\?token=[^\s\"<>]+)", _text(smtp.to(seeker)[0])).group(1)
    st, _, _ = api.http("POST", link, {})
    assert st == 200, "the client confirms their address (an unverified request is offered nothing)"
    st, _, _ = api.booking_call(system, "POST", booking["id"], "cancel", {}, booking["manage_token"])
    assert st == 200
    matched = api.wait_for_event(system, "contact_request.matched", contact_request_id=req["id"])
    assert matched and matched[0]["data"]["start"] == chosen["start"]
    assert wait_until(lambda: len(smtp.to(seeker)) >= 2, 20), "the client is offered the freed slot by email"
