"""Idempotency keys: for 24 hours the same key and request get the first answer back.

Stored answers never hold a secret in the clear: token fields are sealed with a keystream derived
from the Idempotency-Key itself, which only the client knows (we keep its hash).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.booking.adapters import requests_log
from services.booking.domain.errors import IdempotencyInProgress, IdempotencyMismatch
from shared.clock import naive_utc

KEY_TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=60)
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
        if row is not None and _stale(row, now):
            requests_log.drop_key(s, kh)
            row = None
        if row is None:
            if not requests_log.claim_key(s, kh, fingerprint, now):
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


def _stale(row, now: datetime) -> bool:
    created, updated = row.created_at, row.updated_at
    naive_now = naive_utc(now)
    return created < naive_now - KEY_TTL or (row.status != "done" and updated < naive_now - ABANDONED_AFTER)


def _keystream(key: str, field: str, length: int) -> bytes:
    out, counter = b"", 0
    while len(out) < length:
        out += hmac.new(key.encode(), f"attune-seal:{field}:{counter}".encode(), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream))


def seal(key: str, body: str) -> str:
    return _transform(body, lambda f, v: base64.b64encode(_xor(v.encode(), _keystream(key, f, len(v)))).decode())


def unseal(key: str, body: str) -> str:
    def opened(f, v):
        raw = base64.b64decode(v)
        return _xor(raw, _keystream(key, f, len(raw))).decode(errors="replace")
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
            doc[f] = change(f, doc[f])
    return json.dumps(doc)


def purge(uow) -> None:
    """Forgets keys older than a day (the scheduled job), and rate counters of past minutes."""
    with uow.write() as tx:
        requests_log.purge_keys(tx.session, tx.now - KEY_TTL)
        requests_log.purge_hits(tx.session, tx.now - timedelta(minutes=5))
