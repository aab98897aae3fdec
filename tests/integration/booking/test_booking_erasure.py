"""Issue 15's erasure in booking: client details go after RETENTION_DAYS, or at once for one person on an
admin's request; client_data.erased names the ids (never the person) for every other service."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from booking_support import NOW, at, bearer
from sqlalchemy import select, text

from services.booking.service_layer.erasure import erase_expired
from shared.events import parse
from tests.support.staff_tokens import KEY, Staff, audit_entries

pytestmark = pytest.mark.integration


@pytest.fixture
def booking(make_booking):
    return make_booking(ATTUNE_SECRET_KEY=KEY, RETENTION_DAYS="90")


def contact_request(booking, email="sam@example.org", phone=None):
    body = {"name": "Sam Seeker", "email": email, "phone": phone, "time_zone": "Europe/Berlin", "consent": True,
            "preferred_times": [{"weekday": "mon", "start": "09:00", "end": "12:00"}], "message": "Mornings."}
    res = booking.http.post("/v1/contact-requests", json=body)
    assert res.status_code == 201, res.json
    return res.json["id"]


def rows(booking, table: str) -> dict:
    from services.booking.adapters.orm import metadata

    t = metadata.tables[table]
    with booking.container.db.read() as s:
        return {r.id: r for r in s.execute(select(t))}


def test_retention_erases_ended_holds_cancelled_bookings_and_closed_requests_and_says_which(booking, clock):
    cid = booking.clinician()
    released = booking.hold(cid, at(1, "09:00")).json
    booking.http.delete(f"/v1/holds/{released['id']}", headers=bearer(released["token"]))
    cancelled = booking.book(cid, at(1, "10:00"))
    booking.http.post(f"/v1/bookings/{cancelled['id']}/cancel", json={"reason": "moving away"},
                      headers=bearer(cancelled["manage_token"]))
    kept = booking.book(cid, at(1, "11:00"))
    closed, still_open = contact_request(booking), contact_request(booking, email="kim@example.org")
    with booking.container.db.write() as s:
        s.execute(text("UPDATE contact_requests SET status = 'closed', closed_at = :at WHERE id = :i"),
                  {"at": NOW.replace(tzinfo=None), "i": closed})

    clock.advance(days=89)
    assert erase_expired(booking.container.extra["uow"], timedelta(days=90)) == 0
    clock.advance(days=2)
    assert erase_expired(booking.container.extra["uow"], timedelta(days=90)) == 3

    found = rows(booking, "appointments")
    assert found[cancelled["id"]].client_email is None and found[cancelled["id"]].cancel_reason is None
    assert found[cancelled["id"]].notes is None and found[released["id"]].hold_address is None
    assert found[kept["id"]].client_email == "ada@example.org"  # a consultation that took place is the practice's
    requests = rows(booking, "contact_requests")
    assert requests[closed].email is None and requests[closed].message is None
    assert requests[still_open].email == "kim@example.org"
    [event] = booking.events("client_data.erased")
    assert event["data"]["basis"] == "retention"
    assert sorted(event["data"]["booking_ids"]) == sorted([released["id"], cancelled["id"]])
    assert event["data"]["contact_request_ids"] == [closed]
    assert "ada@example.org" not in json.dumps(event) and "Ada" not in json.dumps(event)
    assert erase_expired(booking.container.extra["uow"], timedelta(days=90)) == 0  # once
    stored = json.dumps([e for e in booking.events() if e["subject"] in (cancelled["id"], closed)])
    assert "ada@example.org" not in stored and "sam@example.org" not in stored and "moving away" not in stored
    assert "kim@example.org" in json.dumps(booking.events("contact_request.created"))  # another's stays
    for event in json.loads(stored):  # still events of the contract: a replay is applied, not dead-lettered
        parse(json.dumps(event))


def test_an_admin_erases_one_person_now_upcoming_bookings_cancelled_audited_and_announced(booking):
    cid = booking.clinician()
    upcoming = booking.book(cid, at(1, "10:00"))  # ada@example.org, +49 30 1234567
    other = booking.book(cid, at(1, "11:00"))
    with booking.container.db.write() as s:  # another person's booking
        s.execute(text("UPDATE appointments SET client_email_key = 'x', client_phone_key = 'y', "
                       "client_email = 'bob@example.org' WHERE id = :i"), {"i": other["id"]})
    by_phone = contact_request(booking, email=None, phone="+49 (0)30 123 4567")
    admin = Staff(NOW).headers("admin", account_id="ac_admin")

    resp = booking.http.post("/v1/erasures", json={"email": "ADA@example.org"}, headers=admin)
    by_number = booking.http.post("/v1/erasures", json={"phone": "+4930 1234567"}, headers=admin)

    assert resp.status_code == 200, resp.json
    assert (resp.json["bookings"], resp.json["contact_requests"]) == (1, 0)
    assert (by_number.json["bookings"], by_number.json["contact_requests"]) == (0, 1)  # the booking went already
    found = rows(booking, "appointments")
    assert found[upcoming["id"]].status == "cancelled" and found[upcoming["id"]].client_name is None
    assert found[other["id"]].client_email == "bob@example.org"
    assert rows(booking, "contact_requests")[by_phone].phone is None
    erased = booking.events("client_data.erased")
    assert [e["data"]["basis"] for e in erased] == ["request", "request"]
    assert erased[0]["data"]["booking_ids"] == [upcoming["id"]] and erased[1]["data"]["contact_request_ids"] == [by_phone]
    said = json.dumps(erased)  # the person's details, not "ada" (random hex in ids holds that now and then)
    assert "ada@example.org" not in said and "Ada" not in said
    assert [e["subject"] for e in booking.events("booking.cancelled")] == [upcoming["id"]]
    audits = [e["data"] for e in audit_entries(booking.container) if e["data"]["action"] == "client_data.erased"]
    assert [a["subject"] for a in audits] == [resp.json["erasure_id"], by_number.json["erasure_id"]]


@pytest.mark.parametrize("role,status", [(None, 401), ("staff", 403), ("clinician", 403)])
def test_only_an_admin_may_erase(booking, role, status):
    headers = Staff(NOW).headers(role, clinician_id="cl-x" if role == "clinician" else None) if role else {}
    resp = booking.http.post("/v1/erasures", json={"email": "ada@example.org"}, headers=headers)
    assert resp.status_code == status and resp.content_type == "application/problem+json"


def test_an_erasure_names_an_email_or_a_phone(booking):
    admin = Staff(NOW).headers("admin", account_id="ac_admin")
    resp = booking.http.post("/v1/erasures", json={}, headers=admin)
    assert resp.status_code == 422 and "email" in resp.json["errors"]
    assert booking.http.post("/v1/erasures", json={"email": "  "}, headers=admin).status_code == 422
