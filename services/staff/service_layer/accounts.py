"""Accounts: created by the owner or an admin, changed (role, clinician, name, active), TOTP enrolled."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.staff.adapters.orm import accounts as t
from services.staff.adapters.orm import invitations as invitations_table
from services.staff.adapters.orm import sessions as sessions_table
from services.staff.domain import passwords
from services.staff.domain.accounts import email_errors, normalise_email, role_errors
from services.staff.domain.invitations import PENDING_PASSWORD
from services.staff.domain.invitations import state as invitation_state
from services.staff.service_layer import audit
from services.staff.service_layer.errors import Conflict, Invalid, NotFound
from shared import revocations, sealed
from shared.auth import Principal
from shared.clock import naive_utc, utc

TOTP_PURPOSE = "staff-totp-secret"


def view(row, invitation: dict | None = None) -> dict:
    """`status`: active, deactivated, or invited (no password yet; `invitation` says until when)."""
    status = "active" if row.active else "invited" if row.password_hash == PENDING_PASSWORD else "deactivated"
    return {"id": row.id, "email": row.email, "name": row.name, "role": row.role,
            "clinician_id": row.clinician_id, "active": row.active, "totp": row.totp_secret is not None,
            "created_at": utc(row.created_at), "status": status, "invitation": invitation}


def get_row(conn, account_id: str):
    row = conn.execute(select(t).where(t.c.id == account_id)).first()
    if row is None:
        raise NotFound("No such account.")
    return row


def create(c, principal: Principal, body: dict, now: datetime) -> dict:
    """A new active account; the password is checked against the rules and stored as an argon2id hash."""
    email = normalise_email(body["email"])
    name = (body.get("name") or "").strip() or email.split("@")[0]
    role, cid = body.get("role"), body.get("clinician_id") or None
    errors = {**email_errors(email), **role_errors(role, cid)}
    weak = passwords.weakness(body["password"], email, name)
    if weak:
        errors["password"] = [weak]
    if errors:
        raise Invalid("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors)
    hashed = c.extra["passwords"].hash(body["password"])  # slow on purpose: outside the write lock
    row = {"id": str(uuid.uuid4()), "email": email, "name": name, "role": role, "clinician_id": cid,
           "active": True, "password_hash": hashed, "created_at": naive_utc(now), "updated_at": naive_utc(now)}
    try:
        with c.db.write() as conn:
            if conn.execute(select(t.c.id).where(t.c.email == email)).first():
                raise Conflict("An account with this email exists.", {"email": ["Already in use."]})
            conn.execute(t.insert().values(**row))
            audit.record_own(conn, c, principal, "account.created", row["id"], now)
            return view(get_row(conn, row["id"]))
    except IntegrityError:  # the same email created at the same moment
        raise Conflict("An account with this email exists.", {"email": ["Already in use."]}) from None


def listing(c) -> list[dict]:
    with c.db.read() as conn:
        pending = pending_invitations(conn, c.clock.now())
        return [view(r, pending.get(r.id)) for r in conn.execute(select(t).order_by(t.c.email)).all()]


def pending_invitations(conn, now: datetime) -> dict[str, dict]:
    """Each invited account's open invitation: {id, sent_at, expires_at, status (pending or expired)}."""
    i = invitations_table
    rows = conn.execute(select(i).where(i.c.accepted_at.is_(None), i.c.revoked_at.is_(None))).all()
    return {r.account_id: {"id": r.id, "sent_at": utc(r.sent_at), "expires_at": utc(r.expires_at),
                           "status": invitation_state(None, None, utc(r.expires_at), now)} for r in rows}


def change(c, principal: Principal, account_id: str, body: dict, now: datetime) -> dict:
    """Changes role, clinician, name or active; a role change or deactivation ends the live sessions."""
    with c.db.write() as conn:
        row = get_row(conn, account_id)
        role = body.get("role", row.role)
        cid = body.get("clinician_id", row.clinician_id if role == "clinician" else None)
        errors = role_errors(role, cid or None)
        if errors:
            raise Invalid("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors)
        active = body.get("active", row.active)
        if active and row.password_hash == PENDING_PASSWORD:
            raise Conflict("This person has not accepted their invitation yet: resend it, or revoke it.",
                           {"active": ["Becomes true when the invitation is accepted."]})
        name = (body.get("name") or "").strip() or row.name
        conn.execute(update(t).where(t.c.id == account_id).values(
            role=role, clinician_id=cid or None, active=active, name=name, updated_at=naive_utc(now)))
        _announce_changes(conn, c, principal, row, role, cid or None, active, name, now)
        return view(get_row(conn, account_id))


def _announce_changes(conn, c, principal, row, role, cid, active, name, now) -> None:
    tables = c.tables["revocations"]
    account = {"account_id": row.id, "role": role, "clinician_id": cid}
    if (role, cid) != (row.role, row.clinician_id):
        end_sessions(conn, c, row.id, now)
        audit.record_own(conn, c, principal, "account.role_changed", row.id, now)
    if row.active and not active:
        end_sessions(conn, c, row.id, now)
        revocations.set_account_disabled(conn, tables, row.id, True)
        c.outbox.add(conn, "account.deactivated", row.id, account, now)
        audit.record_own(conn, c, principal, "account.deactivated", row.id, now)
    elif active and not row.active:
        revocations.set_account_disabled(conn, tables, row.id, False)
        c.outbox.add(conn, "account.reactivated", row.id, account, now)
        audit.record_own(conn, c, principal, "account.reactivated", row.id, now)
    if name != row.name:
        audit.record_own(conn, c, principal, "account.renamed", row.id, now)


def end_sessions(conn, c, account_id: str, now: datetime, keep: str | None = None) -> int:
    """Revokes the account's live sessions (but `keep`) here and, by `session.revoked` events, everywhere."""
    s = sessions_table
    live = conn.execute(select(s.c.id, s.c.expires_at).where(
        s.c.account_id == account_id, s.c.revoked_at.is_(None), s.c.expires_at > naive_utc(now),
        s.c.id != (keep or ""))).all()
    for sid, expires_at in live:
        revoke_session(conn, c, account_id, sid, utc(expires_at), now)
    return len(live)


def revoke_session(conn, c, account_id: str, session_id: str, expires_at: datetime, now: datetime) -> None:
    s = sessions_table
    conn.execute(update(s).where(s.c.id == session_id, s.c.revoked_at.is_(None)).values(revoked_at=naive_utc(now)))
    revocations.revoke_session(conn, c.tables["revocations"], session_id, expires_at)
    c.outbox.add(conn, "session.revoked", f"session-{session_id}",
                 {"session_id": session_id, "account_id": account_id, "expires_at": expires_at}, now)


def set_password(c, principal: Principal, account_id: str, password: str, current: str | None,
                 now: datetime) -> None:
    """A new password: the account itself gives its current one (its other sessions end), an admin
    resets another's without it (all its sessions end)."""
    with c.db.read() as conn:
        row = get_row(conn, account_id)
    itself = principal.account_id == account_id
    if itself and not c.extra["passwords"].check(row.password_hash, current or ""):
        raise Invalid("current_password: not right.", {"current_password": ["Not right."]})
    weak = passwords.weakness(password, row.email, row.name)
    if weak:
        raise Invalid(f"password: {weak}", {"password": [weak]})
    hashed = c.extra["passwords"].hash(password)
    with c.db.write() as conn:
        conn.execute(update(t).where(t.c.id == account_id).values(password_hash=hashed, updated_at=naive_utc(now)))
        end_sessions(conn, c, account_id, now, keep=principal.session_id if itself else None)
        action = "account.password_changed" if itself else "account.password_reset"
        audit.record_own(conn, c, principal, action, account_id, now)


def remove_totp(c, principal: Principal, account_id: str, now: datetime) -> dict:
    """An admin's reset for a lost authenticator: the account signs in with its password alone again."""
    with c.db.write() as conn:
        get_row(conn, account_id)
        conn.execute(update(t).where(t.c.id == account_id).values(totp_secret=None, totp_last_step=None,
                                                                   updated_at=naive_utc(now)))
        audit.record_own(conn, c, principal, "account.totp_removed", account_id, now)
        return view(get_row(conn, account_id))


def totp_secret(c, row) -> str | None:
    return sealed.unseal(c.settings.secret_key, TOTP_PURPOSE, row.totp_secret) if row.totp_secret else None
