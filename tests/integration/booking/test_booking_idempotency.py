"""Idempotency-Key on POSTs: the same request gets the first answer; another request with the key does not."""
from __future__ import annotations

import pytest
from booking_support import at, bearer
from sqlalchemy import select

from services.booking.adapters.orm import idempotency_keys
from services.booking.service_layer import idempotency
from shared.clock import isoformat

pytestmark = pytest.mark.integration


def test_the_same_key_and_body_return_the_first_answer_without_a_second_hold(booking):
    cid = booking.clinician()
    key = {"Idempotency-Key": "k-hold-1"}

    first = booking.hold(cid, at(0, "10:00"), headers=key)
    again = booking.hold(cid, at(0, "10:00"), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(booking.events("booking.held")) == 1


def test_the_same_key_with_another_body_is_refused(booking):
    cid = booking.clinician()
    key = {"Idempotency-Key": "k-hold-2"}
    booking.hold(cid, at(0, "10:00"), headers=key)

    res = booking.hold(cid, at(0, "10:15"), headers=key)

    assert res.status_code == 422 and "Idempotency-Key" in res.json["errors"]
    assert len(booking.events("booking.held")) == 1


def test_a_key_whose_first_request_is_still_running_answers_409(booking):
    cid = booking.clinician()
    body = {"clinician_id": cid, "start": isoformat(at(0, "10:00"))}
    with booking.app.test_request_context("/v1/holds", method="POST", json=body,
                                          headers={"Idempotency-Key": "k-running"}):
        from services.booking.entrypoints.idempotency import _fingerprint

        idempotency.begin(booking.container.extra["uow"], "k-running", _fingerprint())

    res = booking.hold(cid, at(0, "10:00"), headers={"Idempotency-Key": "k-running"})

    assert res.status_code == 409 and res.headers["Retry-After"] == "1"
    assert booking.events("booking.held") == []


def test_a_retried_confirm_with_its_key_gets_the_same_booking_and_token_once(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json
    key = {"Idempotency-Key": "k-confirm"}

    first = booking.confirm(hold, headers=key)
    again = booking.confirm(hold, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json["manage_token"] == first.json["manage_token"]
    assert len(booking.events("booking.confirmed")) == 1


def test_stored_answers_keep_no_token_in_the_clear(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00"), headers={"Idempotency-Key": "k-secret"}).json
    confirmed = booking.confirm(hold, headers={"Idempotency-Key": "k-secret-2"}).json

    with booking.container.db.read() as s:
        stored = " ".join(s.scalars(select(idempotency_keys.c.response_body)))

    assert hold["id"] in stored
    assert hold["token"] not in stored and confirmed["manage_token"] not in stored


def test_keys_are_forgotten_after_24_hours(booking, clock):
    cid = booking.clinician()
    booking.hold(cid, at(1, "10:00"), headers={"Idempotency-Key": "k-old"})
    clock.advance(hours=24, seconds=1)

    res = booking.hold(cid, at(1, "10:15"), headers={"Idempotency-Key": "k-old"})

    assert res.status_code == 201 and res.json["start"] == isoformat(at(1, "10:15"))


def test_a_failed_request_that_may_succeed_later_frees_its_key(make_booking):
    booking = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="1")
    cid = booking.clinician()
    booking.hold(cid, at(0, "10:00"))
    key = {"Idempotency-Key": "k-limited"}

    limited = booking.hold(cid, at(0, "10:15"), headers=key)
    booking.clock.advance(minutes=2)  # the sliding window forgets the refused minute too
    later = booking.hold(cid, at(0, "10:15"), headers=key)

    assert limited.status_code == 429 and later.status_code == 201


def test_keys_apply_to_other_posts_too(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    key, auth = "k-cancel", bearer(made["manage_token"])

    first = booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers={**auth, "Idempotency-Key": key})
    again = booking.http.post(f"/v1/bookings/{made['id']}/cancel", json={}, headers={**auth, "Idempotency-Key": key})

    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
