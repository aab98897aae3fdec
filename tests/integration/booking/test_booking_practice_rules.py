"""Issue 15 in the booking service: the call method, daily caps and buffers, one free consultation per person."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from booking_support import WEEKDAYS, at

from shared.clock import isoformat

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


def test_a_storm_of_forty_holds_on_a_day_capped_at_two_gets_exactly_two(booking):
    """Four rounds (four days): a race that slips past the cap shows in one of them at least."""
    cid = clinician(booking, max_per_day=2)

    def storm(day: int) -> list[int]:
        starts = [at(day, "09:00") + timedelta(minutes=15 * i) for i in range(32)]  # the whole day, 09:00-17:00
        starts += starts[:8]  # and some slots twice
        barrier = threading.Barrier(len(starts))

        def hold(start):
            http = booking.app.test_client()
            barrier.wait()
            return http.post("/v1/holds", json={"clinician_id": cid, "start": isoformat(start)}).status_code

        with ThreadPoolExecutor(len(starts)) as pool:
            return list(pool.map(hold, starts))

    for day in (1, 2, 3, 4):
        codes = storm(day)
        assert codes.count(201) == 2 and set(codes) <= {201, 409}, (day, codes)
    assert len(booking.events("booking.held")) == 8


def test_released_and_cancelled_consultations_give_their_place_back(booking):
    cid = clinician(booking, max_per_day=1)
    first = booking.hold(cid, at(1, "09:00")).json
    assert booking.hold(cid, at(1, "11:00")).status_code == 409

    booking.http.delete(f"/v1/holds/{first['id']}", headers={"Authorization": f"Bearer {first['token']}"})
    confirmed = booking.book(cid, at(1, "11:00"))
    refused = booking.hold(cid, at(1, "14:00"))
    assert refused.status_code == 409 and "all taken" in refused.json["detail"]

    booking.http.post(f"/v1/bookings/{confirmed['id']}/cancel", json={},
                      headers={"Authorization": f"Bearer {confirmed['manage_token']}"})
    assert booking.hold(cid, at(1, "14:00")).status_code == 201


def test_a_hold_inside_the_buffer_is_refused_and_one_outside_it_is_taken(booking):
    cid = clinician(booking, buffer_minutes=30)
    booking.book(cid, at(1, "10:00"))

    near = booking.hold(cid, at(1, "10:30"))
    assert near.status_code == 409 and "too close" in near.json["detail"]
    assert booking.hold(cid, at(1, "09:30")).status_code == 409
    assert booking.hold(cid, at(1, "10:45")).status_code == 201


def test_a_reschedule_keeps_to_the_cap_but_not_against_the_booking_itself(booking):
    cid = clinician(booking, max_per_day=1, buffer_minutes=15)
    moved = booking.book(cid, at(1, "10:00"))
    booking.book(cid, at(2, "10:00"))
    manage = {"Authorization": f"Bearer {moved['manage_token']}"}

    same_day = booking.http.post(f"/v1/bookings/{moved['id']}/reschedule", json={"start": isoformat(at(1, "10:15"))},
                                 headers=manage)
    full_day = booking.http.post(f"/v1/bookings/{moved['id']}/reschedule", json={"start": isoformat(at(2, "14:00"))},
                                 headers=manage)

    assert same_day.status_code == 200, same_day.json
    assert full_day.status_code == 409 and full_day.json["errors"]["start"]


def test_staff_go_past_the_cap_only_with_outside_hours(make_booking):
    from booking_support import NOW

    from tests.support.staff_tokens import KEY, Staff

    booking = make_booking(ATTUNE_SECRET_KEY=KEY)
    cid = clinician(booking, max_per_day=1)
    booking.book(cid, at(1, "10:00"))
    headers = Staff(NOW).headers("staff", account_id="ac_s")
    body = {"clinician_id": cid, "start": isoformat(at(1, "14:00")), "client": {"name": "Robin Quill"}}

    refused = booking.http.post("/v1/bookings", json=body, headers=headers)
    agreed = booking.http.post("/v1/bookings", json={**body, "outside_hours": True}, headers=headers)

    assert refused.status_code == 409 and "all taken" in refused.json["detail"]
    assert agreed.status_code == 201, agreed.json


def confirm_as(booking, cid, start, email="ada@example.org", phone=None):
    hold = booking.hold(cid, start)
    assert hold.status_code == 201, hold.json
    client = {"name": "Ada Client", "email": email, **({"phone": phone} if phone else {})}
    return hold.json, booking.confirm(hold.json, client=client)


@pytest.fixture
def one_each(make_booking):
    """The booking service with the one-free-consultation rule as it ships (ONE_CONSULTATION_DAYS=90)."""
    return make_booking(ONE_CONSULTATION_DAYS="90")


def test_a_second_free_consultation_is_refused_kindly_and_the_link_goes_to_the_first_bookings_client(one_each):
    booking = one_each
    cid, other = clinician(booking), clinician(booking)
    _, first = confirm_as(booking, cid, at(1, "10:00"), email="ada@example.org", phone="+49 30 1234567")
    assert first.status_code == 201

    hold, again = confirm_as(booking, other, at(2, "11:00"), email="  ADA@Example.org ")

    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert again.json["title"] == "You Have A Consultation With Us Already"
    assert "emailed" in again.json["detail"]
    shown = str(again.json)
    assert first.json["id"] not in shown and cid not in shown and "10:00" not in shown and "09:00" not in shown
    [asked] = booking.events("booking.duplicate_requested")
    assert asked["subject"] == first.json["id"] and "client" not in asked["data"]
    released = [e for e in booking.events("booking.hold_released") if e["subject"] == hold["id"]]
    assert released  # the hold that could not be confirmed gives its slot back
    assert booking.hold(other, at(2, "11:00")).status_code == 201


def test_the_same_phone_however_typed_is_the_same_person(one_each):
    booking = one_each
    cid = clinician(booking)
    assert confirm_as(booking, cid, at(1, "10:00"), phone="+49 30 1234567")[1].status_code == 201

    _, again = confirm_as(booking, cid, at(2, "10:00"), email="someone.else@example.org", phone="+49 (0)30 123-4567")

    assert again.status_code == 409


def test_a_cancelled_or_long_past_consultation_does_not_count_and_staff_book_anyway(make_booking, clock):
    from booking_support import NOW

    from tests.support.staff_tokens import KEY, Staff

    booking = make_booking(ATTUNE_SECRET_KEY=KEY, ONE_CONSULTATION_DAYS="30")
    cid = clinician(booking)
    _, first = confirm_as(booking, cid, at(1, "10:00"))
    booking.http.post(f"/v1/bookings/{first.json['id']}/cancel", json={},
                      headers={"Authorization": f"Bearer {first.json['manage_token']}"})
    _, second = confirm_as(booking, cid, at(1, "11:00"))
    assert second.status_code == 201  # the cancelled one did not count

    staff = booking.http.post("/v1/bookings", headers=Staff(NOW).headers("staff", account_id="ac_s"), json={
        "clinician_id": cid, "start": isoformat(at(2, "10:00")), "client": {"name": "Ada", "email": "ada@example.org"}})
    assert staff.status_code == 201, staff.json

    clock.advance(days=35)  # a Monday: both consultations now lie more than ONE_CONSULTATION_DAYS back
    assert confirm_as(booking, cid, at(1, "10:00") + timedelta(days=35))[1].status_code == 201
