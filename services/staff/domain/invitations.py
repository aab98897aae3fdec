"""Invitations: a random link token (only its hash is kept), 72 hours to accept it, once."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

TTL = timedelta(hours=72)
PENDING_PASSWORD = "!invited"  # an invited account's password hash until it accepts: no password matches it
SEAL_PURPOSE = "staff-invitation"  # the token travels sealed with this purpose, for the notifications service


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, stored: str) -> bool:
    return hmac.compare_digest(digest(token), stored)


def state(accepted_at: datetime | None, revoked_at: datetime | None, expires_at: datetime, now: datetime) -> str:
    """`accepted`, `revoked`, `expired` or `pending`."""
    if accepted_at is not None:
        return "accepted"
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "pending"


REFUSALS = {  # what a person who opens a link that no longer works is told
    "accepted": "This invitation was already used. Sign in with the email and password you chose.",
    "revoked": "This invitation was withdrawn by the practice. Ask its admin for a new one if you need it.",
    "expired": "This invitation has expired (links work for 72 hours). Ask the practice's admin to send it again.",
    "unknown": "This invitation link is not valid: it may be mistyped, or a newer invitation was sent since. "
               "Use the link in the latest email, or ask the practice's admin to send it again.",
}
