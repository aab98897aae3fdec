"""Two-step sign-in set up in two steps: a key offered (nothing changes yet), kept once a first code proves
the authenticator app has it, so a half-finished setup never locks anyone out."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import segno
from sqlalchemy import update

from services.staff.adapters.orm import accounts as t
from services.staff.domain import totp
from services.staff.service_layer import audit
from services.staff.service_layer.accounts import TOTP_PURPOSE, get_row, view
from services.staff.service_layer.errors import Invalid
from shared import sealed
from shared.auth import Principal
from shared.clock import naive_utc

SETUP_PURPOSE = "staff-totp-setup"
SETUP_TTL = timedelta(minutes=10)


def authenticator(c, secret: str, email: str) -> dict:
    """What an authenticator app is given: the otpauth URI, its QR code (an SVG data: URI) and the key by hand."""
    uri = totp.otpauth_uri(secret, email, c.settings.practice_name)
    qr = segno.make(uri, error="m", micro=False).svg_data_uri(scale=1, border=4, omitsize=True, light="#fff")
    return {"otpauth_uri": uri, "secret": secret, "qr_code": qr}


def enrol(c, principal: Principal, account_id: str, now: datetime) -> dict:
    """A new key in force at once (the original, one-call enrolment): from now on sign-in needs a code."""
    secret = totp.new_secret()
    with c.db.write() as conn:
        row = get_row(conn, account_id)
        keep(conn, c, principal, account_id, secret, None, now)
    return authenticator(c, secret, row.email)


def offer(c, account_id: str, now: datetime) -> dict:
    """A new key and a sealed `setup_token` carrying it for ten minutes; the account is not changed."""
    with c.db.read() as conn:
        row = get_row(conn, account_id)
    secret = totp.new_secret()
    payload = json.dumps({"account_id": account_id, "secret": secret, "at": now.timestamp()})
    return {**authenticator(c, secret, row.email), "expires_at": now + SETUP_TTL,
            "setup_token": sealed.seal(c.settings.secret_key, SETUP_PURPOSE, payload)}


def offered_secret(c, setup_token: str | None, account_id: str, now: datetime) -> str | None:
    """The key a fresh setup token offered this account; None for another account's, an old or a forged one."""
    try:
        payload = json.loads(sealed.unseal(c.settings.secret_key, SETUP_PURPOSE, setup_token or ""))
    except (sealed.InvalidToken, ValueError):
        return None
    fresh = 0 <= now.timestamp() - payload["at"] <= SETUP_TTL.total_seconds()
    return payload["secret"] if fresh and payload["account_id"] == account_id else None


def confirm(c, principal: Principal, account_id: str, setup_token: str, otp: str, now: datetime) -> dict:
    """Keeps the offered key when `otp` is its current code (that code is then used up, as at sign-in)."""
    secret = offered_secret(c, setup_token, account_id, now)
    if secret is None:
        raise Invalid("setup_token: expired or not for this account; start the setup again.",
                      {"setup_token": ["Expired or not for this account: start the setup again."]})
    step = totp.accepted_step(secret, otp, now, None)
    if step is None:
        raise Invalid("otp: not the code the authenticator app shows now.",
                      {"otp": ["Not the code your app shows now. Enter the 6 digits it shows at the moment."]})
    with c.db.write() as conn:
        get_row(conn, account_id)
        keep(conn, c, principal, account_id, secret, step, now)
        return view(get_row(conn, account_id))


def keep(conn, c, principal: Principal, account_id: str, secret: str, step: int | None, now: datetime) -> None:
    """Stores the key sealed, with the step of the code that proved it (so that code works no second time)."""
    conn.execute(update(t).where(t.c.id == account_id).values(
        totp_secret=sealed.seal(c.settings.secret_key, TOTP_PURPOSE, secret), totp_last_step=step,
        updated_at=naive_utc(now)))
    audit.record_own(conn, c, principal, "account.totp_enrolled", account_id, now)
