"""Every service refuses alike: one problem `type` scheme, one time zone wording, one rule for names and addresses."""
from __future__ import annotations

import importlib

import pytest

from shared.validation import ZONE_ERROR

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer test-admin-Vq8xK2pLm9RzW4nY7c"}
BASE = "https://attune.dev/problems/"


def client(make_container, service: str):
    app = importlib.import_module(f"services.{service}.entrypoints.flask_app").create_app(make_container(service))
    return app.test_client()


def test_invalid_input_unauthorised_and_unknown_read_the_same_type_in_every_service(make_container):
    availability, booking, notifications = (client(make_container, s)
                                            for s in ("availability", "booking", "notifications"))

    invalid = [availability.post("/v1/clinicians", json={"name": ""}, headers=ADMIN),
               booking.post("/v1/holds", json={"clinician_id": ""}),
               notifications.post("/v1/webhooks", json={"url": "ftp://x", "events": []}, headers=ADMIN),
               notifications.post("/v1/webhooks", json={"url": "https://example.com/h", "events": ["nope.*"]},
                                  headers=ADMIN)]
    unauthorised = [availability.post("/v1/clinicians", json={}), booking.get("/v1/events"),
                    notifications.get("/v1/webhooks")]
    missing = [availability.get("/v1/clinicians/nope"), booking.get("/v1/bookings/nope", headers=ADMIN),
               notifications.get("/v1/webhooks/nope/deliveries", headers=ADMIN)]

    assert {(r.status_code, r.json["type"]) for r in invalid} == {(422, BASE + "invalid-input")}
    assert {(r.status_code, r.json["type"]) for r in unauthorised} == {(401, BASE + "unauthorized")}
    assert {r.status_code for r in missing} == {404}
    assert all(r.json["type"].startswith(BASE) and not r.json["type"][len(BASE):].isdigit() for r in missing)


def test_a_time_zone_that_is_none_reads_the_same_in_every_service_that_takes_one(make_container):
    availability, booking = client(make_container, "availability"), client(make_container, "booking")

    slots = availability.get("/v1/slots?tz=America")
    asked = booking.post("/v1/contact-requests", json={
        "name": "Sam", "email": "sam@example.org", "time_zone": "Mars/Olympus", "consent": True,
        "preferred_times": [{"weekday": "mon", "start": "09:00", "end": "10:00"}]})
    day = booking.get("/v1/bookings?clinician_id=c&date=2026-03-02&tz=EST", headers=ADMIN)

    assert slots.json["errors"]["tz"] == [ZONE_ERROR]
    assert asked.json["errors"]["time_zone"] == [ZONE_ERROR]
    assert day.json["errors"]["tz"] == [ZONE_ERROR]


def test_a_clinician_needs_a_real_name_and_an_address_the_mailer_can_write(make_container):
    availability = client(make_container, "availability")
    good = {"name": "Dr Ada Winter", "email": "ada@clinic.test", "time_zone": "Europe/Berlin", "modalities": ["eft"],
            "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True}

    blank = availability.post("/v1/clinicians", json={**good, "name": "   "}, headers=ADMIN)
    unmailable = availability.post("/v1/clinicians", json={**good, "email": '"a\u000bb"@clinic.test'}, headers=ADMIN)
    made = availability.post("/v1/clinicians", json=good, headers=ADMIN)
    renamed = availability.patch(f"/v1/clinicians/{made.json['id']}", json={"name": " "}, headers=ADMIN)

    assert blank.status_code == 422 and "name" in blank.json["errors"]
    assert unmailable.status_code == 422 and "email" in unmailable.json["errors"]
    assert made.status_code == 201 and renamed.status_code == 422 and "name" in renamed.json["errors"]
