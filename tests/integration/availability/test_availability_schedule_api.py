"""Schedules over HTTP: set and read them, versions and availability.changed, refused input, OpenAPI."""
import pytest

pytestmark = pytest.mark.integration

SCHEDULE = {
    "weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"}, {"weekday": "mon", "start": "13:00", "end": "17:00"},
               {"weekday": "thu", "start": "16:00", "end": "24:00"}],
    "overrides": [{"date": "2026-03-09", "windows": [{"start": "10:00", "end": "11:00"}]},
                  {"date": "2026-03-12", "windows": []}],
    "time_off": [{"start": "2026-03-16T00:00:00+01:00", "end": "2026-03-20T00:00:00+01:00"}],
}


def test_put_saves_the_schedule_answers_it_with_a_version_and_get_returns_it(client, admin_headers, make_clinician):
    clinician_id = make_clinician(time_zone="Europe/London")

    put = client.put(f"/v1/clinicians/{clinician_id}/schedule", json=SCHEDULE, headers=admin_headers)
    got = client.get(f"/v1/clinicians/{clinician_id}/schedule")

    assert put.status_code == 200 and put.json["version"] == 1
    assert got.json == put.json
    assert got.json["time_zone"] == "Europe/London"
    assert got.json["weekly"] == SCHEDULE["weekly"] and got.json["overrides"] == SCHEDULE["overrides"]
    assert got.json["time_off"] == [{"start": "2026-03-15T23:00:00Z", "end": "2026-03-19T23:00:00Z"}]


def test_every_put_publishes_availability_changed_with_the_whole_schedule_and_a_rising_version(
        client, admin_headers, make_clinician, outbox_events):
    clinician_id = make_clinician(time_zone="Europe/London")

    for _ in range(3):
        assert client.put(f"/v1/clinicians/{clinician_id}/schedule", json=SCHEDULE, headers=admin_headers).status_code == 200

    events = outbox_events("availability.changed")
    assert [e["data"]["version"] for e in events] == [1, 2, 3]
    assert [e["sequence"] for e in events] == [2, 3, 4]  # after clinician.created, one subject
    data = events[-1]["data"]
    assert data["clinician_id"] == clinician_id and data["time_zone"] == "Europe/London"
    assert data["weekly"] == SCHEDULE["weekly"] and data["overrides"][1] == {"date": "2026-03-12", "windows": []}
    assert data["time_off"][0]["start"].startswith("2026-03-15T23:00:00")


def test_a_new_time_zone_moves_the_windows_so_it_publishes_a_new_schedule_version(
        client, admin_headers, make_clinician, outbox_events):
    clinician_id = make_clinician(weekly=SCHEDULE["weekly"], time_zone="Europe/London")

    client.patch(f"/v1/clinicians/{clinician_id}", json={"time_zone": "America/Chicago"}, headers=admin_headers)

    last = outbox_events("availability.changed")[-1]["data"]
    assert last["version"] == 2 and last["time_zone"] == "America/Chicago" and last["weekly"] == SCHEDULE["weekly"]
    assert client.get(f"/v1/clinicians/{clinician_id}/schedule").json["version"] == 2


@pytest.mark.parametrize("schedule,field", [
    ({"weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"},
                 {"weekday": "mon", "start": "09:10", "end": "10:00"}]}, "weekly.1.start"),
    ({"weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"},
                 {"weekday": "mon", "start": "11:00", "end": "13:00"}]}, "weekly.1.start"),
    ({"weekly": [{"weekday": "tue", "start": "14:00", "end": "13:00"}]}, "weekly.0.end"),
    ({"weekly": [{"weekday": "tue", "start": "9am", "end": "13:00"}]}, "weekly.0.start"),
    ({"weekly": [{"weekday": "someday", "start": "09:00", "end": "13:00"}]}, "weekly.0.weekday"),
    ({"weekly": [], "overrides": [{"date": "2026-02-30", "windows": []}]}, "overrides.0.date"),
    ({"weekly": [], "overrides": [{"date": "2026-03-09", "windows": [{"start": "10:00", "end": "10:20"}]}]},
     "overrides.0.windows.0.end"),
    ({"weekly": [], "time_off": [{"start": "2026-03-10T10:00:00Z", "end": "2026-03-10T09:00:00Z"}]},
     "time_off.0.end"),
    ({"weekly": [], "time_off": [{"start": "2026-03-10T10:00:00", "end": "2026-03-10T12:00:00Z"}]},
     "time_off.0.start"),
    ({"overrides": []}, "weekly"),
])
def test_a_bad_schedule_is_a_problem_naming_the_field_and_nothing_changes(
        client, admin_headers, make_clinician, outbox_events, schedule, field):
    clinician_id = make_clinician(weekly=SCHEDULE["weekly"])
    before = client.get(f"/v1/clinicians/{clinician_id}/schedule").json

    resp = client.put(f"/v1/clinicians/{clinician_id}/schedule", json=schedule, headers=admin_headers)

    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert field in resp.json["errors"], resp.json
    assert field in resp.json["detail"]
    assert client.get(f"/v1/clinicians/{clinician_id}/schedule").json == before
    assert [e["data"]["version"] for e in outbox_events("availability.changed")] == [1]


def test_a_schedule_for_an_unknown_clinician_is_a_404_and_saves_nothing(client, admin_headers, row_count):
    resp = client.put("/v1/clinicians/cln_nobody/schedule", json=SCHEDULE, headers=admin_headers)
    assert resp.status_code == 404 and resp.json["errors"] == {"clinician_id": ["no such clinician"]}
    assert row_count("schedules") == 0 and row_count("outbox") == 0


def test_setting_a_schedule_needs_the_admin(client, make_clinician, row_count):
    clinician_id = make_clinician()
    resp = client.put(f"/v1/clinicians/{clinician_id}/schedule", json=SCHEDULE)
    assert resp.status_code == 401 and row_count("schedules") == 0


def test_a_clinician_without_a_schedule_has_an_empty_one_at_version_zero(client, make_clinician):
    schedule = client.get(f"/v1/clinicians/{make_clinician()}/schedule").json
    assert schedule["version"] == 0 and schedule["weekly"] == [] and schedule["overrides"] == []


def test_the_openapi_document_lists_every_endpoint_with_its_methods(client):
    doc = client.get("/openapi.json")

    assert doc.status_code == 200
    paths = {path: set(ops) & {"get", "post", "put", "patch", "delete"} for path, ops in doc.json["paths"].items()}
    assert paths == {"/v1/health": {"get"}, "/v1/clinicians": {"get", "post"},
                     "/v1/clinicians/{clinician_id}": {"get", "patch"},
                     "/v1/clinicians/{clinician_id}/schedule": {"get", "put"}, "/v1/slots": {"get"},
                     "/v1/practice": {"get"}, "/v1/directory": {"get"},
                     "/$bulk-publish": {"get"}, "/$bulk-publish/{name}": {"get"},
                     "/v1/clinicians/{clinician_id}/calendar": {"get", "put", "delete"},
                     "/v1/clinicians/{clinician_id}/feed-key": {"post"},
                     "/v1/clinicians/{clinician_id}/feed.ics": {"get"},
                     "/v1/clinicians/{clinician_id}/schedule/preview": {"post"}}
    slot_params = {p["name"] for p in doc.json["paths"]["/v1/slots"]["get"]["parameters"]}
    assert {"clinician_id", "modality", "population", "language", "start", "end", "tz"} <= slot_params
    assert "ClinicianIn" in doc.json["components"]["schemas"]


def test_the_relay_publishes_the_schedule_events_to_the_exchange_in_order(
        container, client, admin_headers, make_clinician, amqp_url):
    from kombu import Connection, Queue

    from shared.events import parse
    from shared.messaging.publisher import ConfirmingPublisher
    from shared.messaging.relay import OutboxRelay, drain
    from shared.messaging.topology import events_exchange

    exchange = events_exchange(container.settings.exchange)
    with Connection(amqp_url) as conn:
        queue = Queue(f"{container.settings.exchange}.probe", exchange, routing_key="availability.changed",
                      exclusive=True)(conn.channel())
        queue.declare()
        clinician_id = make_clinician(weekly=SCHEDULE["weekly"])
        client.put(f"/v1/clinicians/{clinician_id}/schedule", json={"weekly": []}, headers=admin_headers)
        publisher = ConfirmingPublisher(amqp_url, container.settings.exchange)
        drain(OutboxRelay(container.db, container.tables["outbox"], publisher))
        publisher.close()
        bodies = [message.body for message in iter(lambda: queue.get(no_ack=True), None)]

    events = [parse(body) for body in bodies]
    assert [data["version"] for _, data in events] == [1, 2]
    assert events[1][1]["weekly"] == [] and events[0][0]["subject"] == clinician_id
