"""Contact requests with an email wait for the client to confirm it; offers are capped; requests expire."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from booking_support import at, bearer
from sqlalchemy import text

from services.booking.service_layer import contact_requests
from shared import sealed
from tests.conftest import TEST_SECRET_KEY

pytestmark = pytest.mark.integration
MONDAYS = [{"weekday": "mon", "start": "09:00", "end": "17:00"}]


def ask(booking, **over):
    body = {"name": "Sam Seeker", "email": "sam@example.org", "time_zone": "Europe/Berlin",
            "preferred_times": MONDAYS, "consent": True, **over}
    return booking.http.post("/v1/contact-requests", json=body)


def verify_link(booking, request_id: str) -> str:
    """What the notifications service builds from the event: the token only it can unseal."""
    [created] = [e for e in booking.events("contact_request.created") if e["subject"] == request_id]
    token = sealed.unseal(TEST_SECRET_KEY, "contact-verify", created["data"]["verification"])
    return f"/v1/contact-requests/{request_id}/verify?token={token}"


def stored_status(booking, request_id: str) -> str:
    with booking.container.db.read() as s:
        return s.execute(text("SELECT status FROM contact_requests WHERE id = :i"), {"i": request_id}).scalar()


def offers(booking, request_id=None):
    return [e for e in booking.events("contact_request.matched")
            if request_id is None or e["data"]["contact_request_id"] == request_id]


def free_up(booking, cid, starts):
    for start in starts:
        made = booking.book(cid, start)
        booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers=bearer(made["manage_token"]))


def test_a_request_with_an_email_is_offered_nothing_until_the_client_confirms_it(booking):
    cid = booking.clinician()
    made = ask(booking, clinician_id=cid)
    rid = made.json["id"]
    free_up(booking, cid, [at(0, "10:00")])
    before = offers(booking, rid)

    opened = booking.http.get(verify_link(booking, rid), headers={"Accept": "text/html"})  # e.g. a mail scanner
    still_unverified = stored_status(booking, rid)
    wrong = booking.http.post(f"/v1/contact-requests/{rid}/verify?token=nope")
    confirmed = booking.http.post(verify_link(booking, rid), headers={"Accept": "application/json"})
    page = booking.http.post(verify_link(booking, rid), headers={"Accept": "text/html"})
    free_up(booking, cid, [at(0, "10:15")])

    assert made.status_code == 201 and made.json["status"] == "unverified"
    [created] = booking.events("contact_request.created")
    assert created["data"]["status"] == "unverified"
    token = sealed.unseal(TEST_SECRET_KEY, "contact-verify", created["data"]["verification"])
    assert token not in str(created)  # sealed: integrators on the exchange cannot follow the link
    assert opened.status_code == 200 and 'method="post"' in opened.text
    assert still_unverified == "unverified"
    assert before == [] and wrong.status_code == 404
    assert confirmed.status_code == 200 and confirmed.json == {"id": rid, "status": "open"}
    assert page.status_code == 200 and "text/html" in page.content_type and "confirmed" in page.text
    assert [datetime.fromisoformat(o["data"]["start"]) for o in offers(booking, rid)] == [at(0, "10:15")]


def test_a_phone_only_request_is_open_at_once_as_only_the_practice_is_mailed(booking):
    made = ask(booking, email=None, phone="+49 30 555 0100")

    assert made.status_code == 201 and made.json["status"] == "open"


def test_offers_stop_at_three_per_request_and_three_per_recipient_a_day(booking, clock):
    cid = booking.clinician()
    first = ask(booking, clinician_id=cid).json["id"]
    other = ask(booking, clinician_id=cid, email="kim@example.org").json["id"]
    for rid in (first, other):
        booking.http.post(verify_link(booking, rid))
    clock.advance(hours=25)
    second = ask(booking, clinician_id=cid, email="SAM@example.org").json["id"]
    booking.http.post(verify_link(booking, second))

    free_up(booking, cid, [at(7, f"{h}:00") for h in (10, 11, 12, 13, 14)])
    first_day = len(offers(booking, first)) + len(offers(booking, second))
    clock.advance(days=1)
    free_up(booking, cid, [at(7, f"{h}:30") for h in (10, 11, 12, 13, 14)])

    assert len(offers(booking, other)) == 3  # per request, whatever is freed
    assert first_day == 3  # three a day to one address, over all its requests
    mine = (len(offers(booking, first)), len(offers(booking, second)))
    assert sum(mine) == 6 and max(mine) <= 3


def test_a_stranger_s_address_gets_one_confirmation_mail_a_day_however_many_requests_name_it(booking, clock):
    made = [ask(booking, email="victim@example.org").json for _ in range(3)]
    clock.advance(hours=25)
    next_day = ask(booking, email="victim@example.org").json

    sealed_tokens = [e["data"]["verification"] for e in booking.events("contact_request.created")]
    assert [bool(t) for t in sealed_tokens] == [True, False, False, True]
    assert {m["status"] for m in made + [next_day]} == {"unverified"}


def test_a_request_left_open_past_its_days_is_closed_and_offered_nothing(make_booking, clock):
    booking = make_booking(CONTACT_REQUEST_TTL_DAYS="30")
    cid = booking.clinician()
    old = ask(booking, clinician_id=cid, email=None, phone="+49 30 555 0100").json["id"]
    clock.advance(days=31)
    booking.clinician(clinician_id=cid)
    fresh = ask(booking, clinician_id=cid, email=None, phone="+49 30 555 0101").json["id"]

    closed = contact_requests.expire(booking.container.extra["uow"], timedelta(days=30))
    free_up(booking, cid, [datetime(2026, 4, 6, 8, 0, tzinfo=UTC)])  # a Monday, 10:00 in Berlin

    assert closed == 1
    assert offers(booking, old) == [] and len(offers(booking, fresh)) == 1


def test_one_address_may_leave_only_so_many_contact_requests_an_hour(make_booking, clock):
    booking = make_booking(CONTACT_REQUESTS_PER_HOUR_PER_ADDRESS="2")

    answers = [ask(booking).status_code for _ in range(3)]
    clock.advance(hours=2)
    later = ask(booking).status_code

    assert answers == [201, 201, 429] and later == 201
