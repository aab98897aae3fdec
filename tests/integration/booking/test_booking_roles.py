"""Booking enforces the staff roles on the same Bearer token as every service: staff lists and books,
a clinician only their own; every staff read of client details and every staff change is audited."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from booking_support import NOW, at

from shared.clock import isoformat
from tests.support.staff_tokens import KEY, Staff, audit_entries, bearer, deactivate, revoke

pytestmark = pytest.mark.integration
CLIENT = {"name": "Robin Quill", "email": "robin@client.test", "phone": "+49 30 5550199"}


@pytest.fixture
def booking(make_booking):
    return make_booking(ATTUNE_SECRET_KEY=KEY)


@pytest.fixture
def staff():
    return Staff(NOW)


@pytest.fixture
def two(booking):
    """Clinicians A and B, each with one client's booking on Tuesday."""
    a, b = booking.clinician(clinician_id="cl-a"), booking.clinician(clinician_id="cl-b")
    return a, b, booking.book(a, at(1, "10:00")), booking.book(b, at(1, "11:00"))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def actions(booking, account_id=None) -> list[tuple]:
    return [(e["data"]["action"], e["data"]["subject"]) for e in audit_entries(booking.container)
            if account_id is None or e["data"]["account_id"] == account_id]


def ask(booking, **over):
    body = {"name": "Sam Seeker", "email": "sam@client.test", "time_zone": "Europe/Berlin", "consent": True,
            "preferred_times": [{"weekday": "tue", "start": "09:00", "end": "12:00"}], **over}
    resp = booking.http.post("/v1/contact-requests", json=body)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def test_staff_list_bookings_by_range_across_clinicians_with_client_details_and_the_read_is_audited(
        booking, staff, two):
    a, b, booked_a, booked_b = two
    week = {"from": isoformat(NOW), "to": isoformat(at(7, "00:00"))}

    everyone = booking.http.get("/v1/bookings", query_string=week, headers=staff.headers("staff", account_id="ac_s"))
    of_b = booking.http.get("/v1/bookings", query_string={**week, "clinician_id": b},
                            headers=staff.headers("admin", account_id="ac_s"))
    old_form = booking.http.get("/v1/bookings", query_string={"clinician_id": a, "date": "2026-03-03"},
                                headers=staff.headers("staff", account_id="ac_s"))

    assert [x["id"] for x in everyone.json["bookings"]] == [booked_a["id"], booked_b["id"]]
    assert everyone.json["bookings"][0]["client"]["email"] == "ada@example.org"
    assert [x["id"] for x in of_b.json["bookings"]] == [booked_b["id"]]
    assert [x["id"] for x in old_form.json["bookings"]] == [booked_a["id"]]
    # each booking shown is audited by id, so the log answers who saw this client's details
    assert actions(booking, "ac_s") == [("booking.listed", booked_a["id"]), ("booking.listed", booked_b["id"]),
                                        ("booking.listed", booked_b["id"]), ("booking.listed", booked_a["id"])]
    assert "ada@example.org" not in json.dumps(audit_entries(booking.container))


def test_a_console_polling_the_same_list_is_one_audit_entry_per_booking_per_session_within_minutes(
        booking, staff, two):
    _, _, booked_a, booked_b = two
    week = {"from": isoformat(NOW), "to": isoformat(at(7, "00:00"))}
    polling = staff.headers("staff", account_id="ac_p")
    another = staff.headers("staff", account_id="ac_q")

    for _ in range(3):
        assert booking.http.get("/v1/bookings", query_string=week, headers=polling).status_code == 200
    booking.http.get("/v1/bookings", query_string=week, headers=another)

    assert actions(booking, "ac_p") == [("booking.listed", booked_a["id"]), ("booking.listed", booked_b["id"])]
    assert actions(booking, "ac_q") == [("booking.listed", booked_a["id"]), ("booking.listed", booked_b["id"])]


def test_a_clinician_lists_only_their_own_bookings_and_another_clinicians_list_is_a_403_not_an_empty_one(
        booking, staff, two):
    a, b, booked_a, _ = two
    clinician_a = staff.headers("clinician", a)

    own = booking.http.get("/v1/bookings", headers=clinician_a)
    other = booking.http.get("/v1/bookings", query_string={"clinician_id": b}, headers=clinician_a)
    other_day = booking.http.get("/v1/bookings", query_string={"clinician_id": b, "date": "2026-03-03"},
                                 headers=clinician_a)

    assert own.status_code == 200 and [x["id"] for x in own.json["bookings"]] == [booked_a["id"]]
    assert (other.status_code, other_day.status_code) == (403, 403)
    assert other.content_type == "application/problem+json" and "bookings" not in other.json


def test_a_booking_is_read_cancelled_and_moved_by_staff_or_its_clinician_audited_and_by_no_other_clinician(
        booking, staff, two):
    a, b, booked_a, _ = two
    path = f"/v1/bookings/{booked_a['id']}"

    by_b = [booking.http.get(path, headers=staff.headers("clinician", b)),
            booking.http.post(f"{path}/cancel", json={}, headers=staff.headers("clinician", b)),
            booking.http.post(f"{path}/reschedule", json={"start": isoformat(at(1, "12:00"))},
                              headers=staff.headers("clinician", b))]
    by_client = booking.http.get(path, headers=bearer(booked_a["manage_token"]))
    read = booking.http.get(path, headers=staff.headers("staff", account_id="ac_s"))
    moved = booking.http.post(f"{path}/reschedule", json={"start": isoformat(at(1, "12:00"))},
                              headers=staff.headers("clinician", a, account_id="ac_a"))
    cancelled = booking.http.post(f"{path}/cancel", json={"reason": "clinician ill"},
                                  headers=staff.headers("staff", account_id="ac_s"))

    assert [r.status_code for r in by_b] == [403, 403, 403]
    assert by_client.status_code == 200 and read.json["client"]["name"] == "Ada Client"
    assert when(moved.json["start"]) == at(1, "12:00")
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancelled_by"] == "staff"
    assert actions(booking) == [("booking.read", booked_a["id"]), ("booking.rescheduled", booked_a["id"]),
                                ("booking.cancelled", booked_a["id"])]
    [cancel_event] = booking.events("booking.cancelled")
    assert cancel_event["data"]["cancelled_by"] == "staff"


def test_the_client_with_the_manage_token_is_not_audited_and_a_bad_manage_token_is_a_401(booking, two):
    _, _, booked_a, _ = two
    path = f"/v1/bookings/{booked_a['id']}"

    assert booking.http.get(path, headers=bearer(booked_a["manage_token"])).status_code == 200
    assert booking.http.get(path, headers=bearer("not-the-token")).status_code == 401
    assert audit_entries(booking.container) == []


def test_staff_book_an_agreed_time_on_the_grid_never_on_a_taken_slot_and_outside_hours_only_when_asked(
        booking, staff, two):
    a, _, booked_a, _ = two
    headers = staff.headers("staff", account_id="ac_s")
    post = lambda start, **extra: booking.http.post(
        "/v1/bookings", json={"clinician_id": a, "start": isoformat(start), "client": CLIENT, **extra}, headers=headers)

    off_grid = post(at(1, "13:05"))
    taken = post(at(1, "10:00"))
    evening = post(at(1, "19:00"))
    made = post(at(1, "19:00"), outside_hours=True)
    soon = post(at(0, "09:15"))  # within the clients' 2 hours' notice: agreed by phone, so fine
    far = post(at(1, "10:15") + timedelta(days=28))  # beyond the clients' 7 days
    too_far = post(at(1, "10:15") + timedelta(days=91))

    assert (off_grid.status_code, off_grid.json["errors"]) == (422, {"start": [off_grid.json["detail"]]})
    assert taken.status_code == 409 and evening.status_code == 422 and too_far.status_code == 422
    assert (made.status_code, soon.status_code, far.status_code) == (201, 201, 201)
    assert made.json["status"] == "confirmed" and made.json["client"]["name"] == "Robin Quill"
    confirmed = [e for e in booking.events("booking.confirmed") if e["subject"] == made.json["id"]]
    assert [(e["sequence"], e["data"]["client"]["email"]) for e in confirmed] == [(1, "robin@client.test")]
    assert booking.http.get(f"/v1/bookings/{made.json['id']}",
                            headers=bearer(made.json["manage_token"])).json["status"] == "confirmed"
    assert booking.hold(a, at(1, "19:00")).status_code in (409, 422)
    assert [x for x in actions(booking, "ac_s") if x[0] == "booking.created"] == [
        ("booking.created", made.json["id"]), ("booking.created", soon.json["id"]),
        ("booking.created", far.json["id"])]
    assert booked_a["id"] not in {made.json["id"], soon.json["id"]}


def test_a_clinician_books_only_for_themself(booking, staff, two):
    a, b, _, _ = two
    body = {"start": isoformat(at(2, "10:00")), "client": CLIENT}

    own = booking.http.post("/v1/bookings", json={**body, "clinician_id": a}, headers=staff.headers("clinician", a))
    other = booking.http.post("/v1/bookings", json={**body, "clinician_id": b}, headers=staff.headers("clinician", a))

    assert (own.status_code, other.status_code) == (201, 403)
    assert booking.http.post("/v1/bookings", json={**body, "clinician_id": b}).status_code == 401


def test_a_staff_booking_from_a_contact_request_books_it_and_says_so_once(booking, staff, two):
    a, _, _, _ = two
    request_id = ask(booking, clinician_id=a)
    headers = staff.headers("staff", account_id="ac_s")
    body = {"clinician_id": a, "start": isoformat(at(1, "09:00")), "client": CLIENT, "contact_request_id": request_id}

    made = booking.http.post("/v1/bookings", json=body, headers=headers)
    again = booking.http.post("/v1/bookings", json={**body, "start": isoformat(at(1, "09:15"))}, headers=headers)
    unknown = booking.http.post("/v1/bookings", json={**body, "contact_request_id": "nope"}, headers=headers)

    assert made.status_code == 201 and again.status_code == 409 and unknown.status_code == 404
    [booked] = booking.events("contact_request.booked")
    assert booked["subject"] == request_id and booked["data"]["booking_id"] == made.json["id"]
    assert when(booked["data"]["start"]) == at(1, "09:00") and "client" not in booked["data"]
    request = booking.http.get(f"/v1/contact-requests/{request_id}", headers=headers).json
    assert (request["status"], request["booking_id"]) == ("booked", made.json["id"])
    assert ("contact_request.booked", request_id) in actions(booking, "ac_s")


def test_contact_requests_are_triaged_by_staff_or_the_clinician_they_name_and_each_step_is_audited(
        booking, staff, two):
    a, b, _, _ = two
    for_a, for_b, for_anyone = ask(booking, clinician_id=a), ask(booking, clinician_id=b), ask(booking)
    clinician_a = staff.headers("clinician", a, account_id="ac_a")

    own = booking.http.get("/v1/contact-requests", headers=clinician_a)
    others = booking.http.get("/v1/contact-requests", query_string={"clinician_id": b}, headers=clinician_a)
    everyone = booking.http.get("/v1/contact-requests", headers=staff.headers("staff", account_id="ac_s"))
    triaged = booking.http.patch(f"/v1/contact-requests/{for_a}", json={"status": "in_progress", "note": "called"},
                                 headers=clinician_a)
    refused = [booking.http.patch(f"/v1/contact-requests/{rid}", json={"status": "closed"}, headers=clinician_a)
               for rid in (for_b, for_anyone)]
    closed = booking.http.post(f"/v1/contact-requests/{for_b}/close", headers=staff.headers("staff", account_id="ac_s"))

    assert [r["id"] for r in own.json["contact_requests"]] == [for_a]
    assert others.status_code == 403 and [r.status_code for r in refused] == [403, 403]
    assert {r["id"] for r in everyone.json["contact_requests"]} == {for_a, for_b, for_anyone}
    assert (triaged.json["status"], triaged.json["note"], triaged.json["email"]) == ("in_progress", "called",
                                                                                  "sam@client.test")
    assert closed.json == {"id": for_b, "status": "closed"}
    listed = [x for x in actions(booking) if x[0] == "contact_request.listed"]
    assert sorted(listed) == sorted([("contact_request.listed", for_a)]
                                    + [("contact_request.listed", r) for r in (for_a, for_b, for_anyone)])
    assert [x for x in actions(booking) if x[0] != "contact_request.listed"] == [
        ("contact_request.triaged", for_a), ("contact_request.triaged", for_b)]
    assert "called" not in json.dumps(audit_entries(booking.container))


def test_a_booked_request_can_only_be_closed_and_a_patch_needs_a_known_status(booking, staff, two):
    a, _, _, _ = two
    request_id = ask(booking, clinician_id=a)
    headers = staff.headers("staff")
    booking.http.post("/v1/bookings", json={"clinician_id": a, "start": isoformat(at(1, "09:00")), "client": CLIENT,
                                            "contact_request_id": request_id}, headers=headers)
    patch = lambda body: booking.http.patch(f"/v1/contact-requests/{request_id}", json=body, headers=headers)

    assert patch({"status": "open"}).status_code == 409
    assert patch({"status": "booked"}).status_code == 422 and patch({}).status_code == 422
    assert patch({"status": "closed"}).json["status"] == "closed"


def test_the_event_feed_is_the_admins_and_integrators_staff_and_clinicians_get_403(booking, staff):
    assert booking.http.get("/v1/events", headers=staff.headers("staff")).status_code == 403
    assert booking.http.get("/v1/events", headers=staff.headers("clinician", "cl-a")).status_code == 403
    assert booking.http.get("/v1/events", headers=staff.headers("admin")).status_code == 200
    assert booking.http.get("/v1/events").status_code == 401


def test_bad_revoked_and_deactivated_tokens_are_a_401_problem_on_every_staff_call(booking, staff, two, clock):
    a, _, booked_a, _ = two
    revoked, deactivated = staff.token("staff"), staff.token("clinician", a)
    revoke(booking.container, revoked)
    deactivate(booking.container, deactivated, clock.now())
    calls = [("get", "/v1/bookings", None), ("get", f"/v1/bookings/{booked_a['id']}", None),
             ("post", f"/v1/bookings/{booked_a['id']}/cancel", {}),
             ("post", "/v1/bookings", {"clinician_id": a, "start": isoformat(at(2, "10:00")), "client": CLIENT}),
             ("get", "/v1/contact-requests", None), ("get", "/v1/events", None)]

    for name, token in {**staff.bad_tokens(), "revoked": revoked, "deactivated account": deactivated}.items():
        for method, path, body in calls:
            resp = getattr(booking.http, method)(path, json=body, headers=bearer(token))
            assert resp.status_code == 401, (name, path, resp.status_code)
            assert resp.content_type == "application/problem+json", (name, path)
    assert booking.http.get(f"/v1/bookings/{booked_a['id']}",
                            headers=bearer(booked_a["manage_token"])).json["status"] == "confirmed"
    assert audit_entries(booking.container) == []
