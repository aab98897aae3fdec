"""Sign-in, sign-out and renewal of staff sessions, with lockouts against guessing.

Every attempt is written down as a failure *before* the password is checked (and struck out when it
succeeds), so parallel guesses count as well as sequential ones; an unknown email costs the same
argon2 check as a known one and answers the same 401.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from services.staff.adapters.orm import accounts, sign_in_failures
from services.staff.adapters.orm import sessions as t
from services.staff.domain import lockout, totp
from services.staff.domain.accounts import normalise_email
from services.staff.service_layer import audit, totp_setup
from services.staff.service_layer.accounts import get_row, revoke_session, totp_secret, view
from services.staff.service_layer.errors import SignInRefused, TooManyAttempts, TotpEnrolmentRequired
from shared import auth, sealed
from shared.clock import naive_utc, utc

ENROLMENT_PURPOSE = "staff-totp-enrolment"
ENROLMENT_TTL = timedelta(minutes=10)


def sign_in(c, email: str, password: str, otp: str | None, address: str, now: datetime,
            setup_token: str | None = None) -> dict:
    """A new session for the right email, password (and code): {token, expires_at, account}. With a TOTP
    `setup_token`, the code is the first of the key it offers, which is turned on with this sign-in."""
    email = normalise_email(email)
    attempt = _start_attempt(c, email, address or "unknown", now)
    with c.db.read() as conn:
        row = conn.execute(select(accounts).where(accounts.c.email == email)).first()
    if not c.extra["passwords"].check(row.password_hash if row else None, password) or not row.active:
        raise SignInRefused()
    step, new_key = _second_factor(c, row, otp, now, attempt, setup_token)
    passwords = c.extra["passwords"]
    rehashed = passwords.hash(password) if passwords.needs_rehash(row.password_hash) else None
    with c.db.write() as conn:
        row = get_row(conn, row.id)
        if not row.active or (step is not None and not _use_step(conn, c, row, step, new_key, now)):
            raise SignInRefused()
        row = get_row(conn, row.id) if new_key else row  # as the session's answer shows it: with TOTP on
        if rehashed:  # the hasher's parameters were raised since this hash was made
            conn.execute(update(accounts).where(accounts.c.id == row.id).values(password_hash=rehashed))
        _end_attempt(conn, email, attempt)
        return _open_session(conn, c, row, now, "session.signed_in")


def _start_attempt(c, email: str, address: str, now: datetime) -> list[int]:
    return start_attempt(c, [("email", email, lockout.ACCOUNT), ("address", address, lockout.ADDRESS)], now)


def start_attempt(c, keys: list[tuple[str, str, lockout.Limit]], now: datetime) -> list[int]:
    """Refuses when any (kind, key) is locked (429), else records this attempt as a failure of each
    until it succeeds."""
    f = sign_in_failures
    since = naive_utc(now - max(limit.lookback for _, _, limit in keys))
    with c.db.write() as conn:
        for kind, key, limit in keys:
            times = conn.execute(select(f.c.at).where(f.c.kind == kind, f.c.key == key, f.c.at >= since)).scalars()
            until = lockout.locked_until([utc(x) for x in times], now, limit)
            if until is not None:
                raise TooManyAttempts(lockout.retry_after_seconds(until, now))
        return [conn.execute(insert(f).values(kind=kind, key=key, at=naive_utc(now)).returning(f.c.id)).scalar_one()
                for kind, key, _ in keys]


def _end_attempt(conn, email: str, attempt: list[int]) -> None:
    """A success: this attempt was no failure, and the email's earlier failures are forgiven."""
    f = sign_in_failures
    conn.execute(delete(f).where(or_(f.c.id.in_(attempt), (f.c.kind == "email") & (f.c.key == email))))


def _second_factor(c, row, otp: str | None, now: datetime, attempt: list[int],
                   setup_token: str | None) -> tuple[int | None, str | None]:
    """The TOTP step of a valid code (None when the account has no TOTP), and the key a setup token
    offered when the code is that key's first; refusals as the contract says."""
    secret = totp_secret(c, row)
    offered = totp_setup.offered_secret(c, setup_token, row.id, now) if secret is None and setup_token else None
    if offered:
        return _step(offered, otp, now, None), offered
    if secret is None:
        if c.settings.staff_require_totp and row.role == "admin":
            _forgive(c, attempt)
            raise TotpEnrolmentRequired(row.id, enrolment_token(c, row.id, now))
        return None, None
    if not otp:
        _forgive(c, attempt)  # the right password without the code: the client asks for the code next
        raise SignInRefused("This account signs in with a code from its authenticator app (otp).",
                            {"otp": ["Required for this account."]}, slug="otp-required")
    return _step(secret, otp, now, row.totp_last_step), None


def _step(secret: str, otp: str | None, now: datetime, last_step: int | None) -> int:
    step = totp.accepted_step(secret, otp, now, last_step)
    if step is None:
        raise SignInRefused()
    return step


def _forgive(c, attempt: list[int]) -> None:
    with c.db.write() as conn:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.id.in_(attempt)))


def _use_step(conn, c, row, step: int, new_key: str | None, now: datetime) -> bool:
    """Marks a code's step used; False when it (or a later one) already was: no replay, even in a race.
    A first code turns its new key on, unless a key came into force meanwhile."""
    if new_key:
        if row.totp_secret is not None:
            return False
        totp_setup.keep(conn, c, auth.Principal(row.id, row.role, row.clinician_id), row.id, new_key, step, now)
        return True
    a = accounts
    return conn.execute(update(a).where(a.c.id == row.id, or_(a.c.totp_last_step.is_(None),
                                                              a.c.totp_last_step < step))
                        .values(totp_last_step=step)).rowcount == 1


def _open_session(conn, c, row, now: datetime, action: str) -> dict:
    token, sid, expires = auth.issue(c.settings.secret_key, row.id, row.role, row.clinician_id, now,
                                     ttl=timedelta(minutes=c.settings.staff_session_minutes))
    expires = expires.replace(microsecond=0)  # as the token's `exp` says it
    conn.execute(insert(t).values(id=sid, account_id=row.id, created_at=naive_utc(now), expires_at=naive_utc(expires)))
    principal = auth.Principal(row.id, row.role, row.clinician_id, sid)
    audit.record_own(conn, c, principal, action, row.id, now)
    return {"token": token, "expires_at": expires, "account": view(row)}


def sign_out(c, principal: auth.Principal, now: datetime) -> None:
    """Ends the caller's session here at once and, through `session.revoked`, everywhere else."""
    with c.db.write() as conn:
        row = conn.execute(select(t).where(t.c.id == principal.session_id)).first()
        expires = utc(row.expires_at) if row else now + auth.SESSION_TTL
        revoke_session(conn, c, principal.account_id, principal.session_id, expires, now)
        audit.record_own(conn, c, principal, "session.signed_out", principal.account_id, now)


def renew(c, principal: auth.Principal, now: datetime) -> dict:
    """Sliding renewal: a fresh token (STAFF_SESSION_MINUTES) for the same account; the old one is revoked."""
    with c.db.write() as conn:
        row = get_row(conn, principal.account_id)
        if not row.active or (row.role, row.clinician_id) != (principal.role, principal.clinician_id):
            raise SignInRefused("This session no longer matches its account; sign in again.")
        old = conn.execute(select(t.c.expires_at).where(t.c.id == principal.session_id)).scalar()
        revoke_session(conn, c, row.id, principal.session_id, utc(old) if old else now + auth.SESSION_TTL, now)
        return _open_session(conn, c, row, now, "session.renewed")


OWNER_ACCOUNT = {"id": "owner", "email": None, "name": "Practice owner (admin token)", "role": "admin",
                 "clinician_id": None, "active": True, "totp": False, "created_at": None}


def current(c, principal: auth.Principal) -> dict:
    if principal.owner:
        return OWNER_ACCOUNT
    with c.db.read() as conn:
        return view(get_row(conn, principal.account_id))


def enrolment_token(c, account_id: str, now: datetime) -> str:
    """A sealed, 10-minute credential that may only enrol TOTP for one account (not a session token:
    no service but this one accepts it, and here only for POST /v1/accounts/{id}/totp)."""
    payload = json.dumps({"account_id": account_id, "nonce": uuid.uuid4().hex, "at": now.timestamp()})
    return sealed.seal(c.settings.secret_key, ENROLMENT_PURPOSE, payload)


def enrolment_account(c, token: str | None, now: datetime) -> str | None:
    """The account an enrolment token is for, while it is fresh; None otherwise."""
    if not token or "." in token:
        return None
    try:
        payload = json.loads(sealed.unseal(c.settings.secret_key, ENROLMENT_PURPOSE, token))
    except (sealed.InvalidToken, ValueError):
        return None
    if not 0 <= now.timestamp() - payload["at"] <= ENROLMENT_TTL.total_seconds():
        return None
    return payload["account_id"]

