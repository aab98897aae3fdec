"""Read-only integrator tokens: an admin issues one (its value shown once), lists them, revokes one.

A token is a signed token like a session's (role `integrator`), so every service checks it by itself;
only its id, name and dates are kept. Revoking it is a `session.revoked` event for its id, which each
service's copy of the revocations already acts on (also one whose worker was down at the time).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select, update

from services.staff.adapters.orm import integrator_tokens as t
from services.staff.service_layer import audit
from services.staff.service_layer.accounts import revoke_session
from services.staff.service_layer.errors import InvalidTokenName, NotFound
from shared import auth
from shared.clock import naive_utc, utc

NAME_MAX = 80


def view(row, now: datetime) -> dict:
    revoked, expires = utc(row.revoked_at) if row.revoked_at else None, utc(row.expires_at)
    status = "revoked" if revoked else "expired" if expires <= now else "active"
    return {"id": row.id, "name": row.name, "hint": row.hint, "created_by": row.created_by,
            "created_at": utc(row.created_at), "expires_at": expires, "revoked_at": revoked, "status": status}


def create(c, principal: auth.Principal, name: str, now: datetime) -> dict:
    """A new token for `name`: the answer is the only place its value ever appears."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidTokenName(f"name: 1 to {NAME_MAX} characters, not only spaces.",
                      {"name": [f"Required: 1 to {NAME_MAX} characters."]})
    token_id = f"itk_{uuid.uuid4().hex}"
    token, _, expires = auth.issue(c.settings.secret_key, token_id, auth.INTEGRATOR, None, now,
                                   ttl=auth.INTEGRATOR_TTL, session_id=token_id)
    expires = expires.replace(microsecond=0)  # as the token's `exp` says it
    with c.db.write() as conn:
        conn.execute(insert(t).values(id=token_id, name=name, hint=token[-4:], created_by=principal.account_id,
                                      created_at=naive_utc(now), expires_at=naive_utc(expires)))
        audit.record_own(conn, c, principal, "integrator_token.created", token_id, now)
        return {**view(_row(conn, token_id), now), "token": token}


def listing(c, now: datetime) -> list[dict]:
    """Every token, newest first, without its value."""
    with c.db.read() as conn:
        return [view(r, now) for r in conn.execute(select(t).order_by(t.c.created_at.desc(), t.c.id)).all()]


def revoke(c, principal: auth.Principal, token_id: str, now: datetime) -> None:
    """Refused here at once and by every service within seconds; revoking twice changes nothing."""
    with c.db.write() as conn:
        row = _row(conn, token_id)
        if row.revoked_at is not None:
            return
        conn.execute(update(t).where(t.c.id == token_id).values(revoked_at=naive_utc(now)))
        revoke_session(conn, c, token_id, token_id, utc(row.expires_at), now)
        audit.record_own(conn, c, principal, "integrator_token.revoked", token_id, now)


def _row(conn, token_id: str):
    row = conn.execute(select(t).where(t.c.id == token_id)).first()
    if row is None:
        raise NotFound("No such integrator token.")
    return row
