"""Invitations: an admin invites someone by email; the person chooses their own password on the link,
which works once and for 72 hours; resend makes a new link, revoke withdraws it; the token is kept
only as a hash and travels only sealed in `account.invited`."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.staff.adapters.orm import MESSAGING, accounts, invitations
from services.staff.domain.invitations import SEAL_PURPOSE, TTL
from shared import auth, privacy, sealed
from tests.integration.staff.conftest import NOW, PASSWORD, SECRET, outbox_events

pytestmark = pytest.mark.integration
NEW_PASSWORD = "a copper kettle sings 7"


def invite(api, headers, email: str = "nia@clinic.test", role: str = "staff", **over) -> dict:
    r = api.post("/v1/invitations", json={"email": email, "name": "Nia Newcomer", "role": role, **over}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def token_of(staff, invitation: dict) -> str:
    """The link's token, as only the notifications service can read it: from the latest event, unsealed."""
    [*_, event] = [e for e in outbox_events(staff, "account.invited")
                   if e["data"]["invitation_id"] == invitation["id"]]
    return sealed.unseal(SECRET, SEAL_PURPOSE, event["data"]["sealed_invitation_token"])


def accept(api, token: str, password: str = NEW_PASSWORD, address: str = "198.51.100.7"):
    return api.post("/v1/invitations/accept", json={"token": token, "password": password},
                    environ_base={"REMOTE_ADDR": address})


def account_row(api, headers, account_id: str) -> dict:
    return next(a for a in api.get("/v1/accounts", headers=headers).get_json()["accounts"] if a["id"] == account_id)


def test_an_invited_person_chooses_a_password_on_the_link_and_is_signed_in_once(api, staff, admin_headers):
    made = invite(api, admin_headers, "  Nia@Clinic.test ", role="clinician", clinician_id="cl-7")

    assert made["email"] == "nia@clinic.test" and made["status"] == "pending" and made["sends"] == 1
    assert made["expires_at"] == (NOW + TTL).isoformat().replace("+00:00", "Z")
    listed = account_row(api, admin_headers, made["account_id"])
    assert (listed["status"], listed["active"], listed["invitation"]["id"]) == ("invited", False, made["id"])
    assert api.post("/v1/sessions", json={"email": "nia@clinic.test", "password": "!invited"}).status_code == 401

    r = accept(api, token_of(staff, made))

    assert r.status_code == 201, r.get_json()
    session = r.get_json()
    principal = auth.verify(SECRET, session["token"], NOW)
    assert (principal.account_id, principal.role, principal.clinician_id) == (made["account_id"], "clinician", "cl-7")
    assert session["account"]["status"] == "active"
    assert api.get("/v1/sessions/current", headers={"Authorization": f"Bearer {session['token']}"}).status_code == 200
    assert api.post("/v1/sessions", json={"email": "nia@clinic.test", "password": NEW_PASSWORD}).status_code == 201
    again = accept(api, token_of(staff, made), "another fine passphrase 9")
    assert again.status_code == 410 and again.mimetype == "application/problem+json"
    assert again.get_json()["type"].endswith("/invitation-accepted") and "already used" in again.get_json()["detail"]
    assert api.get("/v1/invitations", headers=admin_headers).get_json()["invitations"] == []
    actions = [e["action"] for e in api.get(f"/v1/audit?subject={made['account_id']}", headers=admin_headers)
               .get_json()["entries"]]
    assert {"account.invited", "account.invitation_accepted", "session.signed_in"} <= set(actions)


def test_the_token_is_kept_only_as_a_hash_and_travels_only_sealed_reaching_no_outlet(api, staff, admin_headers):
    made = invite(api, admin_headers)
    token = token_of(staff, made)

    with staff.db.read() as conn:
        kept = str(conn.execute(select(invitations)).all()) + str(conn.execute(select(accounts)).all())
        events = str(conn.execute(select(MESSAGING["outbox"].c.body)).all())
    assert token not in kept and token not in events
    [event] = outbox_events(staff, "account.invited")
    assert event["subject"] == made["account_id"]
    assert event["data"]["invitee"] == {"name": "Nia Newcomer", "email": "nia@clinic.test"}
    for outlet in privacy.OUTLETS:
        view = privacy.for_outlet(event, outlet, include_client_details=True)
        assert "nia@clinic.test" not in str(view) and "gAAAAA" not in str(view), outlet
        assert view["data"]["invitation_id"] == made["id"]


def test_a_link_expires_after_72_hours_and_a_resend_gives_a_new_link_the_old_one_dead(
        api, staff, admin_headers, clock):
    made = invite(api, admin_headers)
    first = token_of(staff, made)
    clock.at = NOW + TTL + timedelta(seconds=1)

    expired = accept(api, first)
    assert expired.status_code == 410 and "expired" in expired.get_json()["detail"]
    assert account_row(api, admin_headers, made["account_id"])["invitation"]["status"] == "expired"

    resent = api.post(f"/v1/invitations/{made['id']}/resend", headers=admin_headers)
    assert resent.status_code == 201 and resent.get_json()["sends"] == 2
    assert resent.get_json()["expires_at"] == (clock.at + TTL).isoformat().replace("+00:00", "Z")
    second = token_of(staff, made)
    assert second != first and len(outbox_events(staff, "account.invited")) == 2
    old = accept(api, first)
    assert old.status_code == 404 and old.get_json()["type"].endswith("/invitation-unknown")
    assert accept(api, second).status_code == 201


def test_a_revoked_invitation_frees_the_email_and_its_link_says_it_was_withdrawn(api, staff, admin_headers):
    made = invite(api, admin_headers)
    token = token_of(staff, made)

    assert api.delete(f"/v1/invitations/{made['id']}", headers=admin_headers).status_code == 204
    assert api.delete(f"/v1/invitations/{made['id']}", headers=admin_headers).status_code == 204

    r = accept(api, token)
    assert r.status_code == 410 and "withdrawn" in r.get_json()["detail"]
    assert made["account_id"] not in str(api.get("/v1/accounts", headers=admin_headers).get_json())
    assert api.post(f"/v1/invitations/{made['id']}/resend", headers=admin_headers).status_code == 409
    assert invite(api, admin_headers)["email"] == "nia@clinic.test"


def test_a_weak_password_is_a_422_at_the_password_and_the_link_still_works(api, staff, admin_headers):
    token = token_of(staff, invite(api, admin_headers))

    for weak in ("short", "password1234", "nia newcomer's place"):
        r = accept(api, token, weak)
        assert r.status_code == 422 and "password" in r.get_json()["errors"], weak
    assert accept(api, token).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-address", "name": "X", "role": "staff"}, "email"),
    ({"email": "x@clinic.test", "name": "X", "role": "owner"}, "role"),
    ({"email": "x@clinic.test", "name": "X", "role": "clinician"}, "clinician_id"),
    ({"email": "x@clinic.test", "name": "X", "role": "staff", "clinician_id": "cl-1"}, "clinician_id"),
    ({"name": "X", "role": "staff"}, "email"),
])
def test_an_invitation_with_a_bad_field_is_a_422_naming_it_and_nothing_is_made(api, staff, admin_headers, body, field):
    r = api.post("/v1/invitations", json=body, headers=admin_headers)

    assert r.status_code == 422 and field in r.get_json()["errors"]
    assert outbox_events(staff, "account.invited") == []


def test_an_email_in_use_is_a_409_for_an_invitation_and_for_a_new_account(api, accounts, admin_headers):
    existing = accounts.create("staff")
    assert api.post("/v1/invitations", json={"email": existing["email"], "role": "staff"},
                    headers=admin_headers).status_code == 409
    invite(api, admin_headers, "new@clinic.test")
    r = api.post("/v1/accounts", json={"email": "new@clinic.test", "role": "staff", "password": PASSWORD},
                 headers=admin_headers)
    assert r.status_code == 409


def test_an_invited_account_cannot_be_activated_by_hand(api, admin_headers):
    made = invite(api, admin_headers)

    r = api.patch(f"/v1/accounts/{made['account_id']}", json={"active": True}, headers=admin_headers)

    assert r.status_code == 409 and "active" in r.get_json()["errors"]


def test_only_admins_invite_list_resend_and_revoke_strangers_may_only_accept(api, accounts, admin_headers):
    made = invite(api, admin_headers)
    staff_member = accounts.bearer(accounts.sign_in(accounts.create("staff")))
    clinician = accounts.bearer(accounts.sign_in(accounts.create("clinician", clinician_id="cl-1")))
    body = {"email": "z@clinic.test", "role": "staff"}

    for headers, status in ((staff_member, 403), (clinician, 403), ({}, 401)):
        assert api.post("/v1/invitations", json=body, headers=headers).status_code == status
        assert api.get("/v1/invitations", headers=headers).status_code == status
        assert api.post(f"/v1/invitations/{made['id']}/resend", headers=headers).status_code == status
        assert api.delete(f"/v1/invitations/{made['id']}", headers=headers).status_code == status
    assert [i["id"] for i in api.get("/v1/invitations", headers=admin_headers).get_json()["invitations"]] == [made["id"]]
    admin = accounts.bearer(accounts.sign_in(accounts.create("admin")))
    assert api.post("/v1/invitations", json=body, headers=admin).status_code == 201


def test_wrong_links_from_one_address_are_locked_out_but_another_address_is_not(api, staff, admin_headers):
    token = token_of(staff, invite(api, admin_headers))

    answers = [accept(api, f"guess-{n}").status_code for n in range(10)]
    locked = accept(api, token)

    assert answers == [404] * 10
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert accept(api, token, address="203.0.113.9").status_code == 201
