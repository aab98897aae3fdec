"""Who is calling: the owner's break-glass token, a staff session token or an integrator's read-only token,
checked by each service itself.

The staff service signs session tokens (JWT, EdDSA) carrying the account, its role and, for a
clinician, the clinician id; an integrator token is one with the role `integrator` and the token's
id as both account and session. Every service verifies the signature and expiry with the public key
and looks the session and account up in its own copy of the revocations (kept from
`session.revoked` / `account.deactivated` events), so no request waits on the staff service.
"""
from __future__ import annotations

import functools
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.sealed import derive_key

ROLES = ("admin", "staff", "clinician")  # the staff roles: `authorize(*ROLES)` is "any signed-in person"
STAFF_ROLES = ("admin", "staff")
# A read-only integrator token: only shared.web.require_reader accepts it; no authorize() call names it.
INTEGRATOR = "integrator"
TOKEN_ROLES = (*ROLES, INTEGRATOR)
ISSUER = "attune-staff"
ALGORITHM = "EdDSA"
SESSION_TTL = timedelta(hours=8)
INTEGRATOR_TTL = timedelta(days=365)


@dataclass(frozen=True)
class Principal:
    """The caller, as every view sees it."""

    account_id: str
    role: str
    clinician_id: str | None = None
    session_id: str | None = None
    owner: bool = False  # the ATTUNE_ADMIN_TOKEN, not an account

    def may_act_for(self, clinician_id: str | None) -> bool:
        """Admins and staff act for every clinician; a clinician only for themself; an integrator for none."""
        return self.role in STAFF_ROLES or (clinician_id is not None and clinician_id == self.clinician_id)


OWNER = Principal(account_id="owner", role="admin", owner=True)


@functools.lru_cache(maxsize=4)
def signing_key(secret_key: str) -> Ed25519PrivateKey:
    """The staff service's signing key, derived from ATTUNE_SECRET_KEY (its own purpose)."""
    return Ed25519PrivateKey.from_private_bytes(derive_key(secret_key, "staff-session-signing"))


@functools.lru_cache(maxsize=4)
def verifying_key(secret_key: str) -> Ed25519PublicKey:
    return signing_key(secret_key).public_key()


def issue(secret_key: str, account_id: str, role: str, clinician_id: str | None, now: datetime,
          ttl: timedelta = SESSION_TTL, session_id: str | None = None) -> tuple[str, str, datetime]:
    """A signed session (or integrator) token: (token, session id, expires_at)."""
    if role not in TOKEN_ROLES or (role == INTEGRATOR and clinician_id):
        raise ValueError(f"unknown role {role!r}")
    sid = session_id or uuid.uuid4().hex
    now = now.astimezone(UTC)
    expires = now + ttl
    claims = {"iss": ISSUER, "sub": account_id, "role": role, "cid": clinician_id, "sid": sid,
              "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    return jwt.encode(claims, signing_key(secret_key), algorithm=ALGORITHM), sid, expires


class InvalidSession(Exception):
    """Not a token of ours, altered, expired or of an unknown role; the reason is for logs only."""


def verify(secret_key: str | None, token: str, now: datetime) -> Principal:
    """The principal a session token names, or InvalidSession. Revocation is checked by the caller."""
    if not secret_key:
        raise InvalidSession("no ATTUNE_SECRET_KEY: session tokens cannot be checked")
    try:
        claims = jwt.decode(token, verifying_key(secret_key), algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "sid", "iss"], "verify_exp": False})
    except jwt.PyJWTError as e:
        raise InvalidSession(type(e).__name__) from None
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now.timestamp():
        raise InvalidSession("expired")
    role, cid = claims.get("role"), claims.get("cid")
    if role not in TOKEN_ROLES or (role == "clinician") != bool(cid):
        raise InvalidSession("bad role claim")
    return Principal(account_id=str(claims["sub"]), role=role, clinician_id=cid, session_id=str(claims["sid"]))


def is_owner_token(token: str | None, admin_token: str | None) -> bool:
    return bool(token and admin_token) and hmac.compare_digest(token.encode(), admin_token.encode())
