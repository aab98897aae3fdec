"""Confirm, read, cancel and reschedule over HTTP: tokens, statuses, atomic moves, one event per change."""
from __future__ import annotations

from datetime import timedelta

import pytest
from booking_support import at, bearer

from shared.clock import isoformat

pytestmark = pytest.mark.integration
ADMIN = bearer("test-admin-Vq8xK2pLm9RzW4nY7c")


def test_confirming_a_hold_makes_a_booking_with_the_same_id_and_a_manage_token(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    res = booking.confirm(hold)

    assert res.status_code == 201, res.json
    body = res.json
    assert body["id"] == hold["id"] and body["status"] == "confirmed"
    assert body["start"] == hold["start"] and body["end"] == hold["end"]
    assert len(body["manage_token"]) >= 40 and body["manage_token"] != hold["token"]
    [confirmed] = booking.events("booking.confirmed")
    assert confirmed["sequence"] == 2 and confirmed["subject"] == hold["id"]
    assert confirmed["data"]["client"] == {"name": "Ada Client", "email": "ada@example.org",
                                           "phone": "+49 30 1234567", "time_zone": None}
    assert body["manage_token"] not in str(confirmed), "no bearer secret on the exchange"
    assert confirmed["data"]["notes"] == "couples work"
    others = [e for e in booking.events() if e["type"] != "booking.confirmed"]
    assert "ada@example.org" not in str(others) and "Ada Client" not in str(others)


def test_the_clients_zone_travels_with_the_booking_so_their_emails_show_their_own_times(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json
    client = {"name": "Kai Client", "email": "kai@example.org", "time_zone": "Asia/Tokyo"}

    body = booking.confirm(hold, client=client).json

    [confirmed] = booking.events("booking.confirmed")
    assert confirmed["data"]["client"]["time_zone"] == "Asia/Tokyo"
    read = booking.http.get(f"/v1/bookings/{body['id']}", headers=bearer(body["manage_token"]))
    assert read.json["client"]["time_zone"] == "Asia/Tokyo", "kept with the booking"


def test_a_retried_confirm_answers_with_the_same_booking_and_emits_nothing_new(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json
    first = booking.confirm(hold).json

    again = booking.confirm(hold)

    assert again.status_code == 201
    assert again.json["id"] == first["id"] and again.json["manage_token"] == first["manage_token"]
    assert len(booking.events("booking.confirmed")) == 1


@pytest.mark.parametrize("body, field", [
    ({"consent": False}, "consent"),
    ({"client": {"name": "Ada", "email": "not-an-email"}}, "client.email"),
    ({"client": {"name": "", "email": "ada@example.org"}}, "client.name"),
    ({"client": {"name": "Ada", "email": "ada@example.org", "phone": "call me"}}, "client.phone"),
    ({"client": {"name": "Ada", "email": "ada@example.org", "time_zone": "Mars/Olympus"}}, "client.time_zone"),
])
def test_confirm_details_are_validated_naming_the_field(booking, body, field):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    res = booking.confirm(hold, **body)

    assert res.status_code == 422 and res.mimetype == "application/problem+json"
    assert field in res.json["errors"]
    assert booking.events("booking.confirmed") == []


def test_a_hold_that_expired_or_was_released_cannot_be_confirmed(booking, clock):
    cid = booking.clinician()
    expired = booking.hold(cid, at(0, "12:00")).json
    released = booking.hold(cid, at(0, "12:15")).json
    booking.http.delete(f"/v1/holds/{released['id']}", headers=bearer(released["token"]))
    clock.advance(seconds=601)

    assert booking.confirm(expired).status_code == 410
    assert booking.confirm(released).status_code == 410
    assert booking.confirm({"id": expired["id"], "token": "wrong"}).status_code == 401
    assert booking.events("booking.confirmed") == []


def test_a_booking_is_read_with_its_manage_token_or_the_admin_credential_only(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))

    mine = booking.http.get(f"/v1/bookings/{made['id']}", headers=bearer(made["manage_token"]))
    staff = booking.http.get(f"/v1/bookings/{made['id']}", headers=ADMIN)
    stranger = booking.http.get(f"/v1/bookings/{made['id']}", headers=bearer("guess"))
    nobody = booking.http.get(f"/v1/bookings/{made['id']}")

    assert mine.status_code == 200 and mine.json["status"] == "confirmed" and "manage_token" not in mine.json
    assert mine.json["client"]["email"] == "ada@example.org"
    assert staff.status_code == 200
    assert stranger.status_code == 401 and nobody.status_code == 401


def test_a_hold_is_not_a_booking_for_its_holder(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    assert booking.http.get(f"/v1/bookings/{hold['id']}", headers=bearer(hold["token"])).status_code == 404


def test_cancelling_frees_the_slot_and_a_second_cancel_changes_nothing(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    path = f"/v1/bookings/{made['id']}/cancel"

    res = booking.http.post(path, json={"reason": "found help"}, headers=bearer(made["manage_token"]))
    again = booking.http.post(path, json={}, headers=bearer(made["manage_token"]))

    assert res.status_code == 200 and res.json["status"] == "cancelled"
    assert again.status_code == 200 and again.json["status"] == "cancelled"
    [cancelled] = booking.events("booking.cancelled")
    assert cancelled["data"]["reason"] == "found help" and cancelled["data"]["cancelled_by"] == "client"
    assert cancelled["sequence"] == 3
    assert booking.hold(cid, at(0, "10:00")).status_code == 201
    reschedule = booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": isoformat(at(0, "11:00"))},
                                   headers=bearer(made["manage_token"]))
    assert reschedule.status_code == 409


def test_staff_cancel_with_the_admin_credential(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))

    res = booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=ADMIN)

    assert res.status_code == 200
    assert booking.events("booking.cancelled")[0]["data"]["cancelled_by"] == "staff"


def test_rescheduling_moves_the_booking_and_frees_the_old_slot(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    target = at(1, "14:30")

    res = booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": isoformat(target)},
                            headers=bearer(made["manage_token"]))

    assert res.status_code == 200, res.json
    assert res.json["start"] == isoformat(target) and res.json["end"] == isoformat(target + timedelta(minutes=15))
    [moved] = booking.events("booking.rescheduled")
    assert moved["data"]["previous_start"] == made["start"] and moved["data"]["start"] == isoformat(target)
    assert moved["sequence"] == 3
    assert booking.hold(cid, at(0, "10:00")).status_code == 201
    assert booking.hold(cid, target).status_code == 409


def test_rescheduling_onto_a_taken_or_unbookable_slot_changes_nothing(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    booking.book(cid, at(0, "11:00"))
    path, auth = f"/v1/bookings/{made['id']}/reschedule", bearer(made["manage_token"])

    taken = booking.http.post(path, json={"start": isoformat(at(0, "11:00"))}, headers=auth)
    off_hours = booking.http.post(path, json={"start": isoformat(at(0, "20:00"))}, headers=auth)

    assert taken.status_code == 409 and off_hours.status_code == 422
    now = booking.http.get(f"/v1/bookings/{made['id']}", headers=auth).json
    assert now["start"] == made["start"] and now["status"] == "confirmed"
    assert booking.events("booking.rescheduled") == []
    assert booking.hold(cid, at(0, "10:00")).status_code == 409


def test_rescheduling_onto_a_hold_past_its_expiry_takes_the_slot(booking, clock):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "12:00"))
    stale = booking.hold(cid, at(0, "12:30")).json
    clock.advance(seconds=601)

    res = booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": isoformat(at(0, "12:30"))},
                            headers=bearer(made["manage_token"]))

    assert res.status_code == 200
    assert [e["subject"] for e in booking.events("booking.hold_expired")] == [stale["id"]]


def test_each_booking_has_its_own_rising_event_sequence(booking):
    cid = booking.clinician()
    one, two = booking.book(cid, at(0, "10:00")), booking.book(cid, at(0, "10:15"))
    booking.http.post(f"/v1/bookings/{one['id']}/reschedule", json={"start": isoformat(at(0, "11:00"))},
                      headers=bearer(one["manage_token"]))
    booking.http.post(f"/v1/bookings/{one['id']}/cancel", json={}, headers=bearer(one["manage_token"]))

    seqs = {}
    for e in booking.events():
        seqs.setdefault(e["subject"], []).append((e["sequence"], e["type"]))

    assert seqs[one["id"]] == [(1, "booking.held"), (2, "booking.confirmed"), (3, "booking.rescheduled"),
                               (4, "booking.cancelled")]
    assert seqs[two["id"]] == [(1, "booking.held"), (2, "booking.confirmed")]


def test_staff_list_a_clinicians_bookings_of_one_local_day(booking):
    cid = booking.clinician()
    monday = [booking.book(cid, at(0, t)) for t in ("10:00", "16:45")]
    booking.book(cid, at(1, "09:00"))
    booking.hold(cid, at(0, "11:00"))

    res = booking.http.get(f"/v1/bookings?clinician_id={cid}&date=2026-03-02", headers=ADMIN)
    refused = booking.http.get(f"/v1/bookings?clinician_id={cid}&date=2026-03-02")

    assert res.status_code == 200
    assert [b["id"] for b in res.json["bookings"]] == [b["id"] for b in monday]
    assert res.json["bookings"][0]["client"]["name"] == "Ada Client"
    assert refused.status_code == 401
