"""TOTP set up in two steps: a key offered with its QR code changes nothing until its first code is confirmed,
in "Your account" or at the sign-in that enrolment requires."""
from __future__ import annotations

from urllib.parse import unquote

import pyotp
import pytest

from tests.integration.staff.conftest import PASSWORD, Accounts

pytestmark = pytest.mark.integration


def offer(api, account_id: str, headers: dict) -> dict:
    r = api.post(f"/v1/accounts/{account_id}/totp/setup", headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_an_offered_key_comes_with_its_qr_code_and_changes_nothing_until_confirmed(api, accounts):
    account = accounts.create()
    session = accounts.sign_in(account)

    offered = offer(api, account["id"], accounts.bearer(session))

    assert offered["secret"] in offered["otpauth_uri"]
    assert offered["qr_code"].startswith("data:image/svg+xml")
    assert "<svg" in unquote(offered["qr_code"]) and "<script" not in unquote(offered["qr_code"])
    assert offered["secret"] not in offered["setup_token"], "the token carries the key sealed"
    assert accounts.sign_in(account)["account"]["totp"] is False, "still the password alone"


def test_the_first_code_confirms_the_key_then_sign_in_needs_a_later_code(api, accounts, clock):
    account = accounts.create()
    headers = accounts.bearer(accounts.sign_in(account))
    offered = offer(api, account["id"], headers)
    code = pyotp.TOTP(offered["secret"]).at(clock.now())
    confirm = lambda otp: api.post(f"/v1/accounts/{account['id']}/totp/confirm", headers=headers,
                                   json={"setup_token": offered["setup_token"], "otp": otp})

    wrong = confirm(f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.status_code == 422 and "otp" in wrong.get_json()["errors"]
    r = confirm(code)

    assert r.status_code == 200 and r.get_json()["totp"] is True
    sign_in = lambda otp: api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD, "otp": otp})
    assert sign_in(None).get_json()["errors"]["otp"]
    assert sign_in(code).status_code == 401, "the confirming code is used up"
    clock.advance(seconds=30)
    assert sign_in(pyotp.TOTP(offered["secret"]).at(clock.now())).status_code == 201


def test_a_setup_token_works_only_for_its_account_and_for_ten_minutes(api, accounts, clock):
    mine, other = accounts.create(), accounts.create()
    offered = offer(api, mine["id"], accounts.bearer(accounts.sign_in(mine)))
    other_headers = accounts.bearer(accounts.sign_in(other))
    body = lambda: {"setup_token": offered["setup_token"], "otp": pyotp.TOTP(offered["secret"]).at(clock.now())}

    assert api.post(f"/v1/accounts/{other['id']}/totp/confirm", headers=other_headers,
                    json=body()).get_json()["errors"]["setup_token"]
    assert api.post(f"/v1/accounts/{mine['id']}/totp/setup", headers=other_headers).status_code == 403
    clock.advance(minutes=10, seconds=1)
    mine_headers = accounts.bearer(accounts.sign_in(mine))
    late = api.post(f"/v1/accounts/{mine['id']}/totp/confirm", headers=mine_headers, json=body())
    assert late.status_code == 422 and "setup_token" in late.get_json()["errors"]


@pytest.fixture
def strict_api(make_container, clock, staff):
    from services.staff.entrypoints.flask_app import create_app
    from tests.integration.staff.conftest import SECRET

    container = make_container("staff", clock=clock, ATTUNE_SECRET_KEY=SECRET, STAFF_REQUIRE_TOTP="true")
    container.extra["passwords"] = staff.extra["passwords"]
    return create_app(container).test_client()


def test_an_admin_made_to_enrol_signs_in_with_the_first_code_of_the_offered_key(strict_api, admin_headers, clock):
    accounts = Accounts(strict_api, admin_headers)
    admin = accounts.create("admin")
    refused = strict_api.post("/v1/sessions", json={"email": admin["email"], "password": PASSWORD}).get_json()
    offered = offer(strict_api, admin["id"], {"Authorization": f"Bearer {refused['enrolment_token']}"})
    code = pyotp.TOTP(offered["secret"]).at(clock.now())
    sign_in = lambda otp, password=PASSWORD: strict_api.post("/v1/sessions", json={
        "email": admin["email"], "password": password, "otp": otp, "totp_setup_token": offered["setup_token"]})

    assert sign_in(f"{(int(code) + 1) % 10**6:06d}").status_code == 401
    assert sign_in(code, password="not the password").status_code == 401
    r = sign_in(code)

    assert r.status_code == 201 and r.get_json()["account"]["totp"] is True
    assert sign_in(code).status_code == 401, "the key is on: its setup token offers nothing any more"
