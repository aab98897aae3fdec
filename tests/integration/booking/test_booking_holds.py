"""Holds over HTTP on a real database: what may be held, by whom, for how long, and what it emits."""
from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from booking_support import NOW, at, bearer

from shared.clock import isoformat

pytestmark = pytest.mark.integration


def test_a_bookable_slot_is_held_with_a_secret_token_and_an_expiry(booking):
    cid = booking.clinician()
    start = at(0, "10:00")

    res = booking.hold(cid, start)

    assert res.status_code == 201, res.json
    body = res.json
    assert body["clinician_id"] == cid and body["start"] == isoformat(start)
    assert body["end"] == isoformat(start + timedelta(minutes=15))
    assert body["expires_at"] == isoformat(NOW + timedelta(seconds=600))
    assert len(body["token"]) >= 40
    [held] = booking.events("booking.held")
    assert held["subject"] == body["id"] and held["sequence"] == 1
    assert held["data"]["status"] == "held" and held["data"]["expires_at"] == body["expires_at"]
    assert body["token"] not in str(booking.events())


@pytest.mark.parametrize("start, field, words", [
    (at(0, "10:05"), "start", "grid"),
    (at(0, "09:45"), "start", "too soon"),
    (at(8, "10:00"), "start", "too far"),
    (at(0, "18:00"), "start", "outside"),
    (at(5, "10:00"), "start", "outside"),  # Saturday
])
def test_a_slot_that_is_not_bookable_is_refused_with_the_reason(booking, start, field, words):
    cid = booking.clinician()

    res = booking.hold(cid, start)

    assert res.status_code == 422
    assert res.mimetype == "application/problem+json"
    assert words in res.json["errors"][field][0]
    assert booking.events("booking.held") == []


@pytest.mark.parametrize("state", [{"active": False}, {"accepting": False}])
def test_a_clinician_not_taking_bookings_cannot_be_held(booking, state):
    cid = booking.clinician(**state)

    res = booking.hold(cid, at(0, "10:00"))

    assert res.status_code == 422 and "clinician_id" in res.json["errors"]


def test_an_unknown_clinician_cannot_be_held(booking):
    res = booking.hold("nobody", at(0, "10:00"))

    assert res.status_code == 422 and "clinician_id" in res.json["errors"]


def test_a_start_without_offset_or_an_unknown_field_is_a_422_naming_it(booking):
    cid = booking.clinician()

    naive = booking.http.post("/v1/holds", json={"clinician_id": cid, "start": "2026-03-02T10:00:00"})
    extra = booking.http.post("/v1/holds", json={"clinician_id": cid, "start": isoformat(at(0, "10:00")),
                                                 "colour": "red"})

    assert naive.status_code == 422 and "start" in naive.json["errors"]
    assert extra.status_code == 422 and "colour" in extra.json["errors"]


def test_a_held_slot_cannot_be_held_again(booking):
    cid = booking.clinician()
    assert booking.hold(cid, at(0, "10:00")).status_code == 201

    res = booking.hold(cid, at(0, "10:00"))

    assert res.status_code == 409 and res.mimetype == "application/problem+json"
    assert len(booking.events("booking.held")) == 1


def test_a_hold_past_its_expiry_never_blocks_the_slot_even_before_the_sweep(booking, clock):
    cid = booking.clinician()
    first = booking.hold(cid, at(0, "12:00")).json
    clock.advance(seconds=601)

    second = booking.hold(cid, at(0, "12:00"))

    assert second.status_code == 201
    expired = booking.events("booking.hold_expired")
    assert [e["subject"] for e in expired] == [first["id"]]
    assert booking.sweep() == 0
    assert len(booking.events("booking.hold_expired")) == 1


def test_releasing_a_hold_with_its_token_frees_the_slot(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    wrong = booking.http.delete(f"/v1/holds/{hold['id']}", headers=bearer("not-the-token"))
    res = booking.http.delete(f"/v1/holds/{hold['id']}", headers=bearer(hold["token"]))
    again = booking.http.delete(f"/v1/holds/{hold['id']}", headers=bearer(hold["token"]))

    assert wrong.status_code == 401 and res.status_code == 204 and again.status_code == 204
    released = booking.events("booking.hold_released")
    assert [(e["subject"], e["sequence"]) for e in released] == [(hold["id"], 2)]
    assert booking.hold(cid, at(0, "10:00")).status_code == 201


def test_a_new_hold_in_the_same_hold_session_releases_the_previous_one(booking):
    cid = booking.clinician()
    session = {"X-Hold-Session": "tab-1"}
    first = booking.hold(cid, at(0, "10:00"), headers=session).json

    second = booking.hold(cid, at(0, "10:15"), headers=session)
    other = booking.hold(cid, at(0, "10:30"), headers={"X-Hold-Session": "tab-2"})

    assert second.status_code == 201 and other.status_code == 201
    assert [e["subject"] for e in booking.events("booking.hold_released")] == [first["id"]]
    assert booking.hold(cid, at(0, "10:00")).status_code == 201


def test_a_flood_of_holds_from_one_address_is_limited(make_booking):
    booking = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="3")
    cid = booking.clinician()

    answers = [booking.hold(cid, at(1, f"10:{m:02d}")) for m in (0, 15, 30, 45)]

    assert [r.status_code for r in answers] == [201, 201, 201, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].mimetype == "application/problem+json"


def test_refused_holds_count_against_the_address_too(make_booking):
    booking = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="2")
    cid = booking.clinician()

    answers = [booking.hold(cid, at(1, "10:00")), booking.hold(cid, at(1, "10:00")), booking.hold(cid, at(1, "11:00"))]

    assert [r.status_code for r in answers] == [201, 409, 429]


def test_a_slot_is_checked_in_the_clinicians_zone_across_a_dst_change(booking, clock):
    clock.at = clock.at.replace(month=3, day=6)  # Friday before New York springs forward on Sunday 8 March
    cid = booking.clinician(time_zone="America/New_York",
                            weekly=[{"weekday": "mon", "start": "09:00", "end": "10:00"}])
    from datetime import datetime

    edt_nine = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT (UTC-4)
    est_nine = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 09:00 in EST would be 10:00 EDT

    assert booking.hold(cid, est_nine).status_code == 422
    assert booking.hold(cid, edt_nine).status_code == 201


def test_a_nul_character_in_a_field_or_an_id_is_the_clients_error_on_every_database(booking):
    cid = booking.clinician()

    in_body = booking.http.post("/v1/holds", json={"clinician_id": "a\x00b", "start": isoformat(at(0, "10:00"))})
    in_path = booking.http.delete("/v1/holds/a%00b", headers=bearer("token"))

    assert in_body.status_code == 422 and "clinician_id" in in_body.json["errors"]
    assert in_path.status_code in (404, 422)
    assert booking.hold(cid, at(0, "10:00")).status_code == 201


def test_behind_a_trusted_proxy_each_client_address_has_its_own_quota_and_otherwise_the_header_is_ignored(
        make_booking):
    direct = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="1")
    proxied = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="1", TRUSTED_PROXY_HOPS="1")

    def two_clients(booking) -> list[int]:
        cid = booking.clinician()
        return [booking.hold(cid, at(1, start), headers={"X-Forwarded-For": address}).status_code
                for start, address in (("10:00", "198.51.100.7"), ("10:15", "203.0.113.9"))]

    assert two_clients(proxied) == [201, 201], "the proxy's header names two clients"
    assert two_clients(direct) == [201, 429], "without a trusted proxy a client cannot pick its own address"
