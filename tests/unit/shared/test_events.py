"""The event contract: envelopes built and parsed, data checked against its schema."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.events import (
    DATA_SCHEMAS,
    EVENT_DESCRIPTIONS,
    EVENT_TYPES,
    InvalidEvent,
    new_event,
    parse,
)

AT = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
BOOKING = {"booking_id": "bk_1", "clinician_id": "cl_1", "start": AT, "end": AT + timedelta(minutes=15),
           "status": "confirmed", "client": {"name": "Alex Example", "email": "alex@example.org"}}


def confirmed(**over) -> dict:
    return new_event("booking.confirmed", "/attune/booking", "bk_1", 3, {**BOOKING, **over}, AT)


def test_the_contract_s_event_types_are_all_there_each_described():
    assert set(EVENT_TYPES) >= {
        "clinician.created", "clinician.updated", "availability.changed", "booking.held", "booking.hold_released",
        "booking.hold_expired", "booking.confirmed", "booking.cancelled", "booking.rescheduled",
        "contact_request.created", "contact_request.matched", "notification.sent", "notification.failed",
        "session.revoked", "account.deactivated", "audit.recorded"}
    assert set(EVENT_DESCRIPTIONS) == set(DATA_SCHEMAS)


def test_a_new_event_is_a_cloudevents_envelope_with_utc_time_and_json_ready_data():
    event = confirmed()

    assert {k: event[k] for k in ("specversion", "source", "type", "subject", "datacontenttype", "sequence")} == {
        "specversion": "1.0", "source": "/attune/booking", "type": "booking.confirmed", "subject": "bk_1",
        "datacontenttype": "application/json", "sequence": 3}
    assert event["time"] == "2026-03-29T01:30:00Z"
    assert event["data"]["start"] == "2026-03-29T01:30:00Z"
    assert json.loads(json.dumps(event)) == event


def test_every_new_event_gets_its_own_id():
    assert confirmed()["id"] != confirmed()["id"]


def test_a_new_event_with_data_that_fails_its_schema_is_refused():
    with pytest.raises(InvalidEvent, match="status"):
        confirmed(status="teleported")


def test_data_times_travel_in_utc_whatever_zone_they_were_given_in():
    event = confirmed(start=datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))),
                      end=datetime(2026, 3, 29, 1, 45))  # naive: UTC, as the database stores it

    assert (event["data"]["start"], event["data"]["end"]) == ("2026-03-29T01:30:00Z", "2026-03-29T01:45:00Z")


def test_parse_returns_the_envelope_and_the_loaded_data():
    event, data = parse(json.dumps(confirmed()).encode())

    assert event["type"] == "booking.confirmed"
    assert data["start"] == AT
    assert data["client"]["email"] == "alex@example.org"


def test_parse_drops_fields_it_does_not_know_so_producers_may_add_fields():
    raw = confirmed()
    raw["data"]["new_field"] = 1
    raw["futureextension"] = "00-abc"

    event, data = parse(json.dumps(raw))

    assert "new_field" not in data
    assert "futureextension" not in event


def test_parse_keeps_the_request_id_extension_attribute():
    event, _ = parse(json.dumps({**confirmed(), "requestid": "req-42"}))

    assert event["requestid"] == "req-42"


@pytest.mark.parametrize("body, reason", [
    (b"{nope", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (json.dumps({**confirmed(), "type": "booking.exploded"}), "type"),
    (json.dumps({**confirmed(), "specversion": "0.3"}), "specversion"),
    (json.dumps({**confirmed(), "sequence": 0}), "sequence"),
    (json.dumps({k: v for k, v in confirmed().items() if k != "id"}), "id"),
    (json.dumps({**confirmed(), "data": {"booking_id": "bk_1"}}), "clinician_id"),
])
def test_parse_refuses_what_is_not_an_event_of_the_contract_and_says_why(body, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse(body)
