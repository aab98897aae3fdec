"""Sign-in throttling arithmetic: how many failures in which window lock a key, and until when."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """`threshold` failures within `window` lock the key for `lock` after the last of them."""

    threshold: int
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)

    @property
    def lookback(self) -> timedelta:
        """How far back failures still matter: a lock can start no earlier than this."""
        return self.window + self.lock


ACCOUNT = Limit(5)  # per email address signed in to (known or not: an unknown one locks alike)
ADDRESS = Limit(20)  # per client address, across emails
INVITATION = Limit(10)  # invitation links tried per client address (a wrong link is a guess at a token)


def locked_until(failures: Iterable[datetime], now: datetime, limit: Limit) -> datetime | None:
    """When the lock the failures caused ends, or None if none holds at `now`.

    Attempts refused while locked are not failures (they never reach the password check), so a
    lock ends `limit.lock` after the failure that completed `threshold` within `limit.window`.
    """
    times = sorted(t for t in failures if t <= now)
    until = None
    for i in range(limit.threshold - 1, len(times)):
        if times[i] - times[i - limit.threshold + 1] < limit.window:
            until = times[i] + limit.lock
    return until if until is not None and until > now else None


def retry_after_seconds(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))
