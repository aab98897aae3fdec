"""Open slots: the search window, each clinician's expanded schedule (cached by version), minus busy slots.

Slot instants are whole seconds since the epoch (UTC) inside this module: a week of the whole
practice is thousands of slots, and ints hash, compare and sort far faster than aware datetimes.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.availability.domain.model import Invalid
from shared.schedule import closed_by_rules, slot_starts

SLOT_SECONDS = 15 * 60
EPOCH = datetime(1970, 1, 1)
INSTANT = timedelta(microseconds=1)


def epoch(at: datetime) -> int:
    """Seconds since the epoch; naive datetimes (from the database) are UTC."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return int((at - EPOCH).total_seconds())


def epoch_ceil(at: datetime) -> int:
    """Seconds since the epoch, rounded up: the first whole second at or after `at`."""
    return epoch(at) + (1 if at.microsecond else 0)


def instant(seconds: int) -> datetime:
    """The aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def search_window(now: datetime, notice: timedelta, lookahead: timedelta,
                  start: datetime | None = None, end: datetime | None = None) -> tuple[datetime, datetime]:
    """[now + notice, now + lookahead], narrowed by the client's start/end (the upper bound is returned
    exclusive, so a slot may start at the lookahead's very instant, as the booking service allows).

    A range that ends before it starts, lies wholly beyond the lookahead or wholly in the past is
    an error naming the field; one that merely overlaps the bookable window is clipped to it.
    """
    earliest, latest = now + notice, now + lookahead
    if start is not None and end is not None and start >= end:
        raise Invalid({"start": ["must be before end"], "end": ["must be after start"]})
    if start is not None and start > latest:
        raise Invalid({"start": [f"is beyond the lookahead: slots are listed up to {_z(latest)}"]})
    if end is not None and end <= now:
        raise Invalid({"end": [f"is in the past: it must be after {_z(now)}"]})
    low = earliest if start is None else max(earliest, start)
    high = latest + INSTANT if end is None else min(latest + INSTANT, end)
    return low, max(low, high)


def _z(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Expansion:
    version: int
    time_zone: str
    low: int
    high: int
    starts: list[int]


class ExpansionCache:
    """Each clinician's slot starts over a span of days, kept until the version or zone changes.

    Expanding a schedule walks every window of every day through zoneinfo; the result depends only
    on (schedule version, zone, span), so each process does it once per change, not per request.
    """

    def __init__(self):
        self._entries: dict[str, _Expansion] = {}

    def stale(self, wanted: list[tuple[str, int, str]], low: datetime, high: datetime) -> list[str]:
        """The ids among (id, version, zone) whose expansion is missing, outdated, or too short."""
        lo, hi = epoch_ceil(low), epoch_ceil(high)
        out = []
        for clinician_id, version, zone in wanted:
            entry = self._entries.get(clinician_id)
            if entry is None or (entry.version, entry.time_zone) != (version, zone) \
                    or not entry.low <= lo <= hi <= entry.high:
                out.append(clinician_id)
        return out

    def put(self, clinician_id: str, version: int, time_zone: str, schedule: dict,
            low: datetime, high: datetime) -> None:
        starts = [epoch(at) for at in slot_starts(schedule, time_zone, low, high)]
        self._entries[clinician_id] = _Expansion(version, time_zone, epoch(low), epoch(high), starts)

    def starts(self, clinician_id: str, low: datetime, high: datetime) -> list[int]:
        """Slot starts in [low, high); the span must have been filled (see `stale`)."""
        starts = self._entries[clinician_id].starts
        return starts[bisect_left(starts, epoch_ceil(low)):bisect_left(starts, epoch_ceil(high))]


def busy_sets(rows, slot_seconds: int = SLOT_SECONDS) -> dict[str, set[int]]:
    """{clinician id: slot starts} covered by busy (clinician_id, start, end) rows."""
    busy: dict[str, set[int]] = {}
    seconds: dict[datetime, int] = {}  # rows share a few hundred distinct instants
    for clinician_id, start, end in rows:
        at, stop = seconds.get(start), seconds.get(end)
        if at is None:
            at = seconds[start] = epoch(start)
        if stop is None:
            stop = seconds[end] = epoch(end)
        taken = busy.get(clinician_id)
        if taken is None:
            taken = busy[clinician_id] = set()
        at -= at % slot_seconds
        while at < stop:
            taken.add(at)
            at += slot_seconds
    return busy


RULES_REACH = timedelta(days=1, hours=3)  # a local day (up to 25 h) and the longest buffer either side


def limited(clinician) -> bool:
    """A daily cap or a buffer: the clinician's open slots depend on their other consultations."""
    return bool(clinician.max_per_day) or bool(clinician.buffer_minutes)


def closed_starts(starts: list[int], clinician, booked: list[tuple[int, int]],
                  slot_seconds: int = SLOT_SECONDS) -> set[int]:
    """The starts the clinician's daily cap and buffer close, given their consultations `booked`."""
    if not limited(clinician):
        return set()
    return closed_by_rules(starts, booked, clinician.time_zone, clinician.max_per_day, clinician.buffer_minutes,
                           timedelta(seconds=slot_seconds))


def within_rules(starts: list[int], clinician, booked: list[tuple[int, int]],
                 slot_seconds: int = SLOT_SECONDS) -> list[int]:
    """The starts the clinician's daily cap and buffer leave open, given their consultations `booked`."""
    closed = closed_starts(starts, clinician, booked, slot_seconds)
    return [t for t in starts if t not in closed] if closed else starts


def open_starts(starts: list[int], busy: set[int] | None) -> list[int]:
    return [t for t in starts if t not in busy] if busy else starts


@dataclass(frozen=True)
class SlotList:
    """Open slots sorted by start, then clinician id; iterating gives (start in epoch seconds, clinician id).

    Packed as one int per slot (start * n + clinician index): a whole practice's week is thousands
    of slots, and thousands of live tuples per request would push the garbage collector into full
    collections that stall a request now and then; ints are not tracked by it.
    """
    keys: list[int]
    clinician_ids: list[str]

    def __iter__(self):
        n, ids = len(self.clinician_ids), self.clinician_ids
        for key in self.keys:
            yield key // n, ids[key % n]

    def __len__(self) -> int:
        return len(self.keys)


def merge(per_clinician: dict[str, list[int]]) -> SlotList:
    """All open slots of all clinicians, sorted by start then clinician id."""
    ids = sorted(per_clinician)
    n = len(ids)
    return SlotList(sorted(t * n + i for i, cid in enumerate(ids) for t in per_clinician[cid]), ids)
