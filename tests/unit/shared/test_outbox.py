"""The outbox: events recorded in the caller's transaction with rising per-subject sequences."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from shared.logging import request_id
from tests.unit.shared.conftest import NOW, booking_data


def test_sequences_rise_per_subject(store):
    with store.db.write() as s:
        a1 = store.outbox.add(s, "booking.held", "bk_a", booking_data("bk_a"), NOW)
        b1 = store.outbox.add(s, "booking.held", "bk_b", booking_data("bk_b"), NOW)
    with store.db.write() as s:
        a2 = store.outbox.add(s, "booking.confirmed", "bk_a", {**booking_data("bk_a", "confirmed"),
                                                               "client": {"name": "Alex"}}, NOW)

    assert [a1["sequence"], b1["sequence"], a2["sequence"]] == [1, 1, 2]


def test_the_row_holds_the_serialised_event_unpublished(store):
    with store.db.write() as s:
        event = store.outbox.add(s, "booking.held", "bk_a", booking_data("bk_a"), NOW)

    t = store.tables["outbox"]
    with store.db.read() as s:
        row = s.execute(select(t)).one()
    assert json.loads(row.body) == event
    assert (row.event_id, row.type, row.subject, row.sequence) == (event["id"], "booking.held", "bk_a", 1)
    assert row.published_at is None


def test_an_event_is_written_only_if_the_callers_transaction_commits(store):
    with pytest.raises(RuntimeError), store.db.write() as s:
        store.outbox.add(s, "booking.held", "bk_a", booking_data("bk_a"), NOW)
        raise RuntimeError("the state change failed")

    with store.db.read() as s:
        assert s.execute(select(func.count()).select_from(store.tables["outbox"])).scalar() == 0


def test_the_request_id_of_the_call_travels_in_the_event(store):
    token = request_id.set("req-9")
    try:
        with store.db.write() as s:
            event = store.outbox.add(s, "booking.held", "bk_a", booking_data("bk_a"), NOW)
    finally:
        request_id.reset(token)

    assert event["requestid"] == "req-9"
