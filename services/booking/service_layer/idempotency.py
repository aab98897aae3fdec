"""Idempotency keys: for 24 hours the same key and request get the first answer back.

Stored answers never hold a secret in the clear: token fields are sealed (Fernet) with a key derived
from the Idempotency-Key itself, which only the client knows (we keep another hash of it).
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from services.booking.adapters import requests_log
from services.booking.domain.errors import IdempotencyInProgress, IdempotencyMismatch
from shared import process_owner as owner
from shared.clock import naive_utc

KEY_TTL = timedelta(hours=24)
# A first request still running holds its key this long at most: less than a hold lasts, so a
# client whose confirm died with its worker can retry before its hold lapses. A key whose owner
# process is gone (same machine: its pid no longer runs the process that claimed) is free at once.
IN_PROGRESS_LEASE = timedelta(seconds=15)
SECRET_FIELDS = ("token", "manage_token")


@dataclass
class Replay:
    status: int
    content_type: str
    body: str


def key_hash(key: str) -> str:
    return hashlib.sha256(f"attune-idempotency:{key}".encode()).hexdigest()


def begin(uow, key: str, fingerprint: str) -> Replay | None:
    """Claims the key for this request, or answers with the first request's stored response."""
    kh = key_hash(key)
    with uow.write() as tx:
        s, now = tx.session, tx.now
        row = requests_log.get_key(s, kh)
        if row is not None and _stale(row, now, lease(uow.policy.hold_ttl)):
            requests_log.drop_key(s, kh)
            row = None
        if row is None:
            if not requests_log.claim_key(s, kh, fingerprint, now, owner.current()):
                raise IdempotencyInProgress("The first request with this Idempotency-Key is still running.")
            return None
    if row.fingerprint != fingerprint:
        raise IdempotencyMismatch("This Idempotency-Key was used with a different request.", "Idempotency-Key")
    if row.status != "done":
        raise IdempotencyInProgress("The first request with this Idempotency-Key is still running.")
    return Replay(row.response_status, row.response_type, unseal(key, row.response_body))


def finish(uow, key: str, status: int, content_type: str, body: str) -> None:
    sealed = seal(key, body)
    with uow.write() as tx:
        requests_log.finish_key(tx.session, key_hash(key), status, content_type, sealed, tx.now)


def abandon(uow, key: str) -> None:
    """The request failed in a way worth retrying (5xx, 429): the key is free again."""
    with uow.write() as tx:
        requests_log.drop_key(tx.session, key_hash(key))


def lease(hold_ttl: timedelta) -> timedelta:
    """How long a running first request keeps its key: never more than a quarter of a hold's life."""
    return min(IN_PROGRESS_LEASE, hold_ttl / 4)


def _stale(row, now: datetime, in_progress_lease: timedelta = IN_PROGRESS_LEASE) -> bool:
    created, updated = row.created_at, row.updated_at
    naive_now = naive_utc(now)
    if created < naive_now - KEY_TTL:
        return True
    return row.status != "done" and (updated < naive_now - in_progress_lease or owner.gone(row.owner))


def _fernet(key: str) -> Fernet:
    """Authenticated encryption keyed by the Idempotency-Key (only its hash is stored)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"attune-seal:{key}".encode()).digest()))


def seal(key: str, body: str) -> str:
    box = _fernet(key)
    return _transform(body, lambda v: box.encrypt(v.encode()).decode())


def unseal(key: str, body: str) -> str:
    box = _fernet(key)

    def opened(value: str) -> str:
        try:
            return box.decrypt(value.encode()).decode()
        except InvalidToken:  # not sealed with this key: it stays sealed
            return value
    return _transform(body, opened)


def _transform(body: str, change) -> str:
    try:
        doc = json.loads(body)
    except ValueError:
        return body
    if not isinstance(doc, dict) or not any(isinstance(doc.get(f), str) for f in SECRET_FIELDS):
        return body
    for f in SECRET_FIELDS:
        if isinstance(doc.get(f), str):
            doc[f] = change(doc[f])
    return json.dumps(doc)


def purge(uow) -> None:
    """Forgets keys older than a day (the scheduled job), and rate counters of past windows (hourly
    ones are read for two hours)."""
    with uow.write() as tx:
        requests_log.purge_keys(tx.session, tx.now - KEY_TTL)
        requests_log.purge_hits(tx.session, tx.now - timedelta(hours=3))
