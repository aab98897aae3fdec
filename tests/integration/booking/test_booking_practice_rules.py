"""Issue 15 in the booking service: the call method, daily caps and buffers, one free consultation per person."""
from __future__ import annotations

import uuid

import pytest
from booking_support import WEEKDAYS, at

pytestmark = pytest.mark.integration


def clinician(booking, call=None, max_per_day=None, buffer_minutes=None, time_zone="Europe/Berlin") -> str:
    cid = f"cl-{uuid.uuid4().hex[:8]}"
    booking.feed("clinician.created", {
        "clinician_id": cid, "name": "Dr Test", "email": "dr@example.org", "time_zone": time_zone,
        "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True,
        "active": True, "call": call or {"method": "video"}, "max_per_day": max_per_day,
        "buffer_minutes": buffer_minutes})
    booking.schedule(cid, time_zone, [{"weekday": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS])
    return cid


def test_a_phone_clinician_needs_the_clients_phone_to_confirm(booking):
    cid = clinician(booking, call={"method": "phone"})
    resp = booking.hold(cid, at(1, "10:00"))
    assert resp.status_code == 201, resp.json
    hold = resp.json

    refused = booking.confirm(hold, client={"name": "Ada Client", "email": "ada@example.org"})
    blank = booking.confirm(hold, client={"name": "Ada Client", "email": "ada@example.org", "phone": "  "})
    confirmed = booking.confirm(hold, client={"name": "Ada Client", "email": "ada@example.org",
                                              "phone": "+49 30 1234567"})

    assert refused.status_code == 422 and "client.phone" in refused.json["errors"], refused.json
    assert blank.status_code == 422
    assert confirmed.status_code == 201, confirmed.json


def test_a_video_clinician_books_without_a_phone(booking):
    cid = clinician(booking, call={"method": "video", "video_url": "https://meet.example.org/dr"})
    hold = booking.hold(cid, at(1, "10:00")).json

    assert booking.confirm(hold, client={"name": "Ada Client", "email": "ada@example.org"}).status_code == 201
