"""What leaves the booking service: no client free text in the feed, no bearer secret on the exchange,
and only a bounded, inert request id copied anywhere."""
from __future__ import annotations

import json

import pytest
from booking_support import at, bearer
from test_booking_events_api import ADMIN, publish_all

from shared import sealed
from tests.conftest import TEST_SECRET_KEY
from tests.support.integrator import Integrator
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
INTEGRATOR = "crm-sync-0123456789abcdef"
CONTACT = {"name": "Sam Client", "email": "sam@example.org", "time_zone": "UTC", "consent": True,
           "message": "my son self-harms", "preferred_times": [{"weekday": "mon", "start": "09:00", "end": "10:00"}]}


def test_the_feed_carries_no_client_details_or_free_text_to_admins_or_integrators(make_booking, clock):
    booking = make_booking(ATTUNE_INTEGRATOR_TOKENS=INTEGRATOR)
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))  # notes "couples work"
    booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={"reason": "my partner found out"},
                      headers=bearer(made["manage_token"]))
    assert booking.http.post("/v1/contact-requests", json=CONTACT).status_code == 201
    publish_all(booking)
    clock.advance(seconds=5)

    for who in (ADMIN, bearer(INTEGRATOR)):
        res = booking.http.get("/v1/events?after=0", headers=who)
        assert res.status_code == 200
        feed = json.dumps(res.json)
        assert [e["type"] for e in res.json["events"]] == ["booking.held", "booking.confirmed",
                                                           "booking.cancelled", "contact_request.created"]
        for private in ("Ada Client", "ada@example.org", "1234567", "couples work", "partner found out",
                        "Sam Client", "sam@example.org", "self-harms", made["manage_token"], "gAAAAA"):
            assert private not in feed, private
        confirmed = res.json["events"][1]["data"]
        assert confirmed["booking_id"] == made["id"] and confirmed["start"] == made["start"]


def test_booking_confirmed_on_the_exchange_carries_no_manage_token_only_one_sealed_for_attune(booking, clock):
    cid = booking.clinician()
    c = booking.container
    integrator = Integrator(c.settings.amqp_url, c.settings.exchange, "#")
    try:
        made = booking.book(cid, at(0, "10:00"))
        publish_all(booking)
        wait_until(lambda: integrator.of("booking.confirmed"), timeout=15)
    finally:
        integrator.stop()
    [event] = integrator.of("booking.confirmed")

    body = json.dumps(event)
    assert made["manage_token"] not in body
    assert "manage_url" not in body and '"manage_token"' not in body
    sealed_token = event["data"]["sealed_manage_token"]
    assert sealed.unseal(TEST_SECRET_KEY, sealed.MANAGE_LINK, sealed_token) == made["manage_token"]
    with pytest.raises(sealed.InvalidToken):  # an integrator has no ATTUNE_SECRET_KEY
        sealed.unseal("an-integrator-guessing-the-key-0123456789", sealed.MANAGE_LINK, sealed_token)
    assert booking.http.get(f"/v1/bookings/{made['id']}", headers=bearer(sealed_token)).status_code == 401


@pytest.mark.parametrize("given", ["<script>alert(1)</script>", "x" * 7000, "a b", "ünïcode", "", "x" * 65])
def test_an_unsafe_or_unbounded_request_id_is_replaced_everywhere_it_would_be_copied(booking, clock, given):
    cid = booking.clinician()

    res = booking.hold(cid, at(0, "10:00"), headers={"X-Request-ID": given.encode("utf-8").decode("latin-1")})

    assert res.status_code == 201
    echoed = res.headers["X-Request-ID"]
    assert echoed != given and len(echoed) == 32 and echoed.isalnum()
    [held] = booking.events("booking.held")
    assert held["requestid"] == echoed


def test_a_well_formed_request_id_is_kept_echoed_and_copied_into_events(booking, clock):
    cid = booking.clinician()

    res = booking.hold(cid, at(0, "10:00"), headers={"X-Request-ID": "lb-7f3a.9_Q-" + "z" * 52})

    assert res.headers["X-Request-ID"] == "lb-7f3a.9_Q-" + "z" * 52
    assert booking.events("booking.held")[0]["requestid"] == "lb-7f3a.9_Q-" + "z" * 52
