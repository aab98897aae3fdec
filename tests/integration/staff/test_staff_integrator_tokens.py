"""Integrator tokens: an admin issues (value shown once), lists and revokes them; every service takes one
for its read-only feed only, and refuses it once the staff service's `session.revoked` reaches it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.staff.adapters.orm import integrator_tokens as tokens_table
from shared import auth
from tests.integration.staff.conftest import NOW, SECRET, apply, outbox_events

pytestmark = pytest.mark.integration
# One call per service that only staff roles pass (checked before any body is read).
PROBES = {"staff": ("GET", "/v1/accounts"), "booking": ("GET", "/v1/bookings"),
          "notifications": ("GET", "/v1/webhooks"), "availability": ("POST", "/v1/clinicians")}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def issue(api, headers, name: str = "CRM sync") -> dict:
    r = api.post("/v1/integrator-tokens", json={"name": name}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


@pytest.fixture
def apps(make_container, clock, api):
    """Each service's test client, on the staff service's signing key."""
    from importlib import import_module

    clients = {"staff": api}
    for service in ("booking", "notifications", "availability"):
        container = make_container(service, clock=clock, ATTUNE_SECRET_KEY=SECRET)
        clients[service] = import_module(f"services.{service}.entrypoints.flask_app").create_app(container).test_client()
        clients[service].container = container
    return clients


def test_an_admin_issues_a_year_long_token_shown_once_and_listed_without_its_value(api, accounts, staff):
    admin = accounts.bearer(accounts.sign_in(accounts.create("admin")))

    made = issue(api, admin, "  CRM   sync ")

    assert made["id"].startswith("itk_") and made["name"] == "CRM sync" and made["status"] == "active"
    assert made["expires_at"].startswith((NOW + auth.INTEGRATOR_TTL).strftime("%Y-%m-%dT%H:%M"))
    principal = auth.verify(SECRET, made["token"], NOW)
    assert (principal.role, principal.session_id, principal.account_id) == ("integrator", made["id"], made["id"])
    listed = api.get("/v1/integrator-tokens", headers=admin)
    assert listed.status_code == 200
    [row] = listed.get_json()["integrator_tokens"]
    assert row == {k: v for k, v in made.items() if k != "token"} and row["hint"] == made["token"][-4:]
    assert made["token"] not in listed.get_data(as_text=True)
    with staff.db.read() as conn:
        assert made["token"] not in str(conn.execute(select(tokens_table)).all())
    audit = api.get(f"/v1/audit?subject={made['id']}", headers=admin).get_json()["entries"]
    assert [e["action"] for e in audit] == ["integrator_token.created"]


def test_staff_and_clinicians_get_403_strangers_401_and_nothing_is_issued(api, accounts, admin_headers):
    staff_member = accounts.bearer(accounts.sign_in(accounts.create("staff")))
    clinician = accounts.bearer(accounts.sign_in(accounts.create("clinician", clinician_id="cl-1")))
    made = issue(api, admin_headers)

    for headers, status in ((staff_member, 403), (clinician, 403), ({}, 401), (bearer("x" * 43), 401)):
        assert api.post("/v1/integrator-tokens", json={"name": "mine"}, headers=headers).status_code == status
        assert api.get("/v1/integrator-tokens", headers=headers).status_code == status
        assert api.delete(f"/v1/integrator-tokens/{made['id']}", headers=headers).status_code == status
    assert len(api.get("/v1/integrator-tokens", headers=admin_headers).get_json()["integrator_tokens"]) == 1


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 81}, {"name": 7}])
def test_a_missing_blank_or_overlong_name_is_a_422_problem_naming_it(api, admin_headers, body):
    r = api.post("/v1/integrator-tokens", json=body, headers=admin_headers)

    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "name" in r.get_json()["errors"]
    assert api.get("/v1/integrator-tokens", headers=admin_headers).get_json()["integrator_tokens"] == []


def test_revoking_refuses_it_at_once_announces_its_session_and_is_audited(api, admin_headers, staff, clock):
    made = issue(api, admin_headers)
    clock.advance(minutes=1)

    assert api.delete(f"/v1/integrator-tokens/{made['id']}", headers=admin_headers).status_code == 204
    assert api.delete(f"/v1/integrator-tokens/{made['id']}", headers=admin_headers).status_code == 204

    [row] = api.get("/v1/integrator-tokens", headers=admin_headers).get_json()["integrator_tokens"]
    assert row["status"] == "revoked" and row["revoked_at"] is not None
    [event] = outbox_events(staff, "session.revoked")
    assert event["data"]["session_id"] == made["id"] and event["data"]["account_id"] == made["id"]
    assert made["token"] not in str(outbox_events(staff))
    actions = [e["action"] for e in api.get(f"/v1/audit?subject={made['id']}", headers=admin_headers)
               .get_json()["entries"]]
    assert actions == ["integrator_token.created", "integrator_token.revoked"]
    assert api.delete("/v1/integrator-tokens/itk_nothing", headers=admin_headers).status_code == 404


def test_the_token_reads_the_booking_feed_until_the_revocation_reaches_booking(api, apps, admin_headers, staff):
    made = issue(api, admin_headers)
    booking = apps["booking"]
    assert booking.get("/v1/events?after=0", headers=bearer(made["token"])).status_code == 200

    assert api.delete(f"/v1/integrator-tokens/{made['id']}", headers=admin_headers).status_code == 204
    assert booking.get("/v1/events?after=0", headers=bearer(made["token"])).status_code == 200, "not told yet"
    for event in outbox_events(staff, "session.revoked"):
        apply(booking.container, event)

    refused = booking.get("/v1/events?after=0", headers=bearer(made["token"]))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"


def test_an_integrator_token_is_refused_by_every_services_staff_calls(api, apps, admin_headers):
    token = issue(api, admin_headers)["token"]

    answers = {s: apps[s].open(PROBES[s][1], method=PROBES[s][0], json={}, headers=bearer(token)).status_code
               for s in PROBES}
    answers["staff: sessions"] = api.get("/v1/sessions/current", headers=bearer(token)).status_code
    answers["staff: tokens"] = api.post("/v1/integrator-tokens", json={"name": "more"},
                                        headers=bearer(token)).status_code
    answers["staff: audit"] = api.get("/v1/audit", headers=bearer(token)).status_code

    assert set(answers.values()) <= {401, 403}, answers
