"""Sign-in, sign-out, renewal, lockouts, and the tokens the staff service refuses."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from shared import auth
from tests.integration.staff.conftest import NOW, PASSWORD, SECRET, outbox_events

pytestmark = pytest.mark.integration


def test_a_sign_in_gives_an_eight_hour_token_every_service_can_verify_naming_the_account(api, accounts, staff):
    account = accounts.create("clinician", clinician_id="cl-7", email="Cleo@Clinic.test")

    session = accounts.sign_in(account | {"email": " CLEO@clinic.test"})

    principal = auth.verify(SECRET, session["token"], NOW)
    assert (principal.account_id, principal.role, principal.clinician_id) == (account["id"], "clinician", "cl-7")
    assert session["expires_at"].startswith((NOW + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    assert session["account"]["email"] == "cleo@clinic.test"
    me = api.get("/v1/sessions/current", headers=accounts.bearer(session))
    assert me.status_code == 200 and me.get_json()["account"]["id"] == account["id"]


class CountingHasher:
    """The real argon2 hasher, counting the verifications a sign-in costs."""

    def __init__(self, inner):
        self.inner, self.verified = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def verify(self, stored, password):
        self.verified.append(stored)
        return self.inner.verify(stored, password)


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer_after_the_same_argon2_check(api, accounts, staff):
    account = accounts.create()
    hasher = CountingHasher(staff.extra["passwords"].hasher)
    staff.extra["passwords"].hasher = hasher

    unknown = api.post("/v1/sessions", json={"email": "nobody@clinic.test", "password": PASSWORD})
    wrong = api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD + "!"})

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert len(hasher.verified) == 2 and all(h.startswith("$argon2id$") for h in hasher.verified)
    assert hasher.verified[0] != hasher.verified[1], "the unknown email was checked against the dummy hash"


def test_five_failures_lock_the_email_for_fifteen_minutes_even_for_the_right_password(api, accounts, clock):
    account = accounts.create()
    for _ in range(5):
        assert api.post("/v1/sessions", json={"email": account["email"], "password": "wrong guess 123"}).status_code == 401

    locked = api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD})

    assert locked.status_code == 429 and locked.headers["Retry-After"] == "900"
    assert locked.mimetype == "application/problem+json"
    clock.advance(minutes=14, seconds=59)
    assert api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD}).status_code == 429
    clock.advance(seconds=1)
    accounts.sign_in(account)


def test_an_unknown_email_locks_exactly_like_a_known_one(api):
    answers = [api.post("/v1/sessions", json={"email": "ghost@clinic.test", "password": "wrong guess 123"}).status_code
               for _ in range(6)]

    assert answers == [401] * 5 + [429]


def test_a_success_forgives_earlier_failures_of_the_email(api, accounts):
    account = accounts.create()
    for _ in range(4):
        api.post("/v1/sessions", json={"email": account["email"], "password": "wrong guess 123"})
    accounts.sign_in(account)
    for _ in range(4):
        api.post("/v1/sessions", json={"email": account["email"], "password": "wrong guess 123"})

    accounts.sign_in(account)


def test_twenty_failures_from_one_address_lock_that_address_for_any_email_but_not_other_addresses(api, accounts):
    account = accounts.create()
    for i in range(20):
        r = api.post("/v1/sessions", json={"email": f"guess{i}@clinic.test", "password": "wrong guess 123"},
                     environ_base={"REMOTE_ADDR": "203.0.113.9"})
        assert r.status_code == 401

    from_there = api.post("/v1/sessions", json={"email": account["email"], "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "203.0.113.9"})

    assert from_there.status_code == 429 and int(from_there.headers["Retry-After"]) == 900
    accounts.sign_in(account)  # from the test client's own address


def test_a_hash_made_with_weaker_argon2_parameters_is_upgraded_at_the_next_sign_in(accounts, staff):
    from argon2 import PasswordHasher, extract_parameters

    from services.staff.adapters.orm import accounts as accounts_table

    account = accounts.create()
    staff.extra["passwords"].hasher = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)

    accounts.sign_in(account)

    with staff.db.read() as s:
        stored = s.execute(select(accounts_table.c.password_hash)).scalar()
    assert (extract_parameters(stored).time_cost, extract_parameters(stored).memory_cost) == (2, 2048)
    accounts.sign_in(account)


def test_signing_out_refuses_the_token_at_once_writes_the_revocation_and_announces_it(api, accounts, staff):
    account = accounts.create()
    session = accounts.sign_in(account)
    other = accounts.sign_in(account)
    sid = auth.verify(SECRET, session["token"], NOW).session_id

    r = api.delete("/v1/sessions/current", headers=accounts.bearer(session))

    assert r.status_code == 204
    assert api.get("/v1/sessions/current", headers=accounts.bearer(session)).status_code == 401
    assert api.delete("/v1/sessions/current", headers=accounts.bearer(session)).status_code == 401
    assert api.get("/v1/sessions/current", headers=accounts.bearer(other)).status_code == 200, "only this session"
    [event] = outbox_events(staff, "session.revoked")
    assert (event["data"]["session_id"], event["data"]["account_id"]) == (sid, account["id"])
    revocations = staff.tables["revocations"]
    with staff.db.read() as s:
        assert s.execute(select(revocations.c.key).where(revocations.c.kind == "session")).scalars().all() == [sid]


def test_renewal_gives_a_fresh_eight_hours_and_revokes_the_token_it_replaced(api, accounts, clock, staff):
    session = accounts.sign_in(accounts.create())
    clock.advance(hours=7)

    r = api.post("/v1/sessions/current/renew", headers=accounts.bearer(session))

    assert r.status_code == 201
    renewed = r.get_json()
    assert auth.verify(SECRET, renewed["token"], clock.now() + timedelta(hours=7, minutes=59))
    assert api.get("/v1/sessions/current", headers=accounts.bearer(renewed)).status_code == 200
    assert api.get("/v1/sessions/current", headers=accounts.bearer(session)).status_code == 401
    assert len(outbox_events(staff, "session.revoked")) == 1


def _claims(**over) -> dict:
    return {"iss": auth.ISSUER, "sub": "ac_1", "role": "admin", "cid": None, "sid": "s1",
            "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 3600, **over}


def _unsigned(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("make", [
    lambda: jwt.encode(_claims(), Ed25519PrivateKey.generate(), algorithm="EdDSA"),  # forged: another key
    lambda: _unsigned(_claims()),  # alg: none
    lambda: jwt.encode(_claims(), SECRET, algorithm="HS256"),  # the secret as an HMAC key
    lambda: auth.issue(SECRET, "ac_1", "admin", None, NOW - timedelta(hours=9))[0],  # expired
    lambda: auth.issue("another-practice-secret-" + "x" * 20, "ac_1", "admin", None, NOW)[0],
    lambda: "a.b.c",
    lambda: "\u00e9t\u00e9",
], ids=["forged", "alg-none", "hs256", "expired", "other-secret", "garbage-jwt", "not-ascii"])
def test_forged_unsigned_expired_and_garbage_tokens_are_401_problems_never_data(api, make):
    headers = {"Authorization": f"Bearer {make()}"}

    for method, path in (("get", "/v1/accounts"), ("get", "/v1/sessions/current"), ("get", "/v1/audit")):
        r = getattr(api, method)(path, headers=headers)
        assert r.status_code == 401 and r.mimetype == "application/problem+json", (path, r.get_data())


def test_the_owner_token_reads_as_the_owner_and_has_no_session_to_end(api, admin_headers):
    me = api.get("/v1/sessions/current", headers=admin_headers)

    assert me.status_code == 200 and me.get_json()["account"]["id"] == "owner"
    assert api.delete("/v1/sessions/current", headers=admin_headers).status_code == 400
