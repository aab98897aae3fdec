"""Idempotency keys and per-address rate-limit counters (in the database, so every worker shares them)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, text, update

from services.booking.adapters.orm import idempotency_keys as k
from services.booking.adapters.orm import rate_limits as r
from services.booking.adapters.sql import Runner, bind, is_postgres, upsert
from shared.clock import naive_utc


def get_key(session: Runner, key_hash: str):
    return session.execute(select(k).where(k.c.key_hash == key_hash).with_for_update()).first()


def claim_key(session: Runner, key_hash: str, fingerprint: str, now: datetime, owner: str | None = None) -> bool:
    """Records the key as in progress (by `owner`, the claiming process); False when someone holds it already."""
    stmt = upsert(session, k).values(key_hash=key_hash, fingerprint=fingerprint, status="in_progress",
                                     created_at=naive_utc(now), updated_at=naive_utc(now),
                                     owner=owner).on_conflict_do_nothing()
    return session.execute(stmt.returning(k.c.key_hash)).first() is not None


def finish_key(session: Runner, key_hash: str, status: int, content_type: str, body: str, now: datetime) -> None:
    session.execute(update(k).where(k.c.key_hash == key_hash).values(
        status="done", response_status=status, response_type=content_type, response_body=body,
        updated_at=naive_utc(now)))


def drop_key(session: Runner, key_hash: str) -> None:
    session.execute(delete(k).where(k.c.key_hash == key_hash))


def purge_keys(session: Runner, before: datetime) -> int:
    return session.execute(delete(k).where(k.c.created_at < naive_utc(before))).rowcount


_UPSERT = ("ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits")
_PARAMS = (bindparam("bucket", type_=r.c.bucket.type), bindparam("window_start", type_=r.c.window_start.type))
_HIT = text(
    "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:bucket, :window_start, 1) " + _UPSERT
).bindparams(*_PARAMS)
# PostgreSQL counts apart from the request's transaction, in a statement that commits on its own.
# Every client behind one address (or one proxy) updates the same row, so each count holds that
# row's lock until its commit: without waiting for the WAL flush (a counter lost in a crash costs
# nothing), the counts of concurrent requests no longer queue behind one fsync after another.
HIT_ASYNC_COMMIT_SQL = (
    "INSERT INTO rate_limits (bucket, window_start, hits) SELECT :bucket, :window_start, 1 "
    "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit " + _UPSERT)
_HIT_ASYNC_COMMIT = text(HIT_ASYNC_COMMIT_SQL).bindparams(*_PARAMS)


def hit(session: Runner, bucket: str, window_start: datetime) -> int:
    """Counts one more request in the bucket's window and returns the count so far."""
    stmt = _HIT_ASYNC_COMMIT if is_postgres(session) and _autocommit(session) else _HIT
    return session.execute(stmt, {"bucket": bucket, "window_start": naive_utc(window_start)}).scalar_one()


_PREVIOUS = text("SELECT hits FROM rate_limits WHERE bucket = :bucket AND window_start = :window_start"
                 ).bindparams(*_PARAMS)


def hit_sliding(session: Runner, bucket: str, window_start: datetime, previous_start: datetime) -> tuple[int, int]:
    """Counts one more request in the bucket's window; returns its count so far and the previous
    window's (for a sliding estimate)."""
    hits = hit(session, bucket, window_start)
    previous = session.execute(_PREVIOUS, {"bucket": bucket, "window_start": naive_utc(previous_start)}).scalar()
    return hits, previous or 0


def spend_once(session: Runner, key: str, until: datetime) -> bool:
    """Records a single-use value (a solved challenge's signature) until it lapses; False when it
    was spent before. Kept in the counters' table: a row per value, purged with them."""
    return hit(session, key[:80], until) == 1


def _autocommit(session: Runner) -> bool:
    """Only a statement that is its own transaction may give up the flush: never a booking's."""
    return bind(session).get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def purge_hits(session: Runner, before: datetime) -> int:
    """Counters of windows that began before `before` (spent challenges are kept until they lapse)."""
    return session.execute(delete(r).where(r.c.window_start < naive_utc(before))).rowcount
