"""Per-address rate limits, counted in the database so every gunicorn worker and replica shares them."""
from __future__ import annotations

from dataclasses import dataclass

from services.booking.adapters import requests_log
from services.booking.domain.errors import RateLimited


@dataclass(frozen=True)
class Quota:
    """So many requests per minute for one bucket (e.g. one client address and one kind of request)."""
    bucket: str
    per_minute: int


def spend(tx, quota: Quota | None) -> None:
    """Counts one request in the caller's transaction; over the quota raises RateLimited (and the
    rollback that follows leaves the count at the limit, so the refusals go on until the minute ends)."""
    if quota is None:
        return
    check(quota, requests_log.hit(tx.session, quota.bucket, window(tx.now)), tx.now)


def window(now):
    """The minute a request is counted in."""
    return now.replace(second=0, microsecond=0)


def check(quota: Quota, hits: int, now) -> None:
    """Refuses the request that took the count over the quota, until the minute ends."""
    if hits > quota.per_minute:
        retry = max(1, 60 - now.second)
        raise RateLimited(f"Too many requests from this address; try again in {retry} s.", retry)


def limit(uow, quota: Quota | None) -> None:
    """Counts one request on its own: the counter row of a busy address (or of a proxy every
    client comes through) must never stay locked for a whole transaction."""
    if quota is not None:
        with uow.apart() as tx:
            spend(tx, quota)


def counts_apart(uow) -> bool:
    """PostgreSQL counts a request on its own, before its transaction (where rows lock); SQLite,
    one writer at a time anyway, counts it inside the transaction, one transaction fewer."""
    return not uow.db.sqlite
