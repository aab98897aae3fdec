"""Abuse limits (issue 11): live holds per address, sliding windows, no renewal by re-holding, a
proof of work past a threshold, a confirm limit, and idempotency keys only for admitted requests."""
from __future__ import annotations

import subprocess
import sys

import pytest
from booking_support import at, bearer
from sqlalchemy import func, select, text

from services.booking.adapters.orm import idempotency_keys
from services.booking.domain import challenge
from services.booking.service_layer import idempotency

pytestmark = pytest.mark.integration
LIMITED = {"HOLD_MAX_LIVE_PER_ADDRESS": "3", "HOLD_CHALLENGE_AFTER": "0"}


def statuses(answers) -> list[int]:
    return [a.status_code for a in answers]


def keys(booking) -> int:
    with booking.container.db.read() as s:
        return s.execute(select(func.count()).select_from(idempotency_keys)).scalar_one()


def test_one_address_keeps_at_most_three_live_holds_with_or_without_hold_sessions(make_booking, clock):
    booking = make_booking(**LIMITED)
    cid = booking.clinician()
    mornings = [at(1, f"{h}:00") for h in (9, 10, 11, 12, 13)]

    answers = [booking.hold(cid, mornings[0]), booking.hold(cid, mornings[1], headers={"X-Hold-Session": "a"}),
               booking.hold(cid, mornings[2], headers={"X-Hold-Session": "b"}), booking.hold(cid, mornings[3]),
               booking.hold(cid, mornings[3], headers={"X-Hold-Session": "c"})]
    first = answers[0].json
    booking.http.delete(f"/v1/holds/{first['id']}", headers=bearer(first["token"]))
    after_release = booking.hold(cid, mornings[3])
    clock.advance(seconds=601)  # all lapse; the sweeper has not run: they still count for nothing
    after_lapse = [booking.hold(cid, s) for s in mornings[:3]]

    assert statuses(answers) == [201, 201, 201, 429, 429]
    assert answers[3].json["type"].endswith("too-many-holds") and int(answers[3].headers["Retry-After"]) > 0
    assert after_release.status_code == 201 and statuses(after_lapse) == [201, 201, 201]


def test_a_session_moving_its_hold_keeps_one_live_hold_and_counts_once(make_booking):
    booking = make_booking(**LIMITED)
    cid = booking.clinician()
    session = {"X-Hold-Session": "tab-1"}

    moves = [booking.hold(cid, at(1, f"{h}:00"), headers=session) for h in (9, 10, 11, 12, 13, 14)]

    assert statuses(moves) == [201] * 6


def test_re_holding_the_same_slot_from_the_same_session_never_extends_the_hold(make_booking, clock):
    booking = make_booking(**LIMITED)
    cid = booking.clinician()
    session = {"X-Hold-Session": "tab-1"}
    first = booking.hold(cid, at(1, "10:00"), headers=session).json
    clock.advance(seconds=500)

    again = booking.hold(cid, at(1, "10:00"), headers=session)
    clock.advance(seconds=101)  # past the first hold's expiry
    confirm = booking.confirm(again.json)

    assert again.status_code == 201 and again.json["expires_at"] == first["expires_at"]
    assert confirm.status_code == 410


def test_the_hold_limit_slides_so_a_minute_boundary_never_doubles_it(make_booking, clock):
    booking = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="4", HOLD_MAX_LIVE_PER_ADDRESS="100")
    cid = booking.clinician()
    clock.advance(seconds=58)
    late = [booking.hold(cid, at(1, f"09:{m:02d}")) for m in (0, 15, 30, 45)]
    clock.advance(seconds=3)  # the next minute has begun
    early = [booking.hold(cid, at(1, f"10:{m:02d}")) for m in (0, 15)]
    clock.advance(seconds=60)
    later = booking.hold(cid, at(1, "11:00"))

    assert statuses(late) == [201] * 4
    assert statuses(early) == [429, 429]
    assert later.status_code == 201


def test_past_the_threshold_a_hold_needs_a_solved_challenge_each_good_once(make_booking):
    booking = make_booking(HOLD_MAX_LIVE_PER_ADDRESS="100", HOLD_CHALLENGE_AFTER="2", HOLD_CHALLENGE_MAX_NUMBER="2000")
    cid = booking.clinician()
    free = [booking.hold(cid, at(1, f"09:{m:02d}")) for m in (0, 15)]

    asked = booking.hold(cid, at(1, "10:00"))
    proof = challenge.solve(asked.json["challenge"])
    solved = booking.hold(cid, at(1, "10:00"), headers={challenge.HEADER: proof})
    replayed = booking.hold(cid, at(1, "10:15"), headers={challenge.HEADER: proof})
    forged = booking.hold(cid, at(1, "10:15"), headers={challenge.HEADER: proof[:-4] + "AAA="})

    assert statuses(free) == [201, 201]
    assert asked.status_code == 428 and asked.json["type"].endswith("proof-of-work-required")
    assert {"algorithm", "challenge", "salt", "signature", "maxnumber"} <= set(asked.json["challenge"])
    assert solved.status_code == 201
    assert replayed.status_code == 428 and forged.status_code == 428
    assert len(booking.events("booking.held")) == 3


def test_a_handful_of_holds_from_one_address_never_meets_a_challenge_by_default(make_booking):
    booking = make_booking(HOLD_MAX_LIVE_PER_ADDRESS="100", HOLD_CHALLENGE_AFTER="10")
    cid = booking.clinician()

    answers = [booking.hold(cid, at(1, f"{h}:{m:02d}")) for h in (9, 10) for m in (0, 15, 30, 45)]

    assert statuses(answers) == [201] * 8


def test_confirm_has_its_own_limit_per_address(make_booking):
    booking = make_booking(CONFIRMS_PER_MINUTE_PER_ADDRESS="2")
    cid = booking.clinician()
    hold = booking.hold(cid, at(1, "10:00")).json
    wrong = dict(hold, token="x" * 43)

    answers = [booking.confirm(wrong), booking.confirm(wrong), booking.confirm(hold)]

    assert statuses(answers) == [401, 401, 429]


def test_unrouted_unauthorised_invalid_or_refused_posts_keep_no_idempotency_key(make_booking):
    booking = make_booking(HOLDS_PER_MINUTE_PER_ADDRESS="2")
    cid = booking.clinician()
    hold = booking.hold(cid, at(1, "10:00")).json

    def key(i):
        return {"Idempotency-Key": f"k-{i}"}

    answers = [
        booking.http.post("/v1/nowhere", json={}, headers=key(1)),
        booking.http.post("/v1/holds/x/nothing", json={}, headers=key(2)),
        booking.http.post("/v1/health", json={}, headers=key(3)),
        booking.confirm(dict(hold, token="y" * 43), headers=key(4)),
        booking.confirm({"id": "no-such-hold", "token": "y" * 43}, headers=key(5)),
        booking.http.post("/v1/holds", json={"clinician_id": cid}, headers=key(6)),
        booking.http.post("/v1/contact-requests", json={"name": "x"}, headers=key(7)),
        booking.http.post(f"/v1/bookings/{hold['id']}/cancel", json={}, headers=key(8)),
        booking.hold(cid, at(1, "11:00"), headers=key(9)),
        booking.hold(cid, at(1, "11:15"), headers=key(10)),  # the third this minute: 429
    ]

    assert statuses(answers) == [404, 404, 405, 401, 404, 422, 422, 404, 201, 429]
    assert keys(booking) == 1  # the one admitted hold's


def dead_owner() -> str:
    """The owner string of a process that ran on this machine and is gone."""
    from shared import process_owner

    code = "from shared import process_owner; print(process_owner.current())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(process_owner.__file__).parents[1]))
    return out.stdout.strip()


def test_a_key_whose_first_request_died_with_its_process_is_free_at_once(booking):
    cid = booking.clinician()
    body_key = {"Idempotency-Key": "k-crashed"}
    with booking.app.test_request_context("/v1/holds", method="POST", json={"clinician_id": cid,
                                          "start": at(1, "10:00").isoformat().replace("+00:00", "Z")},
                                          headers=body_key):
        from services.booking.entrypoints.idempotency import _fingerprint

        idempotency.begin(booking.container.extra["uow"], "k-crashed", _fingerprint())
    with booking.container.db.write() as s:  # as if a worker had claimed it, then been killed mid-request
        s.execute(text("UPDATE idempotency_keys SET owner = :o"), {"o": dead_owner()})

    retry = booking.hold(cid, at(1, "10:00"), headers=body_key)

    assert retry.status_code == 201


def test_a_running_first_request_holds_its_key_for_less_than_a_quarter_of_a_hold(make_booking, clock):
    booking = make_booking(HOLD_TTL_SECONDS="40")
    cid = booking.clinician()
    key = {"Idempotency-Key": "k-slow"}
    with booking.app.test_request_context("/v1/holds", method="POST", json={"clinician_id": cid,
                                          "start": at(1, "10:00").isoformat().replace("+00:00", "Z")},
                                          headers=key):
        from services.booking.entrypoints.idempotency import _fingerprint

        idempotency.begin(booking.container.extra["uow"], "k-slow", _fingerprint())  # this process: alive

    running = booking.hold(cid, at(1, "10:00"), headers=key)
    clock.advance(seconds=11)
    after_lease = booking.hold(cid, at(1, "10:00"), headers=key)

    assert running.status_code == 409 and after_lease.status_code == 201
    assert idempotency.lease(__import__("datetime").timedelta(seconds=40)).total_seconds() == 10
