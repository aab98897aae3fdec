"""A practice with its own taxonomy (ATTUNE_TAXONOMY: CBT, IFS, Gottman) changes no code: the API takes its codes."""
import pytest

pytestmark = pytest.mark.integration

TAXONOMY = """
modalities:
  - {code: cbt, label: Cognitive Behavioural Therapy (CBT)}
  - {code: ifs, label: Internal Family Systems (IFS)}
  - {code: gottman, label: Gottman Method Couples Therapy}
populations:
  - {code: individuals, label: Individuals}
  - {code: couples, label: Couples}
"""


@pytest.fixture
def client(make_container, clock, tmp_path):
    from services.availability.entrypoints.flask_app import create_app

    path = tmp_path / "taxonomy.yaml"
    path.write_text(TAXONOMY)
    return create_app(make_container("availability", clock=clock, ATTUNE_TAXONOMY=str(path))).test_client()


BODY = {"name": "Dr Ida Fisher", "email": "ida@example.org", "time_zone": "Europe/London", "languages": ["en"],
        "accepting_new_clients": True}


def test_clinicians_take_the_practices_codes_and_show_its_labels(client, admin_headers):
    resp = client.post("/v1/clinicians", headers=admin_headers,
                       json={**BODY, "modalities": ["ifs", "gottman"], "populations": ["couples", "individuals"]})

    assert resp.status_code == 201, resp.json
    assert resp.json["modality_labels"] == ["Internal Family Systems (IFS)", "Gottman Method Couples Therapy"]
    assert client.get("/v1/directory?modality=gottman&population=individuals").status_code == 200


def test_the_seeds_codes_are_refused_where_the_practice_does_not_offer_them(client, admin_headers):
    resp = client.post("/v1/clinicians", headers=admin_headers,
                       json={**BODY, "modalities": ["eft"], "populations": ["adults"]})

    assert resp.status_code == 422
    assert set(resp.json["errors"]) == {"modalities.0", "populations.0"}
    assert "cbt, ifs, gottman" in resp.json["errors"]["modalities.0"][0]
    assert client.get("/v1/slots?modality=eft").status_code == 422


def test_the_practice_endpoint_lists_the_practices_own_vocabulary(client):
    practice = client.get("/v1/practice").json

    assert [m["id"] for m in practice["modalities"]] == ["cbt", "ifs", "gottman"]
    assert practice["populations"] == ["individuals", "couples"]
    assert practice["population_labels"][0] == {"id": "individuals", "label": "Individuals"}


def test_the_directory_and_the_published_schedules_show_the_practices_labels(client, admin_headers):
    from fhir.resources.R4B.schedule import Schedule

    made = client.post("/v1/clinicians", headers=admin_headers,
                       json={**BODY, "modalities": ["cbt"], "populations": ["individuals"]}).json
    week = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    assert client.put(f"/v1/clinicians/{made['id']}/schedule", headers=admin_headers,
                      json={"weekly": week, "overrides": [], "time_off": []}).status_code == 200

    [entry] = client.get("/v1/directory?modality=cbt").json["clinicians"]
    manifest = client.get("/$bulk-publish").json
    [schedule_file] = [o["url"] for o in manifest["output"] if o["type"] == "Schedule"]
    path = schedule_file.split("://", 1)[1].split("/", 1)[1]
    [line] = client.get("/" + path).get_data(as_text=True).splitlines()
    schedule = Schedule.model_validate_json(line)

    assert entry["modality_labels"] == ["Cognitive Behavioural Therapy (CBT)"]
    assert [s.text for s in schedule.specialty] == ["Cognitive Behavioural Therapy (CBT)"]
