"""Injectable clocks: every component takes "now" from one, so tests move time without sleeping."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock tests set and advance by hand."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at = self.at + timedelta(**delta)


def utc(dt: datetime) -> datetime:
    """Naive datetimes from the database are UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def naive_utc(dt: datetime | None) -> datetime | None:
    """As times are stored: naive UTC (the columns keep no zone); `utc` reads them back."""
    return None if dt is None else utc(dt).replace(tzinfo=None)


def isoformat(dt: datetime) -> str:
    return utc(dt).isoformat().replace("+00:00", "Z")
