"""Secret tokens: random, shown once, stored as SHA-256 hashes, compared in constant time."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from shared import sealed


def new() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str | None, stored_digest: str | None) -> bool:
    if not token or not stored_digest:
        return False
    return hmac.compare_digest(digest(token), stored_digest)


def manage_token_for(hold_token: str, booking_id: str) -> str:
    """The manage token follows from the hold token, so a retried confirm answers with the same one."""
    mac = hmac.new(hold_token.encode(), f"attune-manage:{booking_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def sealed_for_notifications(secret_key: str | None, manage_token: str) -> str | None:
    """The manage token sealed for the notifications service alone (it builds the emails' links):
    integrators bound to the exchange lack ATTUNE_SECRET_KEY, so they cannot open it. None without a key."""
    return sealed.seal(secret_key, sealed.MANAGE_LINK, manage_token) if secret_key else None
