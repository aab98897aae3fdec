"""GET /v1/slots on a real database: the bookable week, DST, the client's zone, filters and refused queries."""
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.integration
NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


def slots(client, query="") -> list[dict]:
    resp = client.get(f"/v1/slots?{query}")
    assert resp.status_code == 200, resp.json
    return resp.json["slots"]


def local_days(found: list[dict], zone: ZoneInfo) -> Counter:
    return Counter(datetime.fromisoformat(s["start"]).astimezone(zone).date().isoformat() for s in found)


def test_a_morning_window_gives_twelve_slots_every_day_of_a_week_with_a_dst_change(client, make_clinician, every_day):
    clinician_id = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York")

    found = slots(client, f"clinician_id={clinician_id}")

    # now is Wed 4 March 12:00Z, notice 2 h, lookahead 7 days; New York springs forward on Sunday the 8th
    assert local_days(found, NEW_YORK) == {f"2026-03-{d:02d}": 12 for d in range(4, 11)}
    firsts = {s["start"] for s in found if datetime.fromisoformat(s["start"]).astimezone(NEW_YORK).hour == 9
              and datetime.fromisoformat(s["start"]).minute == 0}
    assert {"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"} <= firsts
    assert all(s["clinician_id"] == clinician_id for s in found)


def test_each_slot_has_utc_times_and_the_same_instants_in_the_clients_zone(client, make_clinician, every_day):
    make_clinician(weekly=every_day("09:00", "09:30"), time_zone="America/New_York")

    london = slots(client, "tz=Europe/London")
    sydney = slots(client, "tz=Australia/Sydney")

    monday = [s for s in london if s["start"].startswith("2026-03-09")]
    assert monday == [{"clinician_id": monday[0]["clinician_id"], "start": "2026-03-09T13:00:00Z",
                       "end": "2026-03-09T13:15:00Z", "local_start": "2026-03-09T13:00:00+00:00",
                       "local_end": "2026-03-09T13:15:00+00:00"},
                      {**monday[0], "start": "2026-03-09T13:15:00Z", "end": "2026-03-09T13:30:00Z",
                       "local_start": "2026-03-09T13:15:00+00:00", "local_end": "2026-03-09T13:30:00+00:00"}]
    assert [s["start"] for s in sydney] == [s["start"] for s in london]
    assert next(s for s in sydney if s["start"] == "2026-03-09T13:00:00Z")["local_start"] == \
        "2026-03-10T00:00:00+11:00"
    assert all(s["local_start"].endswith("Z") is False for s in london)


def test_the_default_zone_is_utc(client, make_clinician, every_day):
    make_clinician(weekly=every_day("09:00", "09:15"), time_zone="Europe/London")
    first = client.get("/v1/slots").json
    assert first["tz"] == "UTC" and first["slots"][0]["local_start"] == "2026-03-05T09:00:00+00:00"


def test_slots_start_after_the_minimum_notice_and_stop_at_the_lookahead(client, make_clinician, every_day):
    make_clinician(weekly=every_day("00:00", "24:00"), time_zone="UTC")

    found = slots(client)

    assert found[0]["start"] == "2026-03-04T14:00:00Z"  # now 12:00 + 2 h notice
    assert found[-1]["start"] == "2026-03-11T12:00:00Z"  # now + 7 days: the booking service takes it too
    assert len(found) == 7 * 96 - 8 + 1


def test_slots_are_sorted_by_start_then_clinician(client, make_clinician, every_day):
    ids = sorted(make_clinician(weekly=every_day("14:00", "15:00"), time_zone="Europe/London") for _ in range(3))

    found = slots(client)

    keys = [(s["start"], s["clinician_id"]) for s in found]
    assert keys == sorted(keys)
    assert [s["clinician_id"] for s in found[:3]] == ids


def test_filters_narrow_slots_to_the_kind_of_help_sought(client, make_clinician, every_day):
    couples = make_clinician(weekly=every_day("09:00", "10:00"), modalities=["eft"], populations=["couples"],
                             languages=["en"])
    children = make_clinician(weekly=every_day("09:00", "10:00"), modalities=["ddp"], populations=["children"],
                              languages=["es"])

    assert {s["clinician_id"] for s in slots(client, "modality=eft")} == {couples}
    assert {s["clinician_id"] for s in slots(client, "population=children")} == {children}
    assert {s["clinician_id"] for s in slots(client, "language=es")} == {children}
    assert {s["clinician_id"] for s in slots(client, f"clinician_id={children}")} == {children}
    assert slots(client, f"clinician_id={children}&modality=eft") == []
    assert {s["clinician_id"] for s in slots(client)} == {couples, children}


def test_start_and_end_narrow_the_window_and_dates_mean_whole_days_in_tz(client, make_clinician, every_day):
    make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York")

    exact = slots(client, "start=2026-03-06T15:00:00Z&end=2026-03-06T16:00:00Z")
    offset = slots(client, "start=2026-03-06T10:00:00-05:00&end=2026-03-06T11:00:00-05:00")
    unencoded_plus = slots(client, "start=2026-03-06T15:00:00+00:00&end=2026-03-06T16:00:00+00:00")
    days = slots(client, "start=2026-03-06&end=2026-03-07&tz=America/New_York")

    assert [s["start"] for s in exact] == ["2026-03-06T15:00:00Z", "2026-03-06T15:15:00Z", "2026-03-06T15:30:00Z",
                                           "2026-03-06T15:45:00Z"]
    assert offset == exact == unencoded_plus
    assert local_days(days, NEW_YORK) == {"2026-03-06": 12, "2026-03-07": 12}


def test_overrides_and_time_off_shape_the_open_slots(client, make_clinician, every_day):
    clinician_id = make_clinician(
        weekly=every_day("09:00", "12:00"), time_zone="Europe/London",
        overrides=[{"date": "2026-03-06", "windows": [{"start": "15:00", "end": "15:30"}]},
                   {"date": "2026-03-07", "windows": []}],
        time_off=[{"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T10:00:00Z"}])

    days = local_days(slots(client, f"clinician_id={clinician_id}"), LONDON)

    assert days == {"2026-03-05": 12, "2026-03-06": 2, "2026-03-08": 12, "2026-03-10": 8, "2026-03-11": 12}


@pytest.mark.parametrize("query,status,field", [
    ("clinician_id=cln_nobody", 404, "clinician_id"),
    ("tz=Mars/Olympus_Mons", 422, "tz"),
    ("tz=EST", 422, "tz"),
    ("modality=hypnosis", 422, "modality"),
    ("population=pets", 422, "population"),
    ("start=2026-03-08T00:00:00Z&end=2026-03-07T00:00:00Z", 422, "start"),
    ("start=2026-03-08T00:00:00Z&end=2026-03-08T00:00:00Z", 422, "end"),
    ("start=2026-03-20T00:00:00Z", 422, "start"),
    ("start=2026-03-12&end=2026-03-14", 422, "start"),
    ("end=2026-03-01T00:00:00Z", 422, "end"),
    ("start=tomorrow", 422, "start"),
    ("start=2026-03-06T10:00:00", 422, "start"),
])
def test_a_query_the_service_cannot_answer_is_a_problem_naming_the_field(client, make_clinician, every_day,
                                                                        query, status, field):
    make_clinician(weekly=every_day("09:00", "12:00"))
    resp = client.get(f"/v1/slots?{query}")
    assert resp.status_code == status and resp.content_type == "application/problem+json"
    assert field in resp.json["errors"], resp.json


def test_a_new_schedule_is_seen_at_once_by_the_next_query(client, admin_headers, make_clinician, every_day):
    clinician_id = make_clinician(weekly=every_day("09:00", "12:00"))
    assert len(slots(client, f"clinician_id={clinician_id}")) == 84

    client.put(f"/v1/clinicians/{clinician_id}/schedule", json={"weekly": every_day("09:00", "10:00")},
               headers=admin_headers)
    assert len(slots(client, f"clinician_id={clinician_id}")) == 28
    client.patch(f"/v1/clinicians/{clinician_id}", json={"time_zone": "Asia/Tokyo"}, headers=admin_headers)
    assert slots(client, f"clinician_id={clinician_id}")[0]["start"] == "2026-03-05T00:00:00Z"  # 09:00 JST


def test_a_clinician_not_taking_new_clients_offers_no_consultation_slots(client, make_clinician, every_day):
    full = make_clinician(weekly=every_day("09:00", "12:00"), accepting_new_clients=False)
    taking = make_clinician(weekly=every_day("09:00", "12:00"))

    listed = {c["id"]: c["next_available"] for c in client.get("/v1/clinicians").json["clinicians"]}

    assert {s["clinician_id"] for s in slots(client)} == {taking}
    assert slots(client, f"clinician_id={full}") == []
    assert listed[full] is None and listed[taking] is not None


def test_practice_settings_set_the_window_and_are_shown_with_the_vocabularies(make_container, clock,
                                                                              admin_headers, every_day):
    from services.availability.entrypoints.flask_app import create_app

    client = create_app(make_container("availability", clock=clock, LOOKAHEAD_DAYS=14,
                                       MIN_NOTICE_MINUTES=30)).test_client()
    body = {"name": "Dr Lee", "email": "lee@example.org", "time_zone": "UTC", "modalities": ["mbt"],
            "populations": ["adults"], "languages": ["en"], "accepting_new_clients": True}
    clinician_id = client.post("/v1/clinicians", json=body, headers=admin_headers).json["id"]
    client.put(f"/v1/clinicians/{clinician_id}/schedule", json={"weekly": every_day("00:00", "24:00")},
               headers=admin_headers)

    found = slots(client)
    practice = client.get("/v1/practice").json

    assert (found[0]["start"], found[-1]["start"]) == ("2026-03-04T12:30:00Z", "2026-03-18T12:00:00Z")
    assert practice["lookahead_days"] == 14 and practice["min_notice_minutes"] == 30
    assert practice["slot_minutes"] == 15
    assert {"id": "eft", "label": "Emotionally Focused Therapy (EFT)"} in practice["modalities"]
    assert "adolescents" in practice["populations"]
