"""GET /v1/directory: order, filters and paging, read from the directory projection that follows every change."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from services.availability.service_layer import directory
from shared.events import new_event, parse
from shared.messaging.consumer import EventConsumer

pytestmark = pytest.mark.integration
# now: Wed 4 March 2026 12:00Z, notice 2 h: the first bookable instant is 14:00Z


def listing(client, query="") -> dict:
    resp = client.get(f"/v1/directory?{query}")
    assert resp.status_code == 200, resp.json
    return resp.json


def names(client, query="") -> list[str]:
    return [c["name"] for c in listing(client, query)["clinicians"]]


def first_of(client, clinician_id) -> str | None:
    found = {c["id"]: c["next_available"] for c in listing(client, "page_size=100")["clinicians"]}
    return found[clinician_id]


@pytest.fixture
def apply(container):
    """Delivers a booking event as the consumer does after reading it from the queue."""
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)
    [subscription] = [s for s in container.subscriptions if s.purpose == "booking-events"]

    def deliver(type_, booking_id, sequence, clinician_id, start, status, **data):
        start = datetime.fromisoformat(start) if isinstance(start, str) else start
        body = {"booking_id": booking_id, "clinician_id": clinician_id, "start": start,
                "end": start + timedelta(minutes=15), "status": status, **data}
        if type_ == "booking.confirmed":
            body["client"] = {"name": "A Client", "email": "client@example.org"}
        if type_ == "booking.cancelled":
            body.update(reason="changed plans", cancelled_by="client")
        event = new_event(type_, "/attune/booking", booking_id, sequence, body, datetime(2026, 3, 4, tzinfo=UTC))
        envelope, loaded = parse(json.dumps(event))
        assert consumer.apply(subscription, envelope, loaded, subscription.handlers[envelope["type"]]) is None

    return deliver


def test_the_directory_lists_soonest_first_then_by_name_with_no_open_time_last_and_no_email(
        client, make_clinician, every_day):
    make_clinician(name="zoe Late", weekly=every_day("15:00", "16:00"), time_zone="UTC")
    make_clinician(name="Bea Early", weekly=every_day("14:00", "15:00"), time_zone="UTC")
    make_clinician(name="Abe Early", weekly=every_day("14:00", "15:00"), time_zone="UTC")
    make_clinician(name="Al Nothing", weekly=[], time_zone="UTC")
    make_clinician(name="Cy Closed", weekly=every_day("14:00", "15:00"), time_zone="UTC", accepting_new_clients=False)

    found = listing(client)["clinicians"]

    assert [c["name"] for c in found] == ["Abe Early", "Bea Early", "zoe Late", "Al Nothing", "Cy Closed"]
    assert [c["next_available"] for c in found] == ["2026-03-04T14:00:00Z"] * 2 + ["2026-03-04T15:00:00Z", None, None]
    assert all("email" not in c for c in found)
    assert found[0]["modality_labels"] == ["Emotionally Focused Therapy (EFT)"]
    assert set(found[0]) >= {"id", "name", "credentials", "bio", "time_zone", "modalities", "populations",
                             "languages", "accepting_new_clients", "next_available"}


def test_pages_follow_one_another_without_gaps_or_repeats(client, make_clinician, every_day):
    made = {make_clinician(name=f"Clinician {i}", weekly=every_day(f"{14 + i % 3}:00", "20:00"), time_zone="UTC")
            for i in range(7)}

    seen, token, pages = [], None, 0
    while True:
        page = listing(client, "page_size=3" + (f"&page={token}" if token else ""))
        seen += [c["id"] for c in page["clinicians"]]
        pages += 1
        token = page["next_page"]
        if token is None:
            break

    assert pages == 3 and len(seen) == 7 and set(seen) == made
    assert seen == [c["id"] for c in listing(client, "page_size=100")["clinicians"]]


def test_a_page_size_above_one_hundred_or_a_made_up_page_token_is_refused_naming_the_field(client):
    too_big = client.get("/v1/directory?page_size=101")
    forged = client.get("/v1/directory?page=bm90LWEtdG9rZW4")

    assert too_big.status_code == 422 and "page_size" in too_big.json["errors"]
    assert forged.status_code == 422 and "page" in forged.json["errors"]
    assert forged.content_type == "application/problem+json"


def test_filters_narrow_the_directory_by_modality_population_language_and_accepting(
        client, make_clinician, every_day):
    week = every_day("14:00", "15:00")
    make_clinician(name="Eft Couples En", weekly=week, modalities=["eft"], populations=["couples"], languages=["en-GB"])
    make_clinician(name="Ddp Children Es", weekly=week, modalities=["ddp"], populations=["children"],
                   languages=["es", "EN"])
    make_clinician(name="Mbt Adults Fr", weekly=week, modalities=["mbt", "eft"], populations=["adults"],
                   languages=["fr"], accepting_new_clients=False)

    assert names(client, "modality=eft") == ["Eft Couples En", "Mbt Adults Fr"]
    assert names(client, "population=children") == ["Ddp Children Es"]
    assert names(client, "language=en") == ["Ddp Children Es", "Eft Couples En"]
    assert names(client, "language=en-gb") == ["Eft Couples En"]
    assert names(client, "language=fr") == ["Mbt Adults Fr"] and names(client, "language=de") == []
    assert names(client, "accepting=true") == ["Ddp Children Es", "Eft Couples En"]
    assert names(client, "accepting=false&modality=eft") == ["Mbt Adults Fr"]
    assert names(client, "modality=eft&population=couples&language=en") == ["Eft Couples En"]


def test_profile_changes_and_deactivation_show_at_once(client, make_clinician, every_day, admin_headers):
    clinician_id = make_clinician(name="Old Name", weekly=every_day("14:00", "15:00"))

    client.patch(f"/v1/clinicians/{clinician_id}", json={"name": "New Name", "modalities": ["ddp"]},
                 headers=admin_headers)
    assert names(client, "modality=ddp") == ["New Name"] and names(client, "modality=eft") == []

    client.patch(f"/v1/clinicians/{clinician_id}", json={"active": False}, headers=admin_headers)
    assert names(client) == []


def test_next_available_follows_holds_expiry_confirmation_and_cancellation(client, make_clinician, every_day, apply):
    clinician_id = make_clinician(weekly=every_day("14:00", "14:45"), time_zone="UTC")
    first, second, third = "2026-03-04T14:00:00Z", "2026-03-04T14:15:00Z", "2026-03-04T14:30:00Z"
    assert first_of(client, clinician_id) == first

    apply("booking.held", "bk_1", 1, clinician_id, first, "held", expires_at=datetime(2026, 3, 4, 12, 10, tzinfo=UTC))
    assert first_of(client, clinician_id) == second
    apply("booking.held", "bk_2", 1, clinician_id, second, "held", expires_at=datetime(2026, 3, 4, 12, 10, tzinfo=UTC))
    assert first_of(client, clinician_id) == third

    apply("booking.hold_expired", "bk_1", 2, clinician_id, first, "expired")
    assert first_of(client, clinician_id) == first
    apply("booking.confirmed", "bk_2", 2, clinician_id, second, "confirmed")
    apply("booking.held", "bk_3", 1, clinician_id, first, "held", expires_at=datetime(2026, 3, 4, 12, 10, tzinfo=UTC))
    assert first_of(client, clinician_id) == third

    apply("booking.hold_released", "bk_3", 2, clinician_id, first, "released")
    assert first_of(client, clinician_id) == first
    apply("booking.cancelled", "bk_2", 3, clinician_id, second, "cancelled")
    apply("booking.confirmed", "bk_4", 2, clinician_id, first, "confirmed")
    assert first_of(client, clinician_id) == second


def test_a_reschedule_moves_next_available_with_the_booking(client, make_clinician, every_day, apply):
    clinician_id = make_clinician(weekly=every_day("14:00", "14:30"), time_zone="UTC")
    apply("booking.confirmed", "bk_1", 2, clinician_id, "2026-03-04T14:00:00Z", "confirmed")
    assert first_of(client, clinician_id) == "2026-03-04T14:15:00Z"

    apply("booking.rescheduled", "bk_1", 3, clinician_id, "2026-03-04T14:15:00Z", "confirmed",
          previous_start=datetime(2026, 3, 4, 14, tzinfo=UTC), previous_end=datetime(2026, 3, 4, 14, 15, tzinfo=UTC))
    assert first_of(client, clinician_id) == "2026-03-04T14:00:00Z"


def test_a_schedule_change_or_a_new_zone_moves_next_available(client, make_clinician, every_day, admin_headers):
    clinician_id = make_clinician(weekly=every_day("14:00", "15:00"), time_zone="UTC")

    client.put(f"/v1/clinicians/{clinician_id}/schedule", headers=admin_headers,
               json={"weekly": every_day("18:00", "19:00"), "overrides": [{"date": "2026-03-04", "windows": []}]})
    assert first_of(client, clinician_id) == "2026-03-05T18:00:00Z"

    client.patch(f"/v1/clinicians/{clinician_id}", json={"time_zone": "Europe/Berlin"}, headers=admin_headers)
    assert first_of(client, clinician_id) == "2026-03-05T17:00:00Z"  # 18:00 in Berlin

    client.put(f"/v1/clinicians/{clinician_id}/schedule", headers=admin_headers, json={"weekly": []})
    assert first_of(client, clinician_id) is None


def test_the_job_advances_next_available_as_time_passes_and_only_touches_rows_that_are_due(
        client, make_clinician, every_day, container, clock, apply):
    soon = make_clinician(name="Soon", weekly=every_day("14:00", "16:00"), time_zone="UTC")
    later = make_clinician(name="Later", weekly=every_day("15:00", "16:00"), time_zone="UTC")
    apply("booking.confirmed", "bk_1", 1, soon, "2026-03-04T14:15:00Z", "confirmed")
    assert directory.advance(container) == 0

    clock.advance(minutes=1)  # 14:00 now falls behind the 2-hour notice
    assert directory.advance(container) == 1
    assert first_of(client, soon) == "2026-03-04T14:30:00Z" and first_of(client, later) == "2026-03-04T15:00:00Z"

    clock.advance(hours=1)
    assert directory.advance(container) == 2
    assert first_of(client, soon) == "2026-03-04T15:15:00Z" and first_of(client, later) == "2026-03-04T15:15:00Z"


def test_a_clinician_with_nothing_in_the_week_appears_when_the_week_reaches_their_next_window(
        client, make_clinician, container, clock, admin_headers):
    clinician_id = make_clinician(weekly=[{"weekday": "wed", "start": "11:00", "end": "12:00"}], time_zone="UTC",
                                  overrides=[{"date": "2026-03-04", "windows": []}])
    # next Wednesday 11:00 is 2026-03-11T11:00Z: inside the week that ends 2026-03-11T12:00Z
    assert first_of(client, clinician_id) == "2026-03-11T11:00:00Z"
    client.put(f"/v1/clinicians/{clinician_id}/schedule", headers=admin_headers, json={
        "weekly": [{"weekday": "wed", "start": "13:00", "end": "14:00"}],
        "overrides": [{"date": "2026-03-04", "windows": []}]})
    assert first_of(client, clinician_id) is None

    clock.advance(hours=1, minutes=1)  # the week now reaches 2026-03-11T13:00Z
    assert directory.advance(container) == 1
    assert first_of(client, clinician_id) == "2026-03-11T13:00:00Z"


def test_clinicians_from_before_the_directory_are_adopted_by_the_job(client, make_clinician, every_day, container):
    from sqlalchemy import delete

    from services.availability.adapters.orm import directory as table

    clinician_id = make_clinician(weekly=every_day("14:00", "15:00"), time_zone="UTC")
    with container.db.write() as session:
        session.execute(delete(table))
    assert names(client) == []

    assert directory.advance(container) == 1
    assert first_of(client, clinician_id) == "2026-03-04T14:00:00Z"


def test_refresh_next_available_ignores_a_clinician_this_service_does_not_know(container, clock):
    with container.db.write() as session:
        assert directory.refresh_next_available(session, "cln_elsewhere", clock.now()) is None


def test_a_hold_that_lapses_before_its_expiry_event_reopens_its_slot_at_the_next_run_of_the_job(
        client, make_clinician, every_day, apply, container, clock):
    clinician_id = make_clinician(weekly=every_day("15:00", "15:30"), time_zone="UTC")
    apply("booking.held", "bk_1", 1, clinician_id, "2026-03-04T15:00:00Z", "held",
          expires_at=datetime(2026, 3, 4, 12, 10, tzinfo=UTC))
    assert first_of(client, clinician_id) == "2026-03-04T15:15:00Z"
    assert directory.advance(container) == 0

    clock.advance(minutes=10, seconds=1)
    assert directory.advance(container) == 1

    assert first_of(client, clinician_id) == "2026-03-04T15:00:00Z"
    assert client.get("/v1/slots?limit=1").json["slots"][0]["start"] == "2026-03-04T15:00:00Z"
