"""GET /v1/events pages by the relay's publication number: nothing held back, nothing skipped."""
from __future__ import annotations

import pytest
from booking_support import at, bearer
from sqlalchemy import insert, select
from test_booking_events_api import publish_all

pytestmark = pytest.mark.integration
ADMIN = bearer("test-admin-Vq8xK2pLm9RzW4nY7c")


def feed(booking, after: str) -> dict:
    res = booking.http.get(f"/v1/events?after={after}&limit=50", headers=ADMIN)
    assert res.status_code == 200, res.json
    return res.json


def test_a_fresh_event_is_in_the_feed_at_once_and_one_committed_late_is_never_skipped(booking, clock):
    cid = booking.clinician()
    booking.hold(cid, at(0, "10:00"))
    publish_all(booking)

    first = feed(booking, "0")  # the clock has not moved: nothing is held back for being recent
    c = booking.container
    # An id taken before the first event's, committed (and so published) only after a reader passed it:
    late, row = c.outbox.row("booking.hold_released", "bk-late", 1, {
        "booking_id": "bk-late", "clinician_id": cid, "start": at(0, "11:00"), "end": at(0, "11:15"),
        "status": "released"}, clock.now())
    with c.db.write() as s:
        s.execute(insert(c.tables["outbox"]).values(id=0, **row))
    publish_all(booking)
    then = feed(booking, first["next_cursor"])

    assert [e["type"] for e in first["events"]] == ["booking.held"]
    assert [e["id"] for e in then["events"]] == [late["id"]]
    assert feed(booking, then["next_cursor"])["events"] == []
    t = c.tables["outbox"]
    with c.db.read() as s:
        numbers = s.execute(select(t.c.id, t.c.published_seq).order_by(t.c.published_seq)).all()
    assert [n for _, n in numbers] == [1, 2] and numbers[-1][0] == 0, "numbered in publishing order"


def test_events_not_yet_published_have_no_number_and_stay_out_of_the_feed(booking, clock):
    cid = booking.clinician()
    booking.hold(cid, at(0, "10:00"))

    before = feed(booking, "0")
    publish_all(booking)

    assert before == {"events": [], "next_cursor": "0"}
    assert [e["type"] for e in feed(booking, "0")["events"]] == ["booking.held"]
