"""Per-address rate limits, counted in the database so every gunicorn worker and replica shares them.

Sliding windows: a request is judged by the hits of its own window plus the previous window's,
weighted by how much of that window still lies within one period of now. A fixed window let an
address spend its quota at the end of one minute and again at the start of the next (twice the
quota within two seconds); the weighted estimate allows at most about one quota in any period.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.booking.adapters import requests_log
from services.booking.domain.errors import RateLimited


@dataclass(frozen=True)
class Quota:
    """So many requests per period for one bucket (e.g. one client address and one kind of request)."""
    bucket: str
    per_minute: int  # the quota per period (a minute unless `period` says otherwise)
    period: int = 60  # seconds

    @property
    def limit(self) -> int:
        return self.per_minute


def spend(tx, quota: Quota | None) -> None:
    """Counts one request in the caller's transaction; over the quota raises RateLimited. Refused
    requests count too, so an address that keeps trying stays refused."""
    if quota is None:
        return
    start, previous_start = windows(tx.now, quota.period)
    hits, previous = requests_log.hit_sliding(tx.session, quota.bucket, start, previous_start)
    check(quota, hits, tx.now, previous)


def window(now: datetime, period: int = 60) -> datetime:
    """The window a request is counted in."""
    return windows(now, period)[0]


def windows(now: datetime, period: int = 60) -> tuple[datetime, datetime]:
    """The start of the window `now` falls in, and of the one before."""
    seconds = int(now.timestamp()) // period * period
    start = datetime.fromtimestamp(seconds, UTC)
    return start, start - timedelta(seconds=period)


def estimate(quota: Quota, hits: int, now: datetime, previous: int = 0) -> float:
    """The requests of the last period: this window's, and the previous one's share still in it."""
    start = window(now, quota.period)
    elapsed = (now - start).total_seconds()
    return hits + previous * max(0.0, 1 - elapsed / quota.period)


def check(quota: Quota, hits: int, now: datetime, previous: int = 0) -> None:
    """Refuses the request that took the sliding count over the quota."""
    if estimate(quota, hits, now, previous) > quota.limit:
        raise RateLimited(f"Too many requests from this address; try again in {_retry(quota, hits, now, previous)} s.",
                          _retry(quota, hits, now, previous))


def _retry(quota: Quota, hits: int, now: datetime, previous: int) -> int:
    """Seconds until the estimate falls to the quota again (this window's hits do not fall)."""
    start = window(now, quota.period)
    elapsed = (now - start).total_seconds()
    if previous and hits <= quota.limit:  # the previous window's share shrinks as this one goes on
        needed = quota.period * (1 - (quota.limit - hits) / previous)
        return max(1, math.ceil(needed - elapsed))
    return max(1, math.ceil(quota.period - elapsed))


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
