"""Issue 15 in the slot list and the directory: a daily cap and a buffer close slots, a cancellation reopens them."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.events import new_event, parse
from shared.messaging.consumer import EventConsumer

pytestmark = pytest.mark.integration
FRIDAY = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 10:00 in New York, in the 09:00-12:00 window
EXTRA = {"booking.confirmed": {"client": {"name": "A Client", "email": "client@example.org"}},
         "booking.cancelled": {"reason": None, "cancelled_by": "client"}}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture
def apply(container):
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)
    [subscription] = [s for s in container.subscriptions if s.purpose == "booking-events"]

    def deliver(type_, booking_id, sequence, clinician_id, start, status):
        data = {"booking_id": booking_id, "clinician_id": clinician_id, "start": start,
                "end": start + timedelta(minutes=15), "status": status, **EXTRA.get(type_, {})}
        event = new_event(type_, "/attune/booking", booking_id, sequence, data, datetime(2026, 3, 4, tzinfo=UTC))
        envelope, loaded = parse(json.dumps(event))
        assert consumer.apply(subscription, envelope, loaded, subscription.handlers[type_]) is None

    return deliver


def starts_on(client, clinician_id, day: str) -> list[str]:
    resp = client.get(f"/v1/slots?clinician_id={clinician_id}&start={day}T00:00:00Z&end={day}T23:59:00Z")
    assert resp.status_code == 200, resp.json
    return [s["start"] for s in resp.json["slots"]]


def test_a_full_day_disappears_from_slots_and_directory_and_a_cancellation_brings_it_back(
        client, make_clinician, every_day, apply):
    cid = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York", max_per_day=2)
    today = "2026-03-04"  # its first slots (09:00 and on, New York) open the directory's next_available
    assert len(starts_on(client, cid, "2026-03-06")) == 12

    apply("booking.held", "bk_1", 1, cid, FRIDAY, "held")
    apply("booking.confirmed", "bk_2", 1, cid, FRIDAY + timedelta(hours=1), "confirmed")
    apply("booking.confirmed", "bk_3", 1, cid, datetime(2026, 3, 4, 14, 0, tzinfo=UTC), "confirmed")
    apply("booking.confirmed", "bk_4", 1, cid, datetime(2026, 3, 4, 14, 15, tzinfo=UTC), "confirmed")

    assert starts_on(client, cid, "2026-03-06") == []
    assert len(starts_on(client, cid, "2026-03-07")) == 12
    listed = {c["id"]: c["next_available"] for c in client.get("/v1/directory").json["clinicians"]}
    assert listed[cid] == "2026-03-05T14:00:00Z"  # the 4th is full: Thursday 09:00 in New York
    assert client.get(f"/v1/clinicians/{cid}").json["next_available"] == "2026-03-05T14:00:00Z"
    assert starts_on(client, cid, today) == []

    apply("booking.cancelled", "bk_2", 2, cid, FRIDAY + timedelta(hours=1), "cancelled")
    assert len(starts_on(client, cid, "2026-03-06")) == 11  # the held slot stays taken


def test_a_buffer_closes_the_slots_next_to_a_consultation(client, make_clinician, every_day, apply):
    cid = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York", buffer_minutes=15)
    apply("booking.confirmed", "bk_1", 1, cid, FRIDAY, "confirmed")

    friday = starts_on(client, cid, "2026-03-06")
    closed = {iso(FRIDAY + timedelta(minutes=m)) for m in (-15, 0, 15)}
    assert closed.isdisjoint(friday) and len(friday) == 9
    assert iso(FRIDAY - timedelta(minutes=30)) in friday and iso(FRIDAY + timedelta(minutes=30)) in friday


def test_client_data_erased_forgets_the_client_label_kept_for_calendars(container, make_clinician, every_day):
    from sqlalchemy import select

    from services.availability.adapters.orm import calendar_bookings

    cid = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York")
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)

    def deliver(event):
        envelope, loaded = parse(json.dumps(event))
        for sub in container.subscriptions:
            if event["type"] in sub.handlers:
                assert consumer.apply(sub, envelope, loaded, sub.handlers[event["type"]]) is None

    data = {"booking_id": "bk_1", "clinician_id": cid, "start": FRIDAY, "end": FRIDAY + timedelta(minutes=15),
            "status": "confirmed", "client": {"name": "Robin Quill", "email": "robin@example.org"}}
    deliver(new_event("booking.confirmed", "/attune/booking", "bk_1", 2, data, FRIDAY))
    with container.db.read() as s:
        assert s.execute(select(calendar_bookings.c.client_label)).scalar() == "Robin"

    deliver(new_event("client_data.erased", "/attune/booking", "erasure-er_1", 1, {
        "erasure_id": "er_1", "basis": "request", "booking_ids": ["bk_1"], "contact_request_ids": []}, FRIDAY))

    with container.db.read() as s:
        assert s.execute(select(calendar_bookings.c.client_label)).scalar() == "client"


def test_bulk_publish_marks_slots_a_full_day_closes_as_busy(client, make_clinician, every_day, apply):
    cid = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York", max_per_day=1)
    apply("booking.confirmed", "bk_1", 1, cid, FRIDAY, "confirmed")

    body = client.get("/$bulk-publish/slots-2026-03-06.ndjson").get_data(True)
    statuses = {json.loads(line)["start"]: json.loads(line)["status"] for line in body.splitlines() if line}

    assert statuses and set(statuses.values()) == {"busy"}
