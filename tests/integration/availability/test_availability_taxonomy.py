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
