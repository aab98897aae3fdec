"""Webhooks are the admin's: staff and clinicians get 403, bad credentials 401; each change is audited."""
from __future__ import annotations

import json

import pytest

from tests.integration.notifications.conftest import NOW
from tests.support.staff_tokens import KEY, Staff, audit_entries, bearer, deactivate, revoke

pytestmark = pytest.mark.integration


@pytest.fixture
def container(make_container, clock, receiver):
    container = make_container("notifications", clock=clock, ATTUNE_SECRET_KEY=KEY)
    yield container
    container.extra["dispatcher"].close()


@pytest.fixture
def api(container):
    from services.notifications.entrypoints.flask_app import create_app

    return create_app(container).test_client()


@pytest.fixture
def staff():
    return Staff(NOW)


def test_staff_and_clinicians_may_not_touch_webhooks_even_with_a_valid_body(api, staff, receiver, admin_headers):
    made = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["*"]}, headers=admin_headers).json
    for headers in (staff.headers("staff"), staff.headers("clinician", "cl_a")):
        create = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["*"]}, headers=headers)
        reads = [api.get(path, headers=headers) for path in
                 ("/v1/webhooks", f"/v1/webhooks/{made['id']}", f"/v1/webhooks/{made['id']}/deliveries")]
        change = api.patch(f"/v1/webhooks/{made['id']}", json={"status": "paused"}, headers=headers)

        assert [r.status_code for r in (create, *reads, change)] == [403] * 5
        assert create.content_type == "application/problem+json" and "secret" not in create.json
    assert api.get(f"/v1/webhooks/{made['id']}", headers=admin_headers).json["status"] == "active"


def test_an_admin_session_manages_webhooks_and_each_change_is_audited_without_the_secret(
        api, container, staff, receiver):
    admin = staff.headers("admin", account_id="ac_owner2")

    made = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["booking.*"]}, headers=admin)
    changed = api.patch(f"/v1/webhooks/{made.json['id']}", json={"status": "paused"}, headers=admin)
    listed = api.get("/v1/webhooks", headers=admin)
    deleted = api.delete(f"/v1/webhooks/{made.json['id']}", headers=admin)

    assert (made.status_code, changed.status_code, listed.status_code, deleted.status_code) == (201, 200, 200, 204)
    entries = audit_entries(container)
    assert [(e["data"]["action"], e["data"]["subject"], e["data"]["account_id"]) for e in entries] == [
        ("webhook.created", made.json["id"], "ac_owner2"), ("webhook.changed", made.json["id"], "ac_owner2"),
        ("webhook.deleted", made.json["id"], "ac_owner2")]
    assert made.json["secret"] not in json.dumps(entries) and entries[0]["data"]["service"] == "notifications"


def test_bad_revoked_and_deactivated_tokens_are_a_401_problem(api, container, staff, receiver, clock):
    revoked, deactivated = staff.token("admin"), staff.token("admin")
    revoke(container, revoked)
    deactivate(container, deactivated, clock.now())

    for name, token in {**staff.bad_tokens(), "revoked": revoked, "deactivated account": deactivated}.items():
        resp = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["*"]}, headers=bearer(token))
        assert resp.status_code == 401 and resp.content_type == "application/problem+json", name
    assert api.post("/v1/webhooks", json={}).status_code == 401
    assert audit_entries(container) == []
