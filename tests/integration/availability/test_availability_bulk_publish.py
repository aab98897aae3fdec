"""SMART Scheduling Links: the $bulk-publish manifest and its NDJSON files, every resource valid FHIR R4 (R4B models)."""
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from services.availability.service_layer import projection

pytestmark = pytest.mark.integration
MODELS = {"Location": Location, "Schedule": Schedule, "Slot": Slot}
EXT = "http://fhir-registry.smarthealthit.org/StructureDefinition/"
PUBLIC = "https://slots.example.org"


@pytest.fixture
def container(make_container, clock):
    return make_container("availability", clock=clock, PRACTICE_NAME="Harbour Therapy", PRACTICE_PHONE="+1 617 555 0100",
                          PRACTICE_ADDRESS="12 Harbour St, Boston, MA 02110", AVAILABILITY_PUBLIC_URL=PUBLIC,
                          BOOKING_PUBLIC_URL="https://book.example.org")


def book(container, clinician_id, booking_id, start, status="confirmed", sequence=1):
    event = {"type": {"held": "booking.held", "confirmed": "booking.confirmed"}[status], "sequence": sequence}
    data = {"booking_id": booking_id, "clinician_id": clinician_id, "start": start,
            "end": start + timedelta(minutes=15), "status": status, "expires_at": start}
    with container.db.write() as session:
        projection.apply_booking_event(session, event, data, container.clock)


def fetch(client, url, **headers):
    assert url.startswith(PUBLIC)
    return client.get(url[len(PUBLIC):], headers=headers)


def published(client, manifest) -> dict[str, list[dict]]:
    """Every resource of every file the manifest lists, by type, each validated by its FHIR model."""
    found = {"Location": [], "Schedule": [], "Slot": []}
    for item in manifest["output"]:
        resp = fetch(client, item["url"])
        assert resp.status_code == 200 and resp.mimetype == "application/fhir+ndjson"
        for line in resp.get_data(as_text=True).splitlines():
            resource = json.loads(line)
            assert resource["resourceType"] == item["type"]
            MODELS[item["type"]].model_validate(resource)
            found[item["type"]].append(resource)
    return found


def test_the_manifest_lists_location_schedule_and_a_slot_file_per_day_all_valid_fhir(
        client, make_clinician, every_day, container):
    ada = make_clinician(name="Dr Ada", weekly=every_day("14:00", "15:00"), time_zone="UTC", modalities=["eft", "mbt"])
    make_clinician(name="Closed", weekly=every_day("14:00", "15:00"), time_zone="UTC", accepting_new_clients=False)
    book(container, ada, "bk_1", datetime(2026, 3, 5, 14, 15, tzinfo=UTC))
    book(container, ada, "bk_2", datetime(2026, 3, 5, 14, 30, tzinfo=UTC), status="held")

    resp = client.get("/$bulk-publish")
    manifest = resp.json

    assert resp.status_code == 200 and manifest["request"] == f"{PUBLIC}/$bulk-publish"
    assert manifest["transactionTime"] == "2026-03-04T12:00:00Z"
    assert [o["type"] for o in manifest["output"]] == ["Location", "Schedule"] + ["Slot"] * 8  # 4 to 11 March
    found = published(client, manifest)
    [location] = found["Location"]
    assert location["name"] == "Harbour Therapy" and location["telecom"] == [{"system": "phone",
                                                                             "value": "+1 617 555 0100"}]
    assert location["address"]["line"] == ["12 Harbour St", "Boston", "MA 02110"]
    [schedule] = found["Schedule"]
    assert schedule["id"] == ada.replace("_", "-") and schedule["actor"][0] == {"reference": "Location/practice"}
    assert schedule["serviceType"][0]["text"] == "consultation"
    assert [s["coding"][0]["code"] for s in schedule["specialty"]] == ["eft", "mbt"]

    slots = found["Slot"]
    assert len(slots) == 7 * 4 and len({s["id"] for s in slots}) == len(slots)
    assert all(s["schedule"] == {"reference": f"Schedule/{schedule['id']}"} for s in slots)
    by_start = {s["start"]: s for s in slots}
    assert by_start["2026-03-05T14:15:00Z"]["status"] == "busy" and by_start["2026-03-05T14:30:00Z"]["status"] == "busy"
    assert "extension" not in by_start["2026-03-05T14:15:00Z"]
    free = by_start["2026-03-05T14:00:00Z"]
    assert free["status"] == "free" and free["end"] == "2026-03-05T14:15:00Z"
    link = next(e["valueUrl"] for e in free["extension"] if e["url"] == EXT + "booking-deep-link")
    assert link.startswith("https://book.example.org/?")
    assert parse_qs(urlsplit(link).query) == {"clinician": [ada], "start": ["2026-03-05T14:00:00Z"]}
    assert {"url": EXT + "booking-phone", "valueString": "+1 617 555 0100"} in free["extension"]


def test_without_practice_phone_slots_carry_no_booking_phone(make_container, clock, admin_headers, every_day):
    from services.availability.entrypoints.flask_app import create_app

    client = create_app(make_container("availability", clock=clock)).test_client()
    body = {"name": "Dr Lee", "email": "lee@example.org", "time_zone": "UTC", "modalities": [],
            "populations": ["adults"], "languages": ["en"], "accepting_new_clients": True}
    clinician_id = client.post("/v1/clinicians", json=body, headers=admin_headers).json["id"]
    client.put(f"/v1/clinicians/{clinician_id}/schedule", json={"weekly": every_day("14:00", "14:30")},
               headers=admin_headers)

    found = published_local(client)

    assert "telecom" not in found["Location"][0] and "specialty" not in found["Schedule"][0]
    assert found["Slot"] and all([e["url"] for e in s["extension"]] == [EXT + "booking-deep-link"]
                                 for s in found["Slot"])


def published_local(client):
    manifest = client.get("/$bulk-publish").json
    found = {"Location": [], "Schedule": [], "Slot": []}
    for item in manifest["output"]:
        text = client.get(urlsplit(item["url"]).path).get_data(as_text=True)
        for line in text.splitlines():
            resource = json.loads(line)
            MODELS[resource["resourceType"]].model_validate(resource)
            found[resource["resourceType"]].append(resource)
    return found


def test_files_answer_304_while_nothing_changes_and_change_within_a_minute_of_a_slot_being_taken(
        client, make_clinician, every_day, container, clock):
    ada = make_clinician(weekly=every_day("14:00", "15:00"), time_zone="UTC")
    url = "/$bulk-publish/slots-2026-03-05.ndjson"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/$bulk-publish", headers={"If-None-Match": client.get("/$bulk-publish").headers["ETag"]}
                      ).status_code == 304

    clock.advance(seconds=30)
    book(container, ada, "bk_1", datetime(2026, 3, 5, 14, 0, tzinfo=UTC))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # rebuilt at most once a minute
    clock.advance(seconds=31)
    changed = client.get(url, headers={"If-None-Match": etag})

    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert '"start":"2026-03-05T14:00:00Z","end":"2026-03-05T14:15:00Z","status":"busy"' in changed.get_data(True)
    assert first.headers["Cache-Control"] == "public, max-age=60"


def test_since_returns_only_the_clinicians_changed_since_and_the_slots_that_entered_the_window(
        client, make_clinician, every_day, container, clock):
    quiet = make_clinician(name="Quiet", weekly=every_day("14:00", "15:00"), time_zone="UTC")
    busy = make_clinician(name="Busy", weekly=every_day("14:00", "15:00"), time_zone="UTC")
    clock.advance(minutes=5)
    book(container, busy, "bk_1", datetime(2026, 3, 6, 14, 0, tzinfo=UTC))

    manifest = client.get("/$bulk-publish?_since=2026-03-04T12:00:01Z").json
    day = client.get("/$bulk-publish/slots-2026-03-06.ndjson?_since=2026-03-04T12:00:01Z").get_data(True)
    schedules = client.get("/$bulk-publish/schedules.ndjson?since=2026-03-04T12:00:01Z").get_data(True)

    assert all(o["url"].endswith("?_since=2026-03-04T12%3A00%3A01Z") for o in manifest["output"])
    assert {json.loads(line)["schedule"]["reference"] for line in day.splitlines()} == {
        f"Schedule/{busy.replace('_', '-')}"}
    assert [json.loads(line)["id"] for line in schedules.splitlines()] == [busy.replace("_", "-")]
    assert quiet.replace("_", "-") not in day


def test_unknown_files_and_malformed_since_are_refused(client):
    assert client.get("/$bulk-publish/slots-2020-01-01.ndjson").status_code == 404
    assert client.get("/$bulk-publish/slots-2026-13-45.ndjson").status_code == 404
    assert client.get("/$bulk-publish/secrets.ndjson").status_code == 404
    bad = client.get("/$bulk-publish?_since=yesterday")
    assert bad.status_code == 422 and "_since" in bad.json["errors"]


def test_since_also_brings_the_slots_that_entered_the_window_of_unchanged_clinicians(
        client, make_clinician, every_day, clock):
    quiet = make_clinician(weekly=every_day("11:00", "13:00"), time_zone="UTC").replace("_", "-")
    clock.advance(minutes=20)  # the week now ends 2026-03-11T12:20Z

    later = client.get("/$bulk-publish/slots-2026-03-11.ndjson?_since=2026-03-04T12:00:01Z").get_data(True)
    whole = client.get("/$bulk-publish/slots-2026-03-11.ndjson").get_data(True)

    assert [json.loads(line)["start"] for line in later.splitlines()] == ["2026-03-11T12:15:00Z"]
    assert len(whole.splitlines()) == 6 and quiet in whole
