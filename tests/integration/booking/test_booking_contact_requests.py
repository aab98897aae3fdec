"""Contact requests: created with the client's wishes, offered each freed or new slot that suits once."""
from __future__ import annotations

import pytest
from booking_support import at, bearer
from sqlalchemy import text

from shared.clock import isoformat

pytestmark = pytest.mark.integration
ADMIN = bearer("test-admin-Vq8xK2pLm9RzW4nY7c")
MONDAY_MORNING_BERLIN = [{"weekday": "mon", "start": "09:00", "end": "12:00"}]


def ask(booking, **over):
    body = {"name": "Sam Seeker", "email": "sam@example.org", "time_zone": "Europe/Berlin",
            "preferred_times": MONDAY_MORNING_BERLIN, "message": "Mornings suit us.", "consent": True, **over}
    res = booking.http.post("/v1/contact-requests", json=body)
    if res.status_code == 201:  # as if the client had followed the link mailed to them (tested on its own)
        with booking.container.db.write() as s:
            s.execute(text("UPDATE contact_requests SET status = 'open' WHERE id = :i AND status = 'unverified'"),
                      {"i": res.json["id"]})
    return res


def matched(booking, request_id=None):
    return [e for e in booking.events("contact_request.matched")
            if request_id is None or e["data"]["contact_request_id"] == request_id]


def test_a_contact_request_is_created_and_its_event_carries_the_client_inside_the_broker(booking):
    res = ask(booking, phone="+49 30 555 0100", modality="eft")

    assert res.status_code == 201 and res.json["id"]
    [created] = booking.events("contact_request.created")
    assert created["subject"] == res.json["id"]
    assert created["data"]["client"] == {"name": "Sam Seeker", "email": "sam@example.org", "phone": "+49 30 555 0100"}
    assert created["data"]["preferred_times"] == MONDAY_MORNING_BERLIN and created["data"]["modality"] == "eft"


@pytest.mark.parametrize("over, field", [
    ({"email": None}, "email"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"preferred_times": [{"weekday": "mon", "start": "12:00", "end": "09:00"}]}, "preferred_times.0.end"),
    ({"preferred_times": [{"weekday": "someday", "start": "09:00", "end": "10:00"}]}, "preferred_times.0.weekday"),
    ({"preferred_times": []}, "preferred_times"),
    ({"modality": "hypnosis"}, "modality"),
])
def test_a_contact_request_without_a_way_to_reach_or_with_bad_times_is_a_422_naming_the_field(booking, over, field):
    res = ask(booking, **over)

    assert res.status_code == 422 and field in res.json["errors"], res.json
    assert booking.events("contact_request.created") == []


def test_a_cancelled_slot_that_suits_an_open_request_is_offered_to_it_once(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    request_id = ask(booking, clinician_id=cid).json["id"]

    booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=bearer(made["manage_token"]))
    again = booking.book(cid, at(0, "10:00"))
    booking.http.post(f"/v1/bookings/{again['id']}/cancel", json={}, headers=bearer(again["manage_token"]))

    [offer] = matched(booking, request_id)
    assert offer["data"] == {"contact_request_id": request_id, "clinician_id": cid,
                             "start": isoformat(at(0, "10:00")), "end": isoformat(at(0, "10:15"))}
    assert offer["subject"] == request_id


def test_a_freed_slot_outside_the_clients_times_or_for_another_clinician_is_not_offered(booking):
    cid, other = booking.clinician(), booking.clinician()
    afternoon = booking.book(cid, at(0, "14:00"))
    morning_elsewhere = booking.book(other, at(0, "10:00"))
    ask(booking, clinician_id=cid)

    for made in (afternoon, morning_elsewhere):
        booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=bearer(made["manage_token"]))

    assert matched(booking) == []


def test_preferred_times_are_read_in_the_clients_own_zone(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "15:00"))  # 15:00 Berlin = 09:00 in New York
    ask(booking, time_zone="America/New_York", preferred_times=[{"weekday": "mon", "start": "09:00", "end": "09:15"}])

    booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=bearer(made["manage_token"]))

    assert len(matched(booking)) == 1


def test_an_expired_or_released_hold_offers_its_slot_and_a_request_by_modality_finds_the_clinician(booking, clock):
    cid = booking.clinician(modalities=("eft",), populations=("couples",))
    stale = booking.hold(cid, at(0, "11:00")).json
    let_go = booking.hold(cid, at(0, "11:15")).json
    wanted = ask(booking, modality="eft", population="couples").json["id"]
    unwanted = ask(booking, modality="ddp").json["id"]

    booking.http.delete(f"/v1/holds/{let_go['id']}", headers=bearer(let_go["token"]))
    clock.advance(seconds=601)
    booking.sweep()

    assert [e["data"]["start"] for e in matched(booking, wanted)] == [let_go["start"], stale["start"]]
    assert matched(booking, unwanted) == []


def test_a_slot_freed_too_close_to_now_or_retaken_at_once_is_not_offered(booking, clock):
    cid = booking.clinician()
    soon = booking.book(cid, at(0, "10:00"))
    ask(booking, clinician_id=cid)
    clock.advance(minutes=45)  # 10:00 Berlin is now within the two hours' notice

    booking.http.post(f"/v1/bookings/{soon['id']}/cancel", json={}, headers=bearer(soon["manage_token"]))

    assert matched(booking) == []


def test_new_windows_offer_the_earliest_new_suitable_slot_once(booking):
    cid = booking.clinician(weekly=[{"weekday": "tue", "start": "09:00", "end": "12:00"}])
    request_id = ask(booking, clinician_id=cid).json["id"]

    booking.schedule(cid, version=2, weekly=[{"weekday": "mon", "start": "11:00", "end": "12:00"},
                                             {"weekday": "tue", "start": "09:00", "end": "12:00"}])
    booking.schedule(cid, version=3, weekly=[{"weekday": "mon", "start": "11:00", "end": "12:00"},
                                             {"weekday": "tue", "start": "09:00", "end": "13:00"}])

    [offer] = matched(booking, request_id)
    assert offer["data"]["start"] == isoformat(at(0, "11:00"))


def test_a_closed_request_is_offered_nothing_and_staff_see_requests_with_their_offers(booking):
    cid = booking.clinician()
    one, two = booking.book(cid, at(0, "10:00")), booking.book(cid, at(0, "10:15"))
    kept, closed = ask(booking).json["id"], ask(booking).json["id"]
    booking.http.post(f"/v1/bookings/{one['id']}/cancel", json={}, headers=bearer(one["manage_token"]))

    refused = booking.http.post(f"/v1/contact-requests/{closed}/close")
    res = booking.http.post(f"/v1/contact-requests/{closed}/close", headers=ADMIN)
    booking.http.post(f"/v1/bookings/{two['id']}/cancel", json={}, headers=bearer(two["manage_token"]))
    listed = booking.http.get("/v1/contact-requests", headers=ADMIN)
    open_only = booking.http.get("/v1/contact-requests?status=open", headers=ADMIN)

    assert refused.status_code == 401 and res.status_code == 200 and res.json["status"] == "closed"
    assert len(matched(booking, kept)) == 2 and len(matched(booking, closed)) == 1
    by_id = {r["id"]: r for r in listed.json["contact_requests"]}
    assert by_id[kept]["email"] == "sam@example.org" and len(by_id[kept]["matches"]) == 2
    assert by_id[closed]["status"] == "closed"
    assert [r["id"] for r in open_only.json["contact_requests"]] == [kept]
    assert booking.http.get("/v1/contact-requests").status_code == 401
