"""Availability enforces the staff roles on the same Bearer token as every service, and audits changes."""
from __future__ import annotations

import json

import pytest

from tests.integration.availability.conftest import NOW
from tests.support.staff_tokens import KEY, Staff, audit_entries, bearer, deactivate, revoke

SCHEDULE = {"weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"}], "overrides": [], "time_off": []}
CLINICIAN = {"name": "Dr Bea Hart", "email": "bea@clinic.test", "time_zone": "Europe/Berlin", "modalities": ["eft"],
             "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True}


@pytest.fixture
def container(make_container, clock):
    return make_container("availability", clock=clock, ATTUNE_SECRET_KEY=KEY)


@pytest.fixture
def staff():
    return Staff(NOW)


@pytest.fixture
def two(client, admin_headers):
    """Two clinicians, A and B, made with the owner token."""
    ids = []
    for name in ("A", "B"):
        resp = client.post("/v1/clinicians", json={**CLINICIAN, "name": f"Dr {name}"}, headers=admin_headers)
        assert resp.status_code == 201
        ids.append(resp.json["id"])
    return ids


def test_staff_create_and_change_clinicians_and_each_change_is_audited_without_the_callers_secrets(
        client, container, staff):
    token = staff.token("staff", account_id="ac_front")

    made = client.post("/v1/clinicians", json=CLINICIAN, headers=bearer(token))
    changed = client.patch(f"/v1/clinicians/{made.json['id']}", json={"accepting_new_clients": False},
                           headers=bearer(token))

    assert made.status_code == 201 and changed.status_code == 200
    entries = [e["data"] for e in audit_entries(container)]
    assert [(e["action"], e["subject"], e["account_id"], e["role"], e["service"]) for e in entries] == [
        ("clinician.created", made.json["id"], "ac_front", "staff", "availability"),
        ("clinician.updated", made.json["id"], "ac_front", "staff", "availability")]
    assert not entries[0]["owner_token"] and entries[0]["session_id"]
    assert token not in json.dumps(entries)


def test_a_clinician_changes_their_own_schedule_audited_and_nothing_of_another_clinician(client, container, staff,
                                                                                         two):
    a, b = two
    clinician_a = staff.headers("clinician", a, account_id="ac_a")

    own = client.put(f"/v1/clinicians/{a}/schedule", json=SCHEDULE, headers=clinician_a)
    other = client.put(f"/v1/clinicians/{b}/schedule", json=SCHEDULE, headers=clinician_a)
    other_profile = client.patch(f"/v1/clinicians/{b}", json={"active": False}, headers=clinician_a)
    own_profile = client.patch(f"/v1/clinicians/{a}", json={"active": False}, headers=clinician_a)
    create = client.post("/v1/clinicians", json={"not": "even valid"}, headers=clinician_a)

    assert own.status_code == 200 and own.json["version"] == 1
    assert [r.status_code for r in (other, other_profile, own_profile, create)] == [403, 403, 403, 403]
    assert all(r.content_type == "application/problem+json" for r in (other, create))
    assert client.get(f"/v1/clinicians/{b}/schedule").json["weekly"] == []
    assert [(e["data"]["action"], e["data"]["subject"]) for e in audit_entries(container)
            if e["data"]["account_id"] == "ac_a"] == [("schedule.changed", a)]


def test_the_clinicians_email_shows_to_staff_roles_and_the_clinician_but_not_to_the_public(client, staff, two):
    a, b = two

    assert "email" not in client.get(f"/v1/clinicians/{a}").json
    assert client.get(f"/v1/clinicians/{a}", headers=staff.headers("staff")).json["email"] == "bea@clinic.test"
    assert client.get(f"/v1/clinicians/{a}", headers=staff.headers("clinician", a)).json["email"]
    assert "email" not in client.get(f"/v1/clinicians/{a}", headers=staff.headers("clinician", b)).json


def test_the_owner_token_still_works_and_its_uses_are_audited_as_the_owners(client, container, admin_headers, two):
    a, _ = two

    assert client.put(f"/v1/clinicians/{a}/schedule", json=SCHEDULE, headers=admin_headers).status_code == 200
    entries = [e["data"] for e in audit_entries(container)]
    assert [(e["action"], e["account_id"], e["owner_token"]) for e in entries][-1] == ("schedule.changed", "owner", True)


def test_bad_revoked_and_deactivated_tokens_are_a_401_problem_never_a_change(client, container, staff, two, clock):
    a, _ = two
    audited = len(audit_entries(container))
    revoked, deactivated = staff.token("admin"), staff.token("clinician", a)
    revoke(container, revoked)
    deactivate(container, deactivated, clock.now())
    tokens = {**staff.bad_tokens(), "revoked": revoked, "deactivated account": deactivated}

    for name, token in tokens.items():
        resp = client.put(f"/v1/clinicians/{a}/schedule", json=SCHEDULE, headers=bearer(token))
        assert resp.status_code == 401, name
        assert resp.content_type == "application/problem+json" and resp.json["status"] == 401, name
    assert client.get(f"/v1/clinicians/{a}/schedule").json["version"] == 0
    assert len(audit_entries(container)) == audited
