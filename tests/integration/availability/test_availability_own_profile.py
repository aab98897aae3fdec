"""A clinician edits their own directory entry's self-service fields; the rest stays the practice's to set."""
from __future__ import annotations

import pytest

from tests.integration.availability.conftest import NOW
from tests.support.staff_tokens import KEY, Staff, audit_entries

PHONE = {"method": "phone"}


@pytest.fixture
def container(make_container, clock):
    return make_container("availability", clock=clock, ATTUNE_SECRET_KEY=KEY)


@pytest.fixture
def ada(make_clinician):
    return make_clinician(name="Dr Ada Byron", max_per_day=5, call={"method": "video"})


@pytest.fixture
def as_ada(ada):
    return Staff(NOW).headers("clinician", ada, account_id="ac_ada")


def test_a_clinician_changes_their_own_bio_call_and_accepting_and_the_change_is_public_and_audited(
        client, container, outbox_events, ada, as_ada):
    change = {"bio": "Couples work, in English.", "call": PHONE, "accepting_new_clients": False,
              "credentials": "LMFT", "languages": ["en", "es"]}

    resp = client.patch(f"/v1/clinicians/{ada}", json=change, headers=as_ada)

    assert resp.status_code == 200, resp.json
    shown = client.get(f"/v1/clinicians/{ada}").json
    assert {k: shown[k] for k in change} == change
    assert (shown["name"], shown["max_per_day"]) == ("Dr Ada Byron", 5)
    assert outbox_events("clinician.updated")[-1]["data"]["accepting_new_clients"] is False
    assert [(e["data"]["action"], e["data"]["subject"], e["data"]["role"]) for e in audit_entries(container)
            if e["data"]["account_id"] == "ac_ada"] == [("clinician.updated", ada, "clinician")]


@pytest.mark.parametrize("field, value", [("name", "Dr Ada Lovelace"), ("max_per_day", 12), ("active", False)])
def test_a_clinician_is_refused_a_field_the_practice_sets_with_that_field_named_and_nothing_changes(
        client, outbox_events, ada, as_ada, field, value):
    before = client.get(f"/v1/clinicians/{ada}", headers=as_ada).json

    resp = client.patch(f"/v1/clinicians/{ada}", json={"bio": "Changed.", field: value}, headers=as_ada)

    assert resp.status_code == 403 and resp.content_type == "application/problem+json"
    assert list(resp.json["errors"]) == [field]
    assert "staff" in resp.json["errors"][field][0]
    assert client.get(f"/v1/clinicians/{ada}", headers=as_ada).json == before
    assert outbox_events("clinician.updated") == []


def test_every_field_the_practice_sets_is_named_at_once_before_the_body_is_validated(client, ada, as_ada):
    resp = client.patch(f"/v1/clinicians/{ada}", headers=as_ada,
                        json={"time_zone": "Not/AZone", "email": "not an email", "bio": "x" * 5000})

    assert resp.status_code == 403
    assert sorted(resp.json["errors"]) == ["email", "time_zone"]


def test_a_clinicians_own_bad_input_is_the_usual_422_at_its_field(client, ada, as_ada):
    resp = client.patch(f"/v1/clinicians/{ada}", json={"call": {"method": "phone", "video_url": "https://x.test"},
                                                       "languages": ["not a language"]}, headers=as_ada)
    unknown = client.patch(f"/v1/clinicians/{ada}", json={"favourite_colour": "teal"}, headers=as_ada)
    broken = client.patch(f"/v1/clinicians/{ada}", data="{not json", content_type="application/json", headers=as_ada)

    assert resp.status_code == 422 and {"call.video_url", "languages.0"} <= set(resp.json["errors"])
    assert unknown.status_code == 422 and "favourite_colour" in unknown.json["errors"]
    assert broken.status_code in (400, 422) and broken.content_type == "application/problem+json"


def test_a_clinician_changes_nothing_of_another_clinicians_profile(client, outbox_events, make_clinician, as_ada):
    other = make_clinician(name="Dr Bo Other")

    resp = client.patch(f"/v1/clinicians/{other}", json={"bio": "Not mine."}, headers=as_ada)

    assert resp.status_code == 403 and resp.content_type == "application/problem+json"
    assert "errors" not in resp.json
    assert client.get(f"/v1/clinicians/{other}").json["bio"] is None
    assert outbox_events("clinician.updated") == []


def test_staff_still_change_every_field_of_a_clinician(client, ada):
    staff = Staff(NOW).headers("staff")

    resp = client.patch(f"/v1/clinicians/{ada}", json={"name": "Dr Ada King", "max_per_day": 3, "bio": "Hi."},
                        headers=staff)

    assert resp.status_code == 200
    assert (resp.json["name"], resp.json["max_per_day"], resp.json["bio"]) == ("Dr Ada King", 3, "Hi.")
