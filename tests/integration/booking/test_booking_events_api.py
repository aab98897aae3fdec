"""GET /v1/events: integrators page through every published event, in order, without gaps or PII."""
from __future__ import annotations

import pytest
from booking_support import at, bearer

from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay, drain

pytestmark = pytest.mark.integration
ADMIN = bearer("test-admin-Vq8xK2pLm9RzW4nY7c")


def publish_all(booking) -> None:
    c = booking.container
    relay = OutboxRelay(c.db, c.tables["outbox"], ConfirmingPublisher(c.settings.amqp_url, c.settings.exchange),
                        clock=booking.clock, listen=False)
    try:
        drain(relay)
    finally:
        relay.close()


def read_all(booking, page_size: int, **query) -> list[dict]:
    events, cursor = [], "0"
    while True:
        qs = "&".join(f"{k}={v}" for k, v in {"after": cursor, "limit": page_size, **query}.items())
        res = booking.http.get(f"/v1/events?{qs}", headers=ADMIN)
        assert res.status_code == 200, res.json
        if not res.json["events"]:
            return events
        events += res.json["events"]
        cursor = res.json["next_cursor"]


def test_integrators_page_through_every_published_event_in_order_without_client_details(booking, clock):
    cid = booking.clinician()
    made = [booking.book(cid, at(0, t)) for t in ("10:00", "10:15", "10:30")]
    booking.http.post(f"/v1/bookings/{made[0]['id']}/cancel", json={}, headers=bearer(made[0]["manage_token"]))
    publish_all(booking)
    clock.advance(seconds=5)

    events = read_all(booking, page_size=2)

    assert [e["id"] for e in events] == [e["id"] for e in booking.events()]
    assert len(events) == 7
    confirmed = [e for e in events if e["type"] == "booking.confirmed"]
    assert confirmed and all("client" not in e["data"] for e in confirmed)
    assert made[0]["manage_token"] not in str(events)


def test_events_not_yet_published_are_held_back_so_a_cursor_never_skips_one(booking, clock):
    cid = booking.clinician()
    booking.book(cid, at(0, "10:00"))
    publish_all(booking)
    booking.hold(cid, at(0, "11:00"))
    clock.advance(seconds=5)

    first = read_all(booking, page_size=10)
    publish_all(booking)
    clock.advance(seconds=5)
    after = booking.http.get("/v1/events?after=" + str(len(first)), headers=ADMIN).json

    assert [e["type"] for e in first] == ["booking.held", "booking.confirmed"]
    assert [e["type"] for e in after["events"]] == ["booking.held"]


def test_events_are_filtered_by_type_or_family_and_need_the_admin_credential(booking, clock):
    cid = booking.clinician()
    booking.book(cid, at(0, "10:00"))
    booking.http.post("/v1/contact-requests", json={"name": "Sam", "email": "s@example.org", "time_zone": "UTC",
                                                    "consent": True,
                                                    "preferred_times": [{"weekday": "mon", "start": "09:00",
                                                                         "end": "10:00"}]})
    publish_all(booking)
    clock.advance(seconds=5)

    held = read_all(booking, 10, type="booking.held")
    family = read_all(booking, 10, type="booking.*,contact_request.created")

    assert [e["type"] for e in held] == ["booking.held"]
    assert [e["type"] for e in family] == ["booking.held", "booking.confirmed", "contact_request.created"]
    assert booking.http.get("/v1/events").status_code == 401
    assert booking.http.get("/v1/events?after=x", headers=ADMIN).status_code == 422


def test_an_integrator_token_reads_the_feed_and_nothing_else(make_booking, clock):
    booking = make_booking(ATTUNE_INTEGRATOR_TOKENS="crm-sync-0123456789abcdef, bi-0123456789abcdef")
    cid = booking.clinician()
    booked = booking.book(cid, at(0, "10:00"))
    publish_all(booking)
    clock.advance(seconds=5)
    crm = bearer("crm-sync-0123456789abcdef")

    feed = booking.http.get("/v1/events?after=0", headers=crm)

    assert feed.status_code == 200 and [e["type"] for e in feed.json["events"]] == ["booking.held",
                                                                                     "booking.confirmed"]
    assert booking.http.get("/v1/events?after=0", headers=bearer("bi-0123456789abcdef")).status_code == 200
    assert booking.http.get("/v1/events?after=0", headers=bearer("crm-sync-0123456789abcdeX")).status_code == 401
    assert booking.http.get(f"/v1/bookings/{booked['id']}", headers=crm).status_code == 401, "no admin powers"
    assert booking.http.post(f"/v1/bookings/{booked['id']}/cancel", json={}, headers=crm).status_code == 401
