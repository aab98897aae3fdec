"""Issue 15 over HTTP: a clinician's call method, daily cap and buffer are saved, shown, validated and published."""
import pytest

pytestmark = pytest.mark.integration

BODY = {"name": "Dr Ada Byron", "email": "ada@example.org", "time_zone": "Europe/London",
        "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True}


def test_call_cap_and_buffer_are_saved_published_and_shown(client, admin_headers, outbox_events):
    body = {**BODY, "call": {"method": "video", "video_url": "https://meet.example.org/ada"},
            "max_per_day": 3, "buffer_minutes": 15}
    resp = client.post("/v1/clinicians", json=body, headers=admin_headers)

    assert resp.status_code == 201, resp.json
    assert resp.json["call"] == {"method": "video", "video_url": "https://meet.example.org/ada"}
    assert (resp.json["max_per_day"], resp.json["buffer_minutes"]) == (3, 15)
    [event] = outbox_events("clinician.created")
    assert event["data"]["call"]["video_url"] == "https://meet.example.org/ada"
    assert (event["data"]["max_per_day"], event["data"]["buffer_minutes"]) == (3, 15)
    public = client.get(f"/v1/clinicians/{resp.json['id']}").json
    assert public["call"] == {"method": "video"}  # the standing room link is for booked clients only
    staff = client.get(f"/v1/clinicians/{resp.json['id']}", headers=admin_headers).json
    assert staff["call"]["video_url"] == "https://meet.example.org/ada" and staff["max_per_day"] == 3


def test_a_clinician_without_a_call_method_takes_video_calls_and_patch_moves_to_phone(client, admin_headers,
                                                                                   outbox_events):
    created = client.post("/v1/clinicians", json=BODY, headers=admin_headers).json
    assert created["call"] == {"method": "video"} and created["max_per_day"] is None

    resp = client.patch(f"/v1/clinicians/{created['id']}", headers=admin_headers,
                        json={"call": {"method": "phone"}, "buffer_minutes": 10})

    assert resp.status_code == 200 and resp.json["call"] == {"method": "phone"}
    updated = outbox_events("clinician.updated")[-1]["data"]
    assert updated["call"]["method"] == "phone" and not updated["call"].get("video_url")
    assert updated["buffer_minutes"] == 10
    cleared = client.patch(f"/v1/clinicians/{created['id']}", headers=admin_headers, json={"buffer_minutes": None})
    assert cleared.json["buffer_minutes"] is None


@pytest.mark.parametrize("change,field", [
    ({"call": {"method": "pigeon"}}, "call.method"),
    ({"call": {"video_url": "https://x.example"}}, "call.method"),
    ({"call": {"method": "video", "video_url": "http://meet.example.org/a"}}, "call.video_url"),
    ({"call": {"method": "phone", "video_url": "https://meet.example.org/a"}}, "call.video_url"),
    ({"max_per_day": 0}, "max_per_day"),
    ({"buffer_minutes": 7}, "buffer_minutes"),
    ({"buffer_minutes": 125}, "buffer_minutes"),
])
def test_bad_call_cap_or_buffer_is_refused_naming_the_field(client, admin_headers, change, field, row_count):
    resp = client.post("/v1/clinicians", json={**BODY, **change}, headers=admin_headers)

    assert resp.status_code == 422 and field in resp.json["errors"], resp.json
    assert row_count("clinicians") == 0
