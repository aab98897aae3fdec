"""Staff session tokens for tests of the role rules: minted as the staff service mints them, plus the
bad ones a service must refuse (forged, unsigned, expired, malformed), revocation and deactivation."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import auth, revocations
from shared.events import new_event, parse
from shared.messaging.consumer import EventConsumer

KEY = "test-secret-key-" + "s" * 24  # pass as ATTUNE_SECRET_KEY


class Staff:
    """Mints tokens for accounts of each role at the test's frozen `now`."""

    def __init__(self, now: datetime):
        self.now = now

    def token(self, role: str, clinician_id: str | None = None, account_id: str | None = None,
              issued: datetime | None = None) -> str:
        token, _, _ = auth.issue(KEY, account_id or f"ac_{uuid.uuid4().hex[:8]}", role, clinician_id,
                                 issued or self.now)
        return token

    def headers(self, role: str, clinician_id: str | None = None, **kw) -> dict:
        return bearer(self.token(role, clinician_id, **kw))

    def bad_tokens(self) -> dict[str, str]:
        """Credentials every service answers 401 for: never 500, never data."""
        claims = {"iss": auth.ISSUER, "sub": "ac_evil", "role": "admin", "cid": None, "sid": "s1",
                  "iat": int(self.now.timestamp()), "exp": int(self.now.timestamp()) + 3600}
        part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
        wrong_key, _, _ = auth.issue("another-secret-" + "x" * 24, "ac_evil", "admin", None, self.now)
        return {
            "wrong key": wrong_key,
            "own key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA"),
            "alg none": f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.",
            "HS256 with the secret": jwt.encode(claims, KEY, algorithm="HS256"),
            "expired": self.token("admin", issued=self.now - auth.SESSION_TTL - timedelta(seconds=1)),
            "malformed": "eyJhbGciOiJFZERTQSJ9.%%%.!!",
            "not a token": "x" * 43,
        }


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def session_of(token: str) -> tuple[str, str]:
    """(account id, session id) a token names."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return claims["sub"], claims["sid"]


def revoke(container, token: str) -> None:
    """Signs the token's session out in the service's own copy (as its staff-events consumer would)."""
    with container.db.write() as session:
        revocations.revoke_session(session, container.tables["revocations"], session_of(token)[1])


def deliver(container, type_: str, data: dict, now: datetime) -> None:
    """Hands a staff service event to the service through its real consumer (de-dup, transaction)."""
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)
    event = new_event(type_, "/attune/staff", data["account_id"], 1, data, now)
    envelope, loaded = parse(json.dumps(event))
    [sub] = [s for s in container.subscriptions if s.purpose == "staff-events"]
    assert consumer.apply(sub, envelope, loaded, sub.handlers[type_]) is None


def deactivate(container, token: str, now: datetime) -> None:
    account_id, _ = session_of(token)
    deliver(container, "account.deactivated", {"account_id": account_id, "role": None, "clinician_id": None}, now)


def audit_entries(container) -> list[dict]:
    """The audit.recorded events the service wrote to its outbox, oldest first."""
    from sqlalchemy import select

    table = container.tables["outbox"]
    with container.db.read() as session:
        bodies = session.execute(select(table.c.body).where(table.c.type == "audit.recorded")
                                 .order_by(table.c.id)).scalars()
        return [json.loads(b) for b in bodies]
