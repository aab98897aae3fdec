"""Accounts: created by the owner token or an admin, checked, listed, deactivated, reactivated, re-roled."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.staff.adapters.orm import accounts as accounts_table
from tests.integration.staff.conftest import PASSWORD, outbox_events

pytestmark = pytest.mark.integration


def test_the_owner_token_creates_an_admin_with_a_normalised_email_and_the_hash_is_never_shown(api, admin_headers,
                                                                                              staff):
    r = api.post("/v1/accounts", headers=admin_headers, json={
        "email": "  Ada.Winter@Clinic.TEST ", "name": "Ada Winter", "role": "admin", "password": PASSWORD})

    assert r.status_code == 201
    body = r.get_json()
    assert {k: body[k] for k in ("email", "name", "role", "clinician_id", "active")} == {
        "email": "ada.winter@clinic.test", "name": "Ada Winter", "role": "admin", "clinician_id": None,
        "active": True}
    listed = api.get("/v1/accounts", headers=admin_headers).get_json()["accounts"]
    assert [a["id"] for a in listed] == [body["id"]]
    assert "password" not in r.get_data(as_text=True) and "argon2" not in str(listed)
    with staff.db.read() as s:
        assert s.execute(select(accounts_table.c.password_hash)).scalar().startswith("$argon2id$")


@pytest.mark.parametrize("change, field", [
    ({"password": "password1234"}, "password"),
    ({"password": "short-one"}, "password"),
    ({"role": "clinician"}, "clinician_id"),
    ({"role": "owner"}, "role"),
    ({"email": "not-an-address"}, "email"),
])
def test_bad_input_answers_422_naming_the_field_and_creates_nothing(api, admin_headers, change, field):
    body = {"email": "sam@clinic.test", "name": "Sam", "role": "staff", "password": PASSWORD, **change}

    r = api.post("/v1/accounts", headers=admin_headers, json=body)

    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert field in r.get_json()["errors"]
    assert api.get("/v1/accounts", headers=admin_headers).get_json()["accounts"] == []


def test_an_email_in_use_in_any_spelling_is_a_conflict(api, admin_headers, accounts):
    accounts.create(email="sam@clinic.test")

    r = api.post("/v1/accounts", headers=admin_headers, json={
        "email": "SAM@clinic.test", "role": "staff", "password": PASSWORD})

    assert r.status_code == 409 and "email" in r.get_json()["errors"]


def test_an_admin_session_manages_accounts_while_staff_clinicians_and_strangers_may_not(api, accounts):
    admin = accounts.sign_in(accounts.create("admin"))
    staff_member = accounts.sign_in(accounts.create("staff"))
    clinician = accounts.sign_in(accounts.create("clinician", clinician_id="cl-1"))
    new = {"email": "new@clinic.test", "role": "clinician", "clinician_id": "cl-2", "password": PASSWORD}

    assert api.post("/v1/accounts", json=new, headers=accounts.bearer(admin)).status_code == 201
    for session in (staff_member, clinician):
        assert api.post("/v1/accounts", json=new, headers=accounts.bearer(session)).status_code == 403
        assert api.get("/v1/accounts", headers=accounts.bearer(session)).status_code == 403
    assert api.get("/v1/accounts").status_code == 401
    assert api.get("/v1/accounts", headers={"Authorization": "Bearer not-the-owner-token-at-all"}).status_code == 401


def test_deactivating_ends_every_live_session_at_once_and_announces_it_then_reactivating_allows_sign_in(
        api, admin_headers, accounts, staff):
    account = accounts.create("clinician", clinician_id="cl-1")
    first, second = accounts.sign_in(account), accounts.sign_in(account)

    r = api.patch(f"/v1/accounts/{account['id']}", json={"active": False}, headers=admin_headers)

    assert r.status_code == 200 and r.get_json()["active"] is False
    for session in (first, second):
        assert api.get("/v1/sessions/current", headers=accounts.bearer(session)).status_code == 401
    deactivated = outbox_events(staff, "account.deactivated")
    assert [e["data"] for e in deactivated] == [{"account_id": account["id"], "role": "clinician",
                                                 "clinician_id": "cl-1"}]
    revoked = {e["data"]["session_id"] for e in outbox_events(staff, "session.revoked")}
    assert len(revoked) == 2 and all(e["data"]["account_id"] == account["id"]
                                     for e in outbox_events(staff, "session.revoked"))
    refused = api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD})
    assert refused.status_code == 401

    assert api.patch(f"/v1/accounts/{account['id']}", json={"active": True}, headers=admin_headers).status_code == 200

    assert [e["data"]["account_id"] for e in outbox_events(staff, "account.reactivated")] == [account["id"]]
    fresh = accounts.sign_in(account)
    assert api.get("/v1/sessions/current", headers=accounts.bearer(fresh)).status_code == 200
    assert api.get("/v1/sessions/current", headers=accounts.bearer(first)).status_code == 401, \
        "a session ended by the deactivation stays ended"


def test_a_role_change_ends_the_accounts_sessions_and_the_next_token_carries_the_new_role(
        api, admin_headers, accounts, staff):
    from shared import auth
    from tests.integration.staff.conftest import SECRET

    account = accounts.create("clinician", clinician_id="cl-1")
    old = accounts.sign_in(account)

    r = api.patch(f"/v1/accounts/{account['id']}", json={"role": "staff"}, headers=admin_headers)

    assert r.status_code == 200 and (r.get_json()["role"], r.get_json()["clinician_id"]) == ("staff", None)
    assert api.get("/v1/sessions/current", headers=accounts.bearer(old)).status_code == 401
    assert len(outbox_events(staff, "session.revoked")) == 1
    principal = auth.verify(SECRET, accounts.sign_in(account)["token"], staff.clock.now())
    assert (principal.role, principal.clinician_id) == ("staff", None)


def test_a_change_to_clinician_needs_a_clinician_and_an_unknown_account_is_404(api, admin_headers, accounts):
    account = accounts.create("staff")

    r = api.patch(f"/v1/accounts/{account['id']}", json={"role": "clinician"}, headers=admin_headers)

    assert r.status_code == 422 and "clinician_id" in r.get_json()["errors"]
    assert api.patch("/v1/accounts/nobody", json={"active": False}, headers=admin_headers).status_code == 404


def test_an_account_changes_its_own_password_with_the_current_one_and_its_other_sessions_end(api, accounts):
    account = accounts.create()
    here, elsewhere = accounts.sign_in(account), accounts.sign_in(account)
    path = f"/v1/accounts/{account['id']}/password"
    new = "a quieter orchard 43"

    wrong = api.put(path, json={"password": new, "current_password": "not it at all"}, headers=accounts.bearer(here))
    weak = api.put(path, json={"password": "password1234", "current_password": PASSWORD}, headers=accounts.bearer(here))
    done = api.put(path, json={"password": new, "current_password": PASSWORD}, headers=accounts.bearer(here))

    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    assert weak.status_code == 422 and "password" in weak.get_json()["errors"]
    assert done.status_code == 204
    assert api.get("/v1/sessions/current", headers=accounts.bearer(here)).status_code == 200
    assert api.get("/v1/sessions/current", headers=accounts.bearer(elsewhere)).status_code == 401
    assert api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD}).status_code == 401
    accounts.sign_in(account, password=new)


def test_an_admin_resets_a_password_ending_every_session_while_staff_may_not_set_anothers(api, accounts,
                                                                                          admin_headers):
    account, colleague = accounts.create(), accounts.create()
    session = accounts.sign_in(account)
    path = f"/v1/accounts/{account['id']}/password"

    refused = api.put(path, json={"password": "a quieter orchard 43"}, headers=accounts.bearer(accounts.sign_in(colleague)))
    reset = api.put(path, json={"password": "a quieter orchard 43"}, headers=admin_headers)

    assert refused.status_code == 403 and reset.status_code == 204
    assert api.get("/v1/sessions/current", headers=accounts.bearer(session)).status_code == 401
    accounts.sign_in(account, password="a quieter orchard 43")


def test_the_credential_is_checked_before_the_body_so_strangers_and_other_roles_learn_no_input_rules(api, accounts):
    staff_member = accounts.bearer(accounts.sign_in(accounts.create()))

    for method, path in (("post", "/v1/accounts"), ("patch", "/v1/accounts/x"), ("put", "/v1/accounts/x/password")):
        assert getattr(api, method)(path, json={"role": 7}).status_code == 401, path
    assert api.post("/v1/accounts", json={"role": 7}, headers=staff_member).status_code == 403
    assert api.patch("/v1/accounts/x", json={"role": 7}, headers=staff_member).status_code == 403
    assert api.get("/v1/audit", query_string={"limit": 0}).status_code == 401
    assert api.get("/v1/audit", query_string={"limit": 0}, headers=staff_member).status_code == 403
