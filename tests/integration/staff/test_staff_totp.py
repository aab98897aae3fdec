"""TOTP: the account enrols itself, then signs in with a code used once; admins must when required."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from sqlalchemy import select

from services.staff.adapters.orm import accounts as accounts_table
from tests.integration.staff.conftest import PASSWORD, SECRET

pytestmark = pytest.mark.integration


def enrol(api, account_id: str, headers: dict) -> pyotp.TOTP:
    r = api.post(f"/v1/accounts/{account_id}/totp", headers=headers)
    assert r.status_code == 201, r.get_json()
    return pyotp.TOTP(parse_qs(urlparse(r.get_json()["otpauth_uri"]).query)["secret"][0])


def test_after_enrolment_sign_in_needs_a_valid_code_and_each_code_works_once(api, accounts, staff, clock):
    account = accounts.create()
    totp = enrol(api, account["id"], accounts.bearer(accounts.sign_in(account)))
    sign_in = lambda **extra: api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD,
                                                             **extra})

    missing = sign_in()
    assert missing.status_code == 401 and "otp" in missing.get_json()["errors"]
    assert sign_in(otp=f"{(int(totp.at(clock.now())) + 1) % 10**6:06d}").status_code == 401
    assert sign_in(otp=totp.at(clock.now())).status_code == 201
    assert sign_in(otp=totp.at(clock.now())).status_code == 401, "a used code is not accepted again"
    clock.advance(seconds=30)
    assert sign_in(otp=totp.at(clock.now())).status_code == 201
    with staff.db.read() as s:
        stored = s.execute(select(accounts_table.c.totp_secret)).scalar()
    assert totp.secret not in stored, "the secret rests sealed"
    assert api.get("/v1/accounts", headers=accounts.admin).get_json()["accounts"][0]["totp"] is True


def test_only_the_account_itself_enrols_its_authenticator(api, accounts, admin_headers):
    mine, other = accounts.create(), accounts.create()
    session = accounts.sign_in(other)

    assert api.post(f"/v1/accounts/{mine['id']}/totp", headers=accounts.bearer(session)).status_code == 403
    assert api.post(f"/v1/accounts/{mine['id']}/totp", headers=admin_headers).status_code == 403
    assert api.post(f"/v1/accounts/{mine['id']}/totp").status_code == 401


def test_an_admin_removes_a_lost_authenticator_and_the_account_signs_in_with_its_password_again(
        api, accounts, admin_headers):
    account = accounts.create()
    enrol(api, account["id"], accounts.bearer(accounts.sign_in(account)))

    r = api.delete(f"/v1/accounts/{account['id']}/totp", headers=admin_headers)

    assert r.status_code == 200 and r.get_json()["totp"] is False
    accounts.sign_in(account)


@pytest.fixture
def strict_api(make_container, clock, staff):
    from services.staff.entrypoints.flask_app import create_app

    container = make_container("staff", clock=clock, ATTUNE_SECRET_KEY=SECRET, STAFF_REQUIRE_TOTP="true")
    container.extra["passwords"] = staff.extra["passwords"]
    return create_app(container).test_client()


def test_with_totp_required_an_admin_without_it_gets_only_an_enrolment_token_then_signs_in_with_a_code(
        strict_api, admin_headers, clock):
    from tests.integration.staff.conftest import Accounts

    accounts = Accounts(strict_api, admin_headers)
    admin, staff_member = accounts.create("admin"), accounts.create("staff")
    accounts.sign_in(staff_member)  # only admins must

    r = strict_api.post("/v1/sessions", json={"email": admin["email"], "password": PASSWORD})

    assert r.status_code == 403 and r.get_json()["account_id"] == admin["id"]
    enrolment = {"Authorization": f"Bearer {r.get_json()['enrolment_token']}"}
    assert "token" not in r.get_json()
    assert strict_api.get("/v1/accounts", headers=enrolment).status_code == 401, "no session for anything else"
    assert strict_api.post(f"/v1/accounts/{staff_member['id']}/totp", headers=enrolment).status_code == 401
    totp = enrol(strict_api, admin["id"], enrolment)
    assert accounts.sign_in(admin, otp=totp.at(clock.now()))["account"]["totp"] is True


def test_an_enrolment_token_lapses_after_ten_minutes(strict_api, admin_headers, clock):
    from tests.integration.staff.conftest import Accounts

    admin = Accounts(strict_api, admin_headers).create("admin")
    token = strict_api.post("/v1/sessions", json={"email": admin["email"], "password": PASSWORD}).get_json()[
        "enrolment_token"]
    clock.advance(minutes=10, seconds=1)

    r = strict_api.post(f"/v1/accounts/{admin['id']}/totp", headers={"Authorization": f"Bearer {token}"})

    assert r.status_code == 401
