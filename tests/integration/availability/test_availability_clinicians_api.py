"""The directory over HTTP on a real database: create, read, filter, change, deactivate, and their events."""
import pytest

pytestmark = pytest.mark.integration

BODY = {"name": "Dr Ada Byron", "email": "ada@example.org", "time_zone": "Europe/London",
        "modalities": ["eft", "attachment_focused"], "populations": ["couples", "adults"], "languages": ["en", "fr"],
        "accepting_new_clients": True, "credentials": "PhD, LMFT", "bio": "Couples and attachment."}


def test_the_admin_creates_a_clinician_and_clinician_created_carries_the_email(client, admin_headers, outbox_events):
    resp = client.post("/v1/clinicians", json=BODY, headers=admin_headers)

    assert resp.status_code == 201
    assert resp.json["id"] and resp.json["email"] == "ada@example.org"
    assert resp.json["modality_labels"] == ["Emotionally Focused Therapy (EFT)", "Attachment-focused therapy"]
    [event] = outbox_events("clinician.created")
    assert event["subject"] == resp.json["id"] and event["sequence"] == 1
    assert event["data"]["email"] == "ada@example.org" and event["data"]["credentials"] == "PhD, LMFT"


def test_public_reads_never_show_the_email_but_the_admin_sees_it(client, admin_headers):
    clinician_id = client.post("/v1/clinicians", json=BODY, headers=admin_headers).json["id"]

    public = client.get(f"/v1/clinicians/{clinician_id}")
    listed = client.get("/v1/clinicians").json["clinicians"]
    admin = client.get(f"/v1/clinicians/{clinician_id}", headers=admin_headers)

    assert public.status_code == 200 and "email" not in public.json
    assert public.json["name"] == "Dr Ada Byron" and public.json["next_available"] is None
    assert [c["id"] for c in listed] == [clinician_id] and "email" not in listed[0]
    assert admin.json["email"] == "ada@example.org"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}])
def test_writes_without_the_admin_credential_are_refused_and_save_nothing(client, headers, outbox_events, row_count):
    resp = client.post("/v1/clinicians", json=BODY, headers=headers)

    assert resp.status_code == 401 and resp.content_type == "application/problem+json"
    assert row_count("clinicians") == 0 and outbox_events() == []


@pytest.mark.parametrize("change,field", [
    ({"modalities": ["eft", "hypnosis"]}, "modalities.1"),
    ({"populations": ["pets"]}, "populations.0"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"time_zone": "EST"}, "time_zone"),
    ({"languages": ["english!"]}, "languages.0"),
    ({"email": "not-an-email"}, "email"),
    ({"name": ""}, "name"),
    ({"accepting_new_clients": "perhaps"}, "accepting_new_clients"),
    ({"favourite_colour": "teal"}, "favourite_colour"),
])
def test_bad_clinician_input_answers_problem_json_naming_the_field_and_saves_nothing(
        client, admin_headers, change, field, row_count, outbox_events):
    resp = client.post("/v1/clinicians", json={**BODY, **change}, headers=admin_headers)

    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert field in resp.json["errors"]
    assert resp.json["status"] == 422 and resp.json["title"] and resp.json["type"]
    assert row_count("clinicians") == 0 and outbox_events() == []


def test_a_missing_required_field_is_named(client, admin_headers):
    body = {k: v for k, v in BODY.items() if k != "time_zone"}
    resp = client.post("/v1/clinicians", json=body, headers=admin_headers)
    assert resp.status_code == 422 and "time_zone" in resp.json["errors"]


def test_the_directory_filters_by_modality_population_language_and_accepting(client, make_clinician):
    eft = make_clinician(modalities=["eft"], populations=["couples"], languages=["en-GB"])
    ddp = make_clinician(modalities=["ddp"], populations=["children", "parents"], languages=["es"])
    closed = make_clinician(modalities=["eft", "mbt"], populations=["adults"], languages=["en"],
                            accepting_new_clients=False)

    def ids(query):
        resp = client.get(f"/v1/clinicians?{query}")
        assert resp.status_code == 200
        return {c["id"] for c in resp.json["clinicians"]}

    assert ids("") == {eft, ddp, closed}
    assert ids("modality=eft") == {eft, closed}
    assert ids("population=parents") == {ddp}
    assert ids("language=en") == {eft, closed}
    assert ids("accepting=false") == {closed}
    assert ids("modality=eft&accepting=true&language=en") == {eft}


@pytest.mark.parametrize("query,field", [("modality=hypnosis", "modality"), ("population=pets", "population"),
                                         ("accepting=perhaps", "accepting"), ("language=%21%21", "language")])
def test_an_unknown_filter_value_is_a_problem_naming_the_parameter(client, query, field):
    resp = client.get(f"/v1/clinicians?{query}")
    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert field in resp.json["errors"]


def test_an_unknown_clinician_is_a_404_problem(client, admin_headers):
    for resp in (client.get("/v1/clinicians/cln_nobody"),
                 client.patch("/v1/clinicians/cln_nobody", json={"name": "X"}, headers=admin_headers),
                 client.get("/v1/clinicians/cln_nobody/schedule")):
        assert resp.status_code == 404 and resp.content_type == "application/problem+json"
        assert "clinician_id" in resp.json["errors"]


def test_patch_changes_only_the_given_fields_and_publishes_clinician_updated(
        client, admin_headers, make_clinician, outbox_events):
    clinician_id = make_clinician()

    resp = client.patch(f"/v1/clinicians/{clinician_id}", json={"accepting_new_clients": False,
                                                                 "bio": "Now full."}, headers=admin_headers)

    assert resp.status_code == 200
    assert resp.json["accepting_new_clients"] is False and resp.json["bio"] == "Now full."
    assert resp.json["name"] == "Dr Ada Byron"
    [event] = outbox_events("clinician.updated")
    assert event["sequence"] == 2 and event["data"]["accepting_new_clients"] is False


def test_a_patch_that_changes_nothing_publishes_nothing(client, admin_headers, make_clinician, outbox_events):
    clinician_id = make_clinician()
    resp = client.patch(f"/v1/clinicians/{clinician_id}", json={"name": "Dr Ada Byron"}, headers=admin_headers)
    assert resp.status_code == 200 and outbox_events("clinician.updated") == []


def test_a_bad_patch_is_named_and_changes_nothing(client, admin_headers, make_clinician, outbox_events):
    clinician_id = make_clinician()
    resp = client.patch(f"/v1/clinicians/{clinician_id}", json={"name": "Eve", "time_zone": "Nowhere/City"},
                        headers=admin_headers)
    assert resp.status_code == 422 and list(resp.json["errors"]) == ["time_zone"]
    assert client.get(f"/v1/clinicians/{clinician_id}").json["name"] == "Dr Ada Byron"
    assert outbox_events("clinician.updated") == []


def test_a_deactivated_clinician_leaves_public_reads_and_slots_but_not_the_admins_view(
        client, admin_headers, make_clinician, every_day, outbox_events):
    clinician_id = make_clinician(weekly=every_day("09:00", "17:00"))
    assert client.get(f"/v1/slots?clinician_id={clinician_id}").json["slots"]

    resp = client.patch(f"/v1/clinicians/{clinician_id}", json={"active": False}, headers=admin_headers)

    assert resp.status_code == 200 and resp.json["active"] is False
    assert client.get("/v1/clinicians").json["clinicians"] == []
    assert client.get("/v1/slots").json["slots"] == []
    assert client.get(f"/v1/clinicians/{clinician_id}").status_code == 404
    assert client.get(f"/v1/slots?clinician_id={clinician_id}").status_code == 404
    assert client.get(f"/v1/clinicians/{clinician_id}", headers=admin_headers).json["active"] is False
    assert outbox_events("clinician.updated")[-1]["data"]["active"] is False


def test_the_directory_shows_each_clinicians_next_open_slot(client, make_clinician, every_day):
    morning = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="Europe/London")
    idle = make_clinician()

    listed = {c["id"]: c for c in client.get("/v1/clinicians").json["clinicians"]}

    # the frozen clock says Wednesday 12:00 UTC; two hours' notice: London's mornings start tomorrow
    assert listed[morning]["next_available"] == "2026-03-05T09:00:00Z"
    assert listed[idle]["next_available"] is None
    assert client.get(f"/v1/clinicians/{morning}").json["next_available"] == "2026-03-05T09:00:00Z"


@pytest.mark.parametrize("method, path", [("get", "/v1/clinicians/%00"), ("patch", "/v1/clinicians/a%00b"),
                                          ("get", "/v1/clinicians/%00/schedule")])
def test_a_nul_character_in_an_id_is_the_clients_error_on_every_database(client, admin_headers, method, path):
    resp = getattr(client, method)(path, headers=admin_headers, **({"json": {}} if method == "patch" else {}))

    assert resp.status_code in (404, 422) and resp.mimetype == "application/problem+json", resp.data
