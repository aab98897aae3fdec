"""Invitations: an admin invites someone by email; they choose their own password on the link, once.

The invited account exists from the start (inactive, no usable password), so its email is taken and
it shows in the accounts list as `invited`. The link's token is random, kept here only as a hash, and
travels only sealed (for the notifications service, which mails it) in `account.invited`; a resend
makes a new token, so the older link stops working.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.staff.adapters.orm import accounts as a
from services.staff.adapters.orm import invitations as t
from services.staff.domain import invitations as rules
from services.staff.domain import lockout, passwords
from services.staff.domain.accounts import email_errors, normalise_email, role_errors
from services.staff.service_layer import audit, sessions
from services.staff.service_layer.accounts import get_row
from services.staff.service_layer.errors import Conflict, Forbidden, Invalid, InvitationRefused, NotFound
from shared import sealed
from shared.auth import Principal
from shared.clock import naive_utc, utc

TAKEN = "An account (or an invitation) with this email exists."


def view(inv, account, now: datetime) -> dict:
    return {"id": inv.id, "account_id": inv.account_id, "email": account.email, "name": account.name,
            "role": account.role, "clinician_id": account.clinician_id, "created_at": utc(inv.created_at),
            "sent_at": utc(inv.sent_at), "sends": inv.sends, "expires_at": utc(inv.expires_at),
            "status": rules.state(inv.accepted_at, inv.revoked_at, utc(inv.expires_at), now)}


def invite(c, principal: Principal, body: dict, now: datetime) -> dict:
    """A new invited account and its link, mailed by the notifications service (`account.invited`)."""
    email = normalise_email(body["email"])
    name = (body.get("name") or "").strip() or email.split("@")[0]
    role, cid = body.get("role"), body.get("clinician_id") or None
    errors = {**email_errors(email), **role_errors(role, cid)}
    if errors:
        raise Invalid("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors)
    account_id, invitation_id, token = str(uuid.uuid4()), f"inv_{uuid.uuid4().hex}", rules.new_token()
    try:
        with c.db.write() as conn:
            if conn.execute(select(a.c.id).where(a.c.email == email)).first():
                raise Conflict(TAKEN, {"email": ["Already in use."]})
            conn.execute(insert(a).values(id=account_id, email=email, name=name, role=role, clinician_id=cid,
                                          active=False, password_hash=rules.PENDING_PASSWORD,
                                          created_at=naive_utc(now), updated_at=naive_utc(now)))
            conn.execute(insert(t).values(id=invitation_id, account_id=account_id, token_hash=rules.digest(token),
                                          created_by=principal.account_id, created_at=naive_utc(now),
                                          sent_at=naive_utc(now), sends=1, expires_at=naive_utc(now + rules.TTL)))
            return _announce(conn, c, principal, invitation_id, token, "account.invited", now)
    except IntegrityError:  # the same email invited at the same moment
        raise Conflict(TAKEN, {"email": ["Already in use."]}) from None


def _announce(conn, c, principal, invitation_id: str, token: str, action: str, now: datetime) -> dict:
    inv = _row(conn, invitation_id)
    account = get_row(conn, inv.account_id)
    c.outbox.add(conn, "account.invited", account.id, {
        "account_id": account.id, "invitation_id": inv.id, "role": account.role,
        "clinician_id": account.clinician_id, "expires_at": utc(inv.expires_at),
        "invitee": {"name": account.name, "email": account.email},
        "sealed_invitation_token": sealed.seal(c.settings.secret_key, rules.SEAL_PURPOSE, token)}, now)
    audit.record_own(conn, c, principal, action, account.id, now)
    return view(inv, account, now)


def listing(c, now: datetime) -> list[dict]:
    """Invitations not yet accepted nor revoked (expired ones too: they may be resent), newest first."""
    with c.db.read() as conn:
        rows = conn.execute(select(t, a.c.email, a.c.name, a.c.role, a.c.clinician_id)
                            .join(a, a.c.id == t.c.account_id)
                            .where(t.c.accepted_at.is_(None), t.c.revoked_at.is_(None))
                            .order_by(t.c.created_at.desc(), t.c.id)).all()
    return [view(r, r, now) for r in rows]


def resend(c, principal: Principal, invitation_id: str, now: datetime) -> dict:
    """A new link (the older one stops working), valid 72 hours from now, mailed again."""
    token = rules.new_token()
    with c.db.write() as conn:
        inv = _open(conn, invitation_id, "resent")
        conn.execute(update(t).where(t.c.id == inv.id).values(
            token_hash=rules.digest(token), sent_at=naive_utc(now), sends=inv.sends + 1,
            expires_at=naive_utc(now + rules.TTL)))
        return _announce(conn, c, principal, inv.id, token, "account.invitation_resent", now)


def revoke(c, principal: Principal, invitation_id: str, now: datetime) -> None:
    """Withdraws the link and removes the account that never signed in (its email is free again);
    revoking twice changes nothing."""
    with c.db.write() as conn:
        inv = _row(conn, invitation_id)
        if inv.revoked_at is not None:
            return
        _open(conn, invitation_id, "revoked")
        conn.execute(update(t).where(t.c.id == inv.id).values(revoked_at=naive_utc(now)))
        conn.execute(delete(a).where(a.c.id == inv.account_id, a.c.password_hash == rules.PENDING_PASSWORD))
        audit.record_own(conn, c, principal, "account.invitation_revoked", inv.account_id, now)


def _row(conn, invitation_id: str):
    row = conn.execute(select(t).where(t.c.id == invitation_id)).first()
    if row is None:
        raise NotFound("No such invitation.")
    return row


def _open(conn, invitation_id: str, doing: str):
    """The invitation, while it is neither accepted nor revoked (409 otherwise)."""
    inv = _row(conn, invitation_id)
    if inv.accepted_at is not None:
        raise Conflict(f"This invitation was accepted already, so it cannot be {doing}: "
                       "the account is in use (deactivate it instead).")
    if inv.revoked_at is not None:
        raise Conflict(f"This invitation was revoked, so it cannot be {doing}: invite the person again.")
    return inv


def accept(c, token: str, password: str, address: str, now: datetime) -> dict:
    """The invited person's own password: the account is active and signed in ({token, expires_at,
    account}, as POST /v1/sessions answers). A link works once; wrong links count against the address."""
    attempt = sessions.start_attempt(c, [("invitation", address or "unknown", lockout.INVITATION)], now)
    with c.db.read() as conn:
        inv = conn.execute(select(t).where(t.c.token_hash == rules.digest(token or ""))).first()
        account = conn.execute(select(a).where(a.c.id == inv.account_id)).first() if inv else None
    if inv is None:
        raise InvitationRefused("unknown", rules.REFUSALS["unknown"])
    sessions._forgive(c, attempt)  # a real link: no guess, whatever comes next
    _refuse_unless_pending(inv, now)  # a revoked one's account is gone: say why first
    if account is None:
        raise InvitationRefused("unknown", rules.REFUSALS["unknown"])
    weak = passwords.weakness(password, account.email, account.name)
    if weak:
        raise Invalid(f"password: {weak}", {"password": [weak]})
    hashed = c.extra["passwords"].hash(password)  # slow on purpose: outside the write lock
    with c.db.write() as conn:
        if conn.execute(update(t).where(t.c.id == inv.id, t.c.token_hash == inv.token_hash,
                                        t.c.accepted_at.is_(None), t.c.revoked_at.is_(None),
                                        t.c.expires_at > naive_utc(now)).values(accepted_at=naive_utc(now))).rowcount != 1:
            _refuse_unless_pending(_row(conn, inv.id), now, token_hash=inv.token_hash)
            raise InvitationRefused("unknown", rules.REFUSALS["unknown"])
        conn.execute(update(a).where(a.c.id == account.id).values(password_hash=hashed, active=True,
                                                                   updated_at=naive_utc(now)))
        row = get_row(conn, account.id)
        principal = Principal(row.id, row.role, row.clinician_id)
        audit.record_own(conn, c, principal, "account.invitation_accepted", row.id, now)
        totp_first = c.settings.staff_require_totp and row.role == "admin"
        answer = None if totp_first else sessions._open_session(conn, c, row, now, "session.signed_in")
    if totp_first:  # the password is kept; sign-in then sets up the second factor admins need here
        raise Forbidden("Your password is set. Admins here use a second factor: sign in to set it up.",
                        slug="invitation-accepted-sign-in")
    return answer


def _refuse_unless_pending(inv, now: datetime, token_hash: str | None = None) -> None:
    state = rules.state(inv.accepted_at, inv.revoked_at, utc(inv.expires_at), now)
    if token_hash is not None and inv.token_hash != token_hash:
        state = "unknown"  # resent meanwhile: this link is no longer the invitation's
    if state != "pending":
        raise InvitationRefused(state, rules.REFUSALS[state])
