"""Session tokens: what a service accepts from the staff service, and what it refuses."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import auth

KEY = "k" * 40
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_token_issued_by_the_staff_service_names_the_account_role_and_clinician():
    token, sid, expires = auth.issue(KEY, "ac_1", "clinician", "cl_9", NOW)

    principal = auth.verify(KEY, token, NOW + timedelta(hours=1))

    assert principal == auth.Principal("ac_1", "clinician", "cl_9", sid)
    assert expires == NOW + timedelta(hours=8)


def test_a_token_is_refused_once_it_has_expired():
    token, _, expires = auth.issue(KEY, "ac_1", "staff", None, NOW)

    with pytest.raises(auth.InvalidSession, match="expired"):
        auth.verify(KEY, token, expires)


def test_a_token_signed_with_another_secret_is_refused():
    token, _, _ = auth.issue("z" * 40, "ac_1", "admin", None, NOW)

    with pytest.raises(auth.InvalidSession):
        auth.verify(KEY, token, NOW)


def test_a_token_signed_with_a_key_of_the_callers_own_choosing_is_refused():
    claims = {"iss": auth.ISSUER, "sub": "ac_1", "role": "admin", "cid": None, "sid": "s",
              "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 60}
    forged = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA")

    with pytest.raises(auth.InvalidSession):
        auth.verify(KEY, forged, NOW)


def _unsigned(claims: dict, alg: str) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_an_unsigned_or_symmetric_token_is_refused(alg):
    claims = {"iss": auth.ISSUER, "sub": "ac_1", "role": "admin", "cid": None, "sid": "s",
              "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 60}
    token = _unsigned(claims, alg) if alg == "none" else jwt.encode(claims, KEY, algorithm="HS256")

    with pytest.raises(auth.InvalidSession):
        auth.verify(KEY, token, NOW)


def test_a_clinician_token_without_a_clinician_or_an_unknown_role_is_refused():
    key = auth.signing_key(KEY)
    base = {"iss": auth.ISSUER, "sub": "ac_1", "sid": "s", "iat": int(NOW.timestamp()),
            "exp": int(NOW.timestamp()) + 60}
    for extra in ({"role": "clinician", "cid": None}, {"role": "owner", "cid": None},
                  {"role": "staff", "cid": "cl_1"}):
        token = jwt.encode({**base, **extra}, key, algorithm="EdDSA")
        with pytest.raises(auth.InvalidSession):
            auth.verify(KEY, token, NOW)


def test_without_a_secret_key_no_session_token_is_accepted():
    token, _, _ = auth.issue(KEY, "ac_1", "admin", None, NOW)

    with pytest.raises(auth.InvalidSession):
        auth.verify(None, token, NOW)


def test_a_clinician_acts_only_for_themself_and_staff_for_everyone():
    clinician = auth.Principal("ac_1", "clinician", "cl_1")

    assert clinician.may_act_for("cl_1") and not clinician.may_act_for("cl_2")
    assert not clinician.may_act_for(None)
    assert auth.Principal("ac_2", "staff").may_act_for("cl_2") and auth.OWNER.may_act_for("cl_2")


def test_the_owner_token_is_recognised_only_when_it_is_exactly_the_configured_one():
    assert auth.is_owner_token("a" * 32, "a" * 32)
    assert not auth.is_owner_token("a" * 31, "a" * 32)
    assert not auth.is_owner_token("a" * 32, None)
    assert not auth.is_owner_token(None, "a" * 32)
