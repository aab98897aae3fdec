"""Slot arithmetic over a schedule as `availability.changed` carries it (weekly windows, date
overrides, time off), shared by availability (which lists slots) and booking (which checks them).

Windows are wall-clock times in the clinician's zone. Each slot start is a wall-clock time on a
local date turned into UTC with zoneinfo, so a 09:00-12:00 window gives twelve slots on every day,
DST transition days included. A wall-clock time that does not exist that day (the skipped hour of
spring-forward) gives no slot; one that occurs twice (fall-back) counts once, at its first
occurrence.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT = timedelta(minutes=15)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def windows_on(schedule: dict, day: date) -> list[tuple[int, int]]:
    """The day's windows as (start, end) minutes after local midnight: its override, else its weekday."""
    for override in schedule.get("overrides") or []:
        if str(override["date"]) == day.isoformat():
            return [(_minutes(w["start"]), _minutes(w["end"])) for w in override["windows"]]
    weekday = WEEKDAYS[day.weekday()]
    return [(_minutes(w["start"]), _minutes(w["end"])) for w in schedule.get("weekly") or []
            if w["weekday"] == weekday]


def _to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    local = naive.replace(tzinfo=zone)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive:
        return None  # skipped by a spring-forward transition
    return as_utc


def time_off(schedule: dict) -> list[tuple[datetime, datetime]]:
    """The schedule's time-off ranges as UTC datetimes (they travel as RFC 3339 strings)."""
    out = []
    for item in schedule.get("time_off") or []:
        start, end = item["start"], item["end"]
        if isinstance(start, str):
            start, end = (datetime.fromisoformat(v) for v in (start, end))
        out.append((start.astimezone(UTC), end.astimezone(UTC)))
    return out


def slot_starts(schedule: dict, time_zone: str, start: datetime, end: datetime,
                slot: timedelta = SLOT) -> list[datetime]:
    """UTC starts of the schedule's slots that begin in [start, end), sorted, outside time off."""
    zone = ZoneInfo(time_zone)
    step = int(slot.total_seconds() // 60)
    off = time_off(schedule)
    day, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    found: set[datetime] = set()
    while day <= last:
        for first, stop in windows_on(schedule, day):
            for minute in range(first, stop - step + 1, step):
                at = _to_utc(day, minute, zone)
                if at is None or not (start <= at < end):
                    continue
                if any(s < at + slot and at < e for s, e in off):
                    continue
                found.add(at)
        day += timedelta(days=1)
    return sorted(found)


def offers(schedule: dict, time_zone: str, at: datetime, slot: timedelta = SLOT) -> bool:
    """Whether the schedule has a slot starting exactly at `at`."""
    return at in slot_starts(schedule, time_zone, at, at + slot, slot)


def on_grid(at: datetime, slot: timedelta = SLOT) -> bool:
    """Slots start on the quarter hour (UTC and every zone with a whole-quarter offset agree)."""
    return at.second == 0 and at.microsecond == 0 and at.minute % int(slot.total_seconds() // 60) == 0


def closed_by_rules(starts, booked, time_zone: str, max_per_day: int | None = None,
                    buffer_minutes: int | None = None, slot: timedelta = SLOT) -> set[int]:
    """The practice's rules (issue 15) over slot starts in epoch seconds: those that a full day
    (`max_per_day` consultations already on that day in the clinician's zone) or a consultation
    nearer than `buffer_minutes` closes. `booked`: the clinician's held and confirmed consultations
    as (start, end) epoch seconds, covering the local days of `starts` and a buffer either side."""
    if not max_per_day and not buffer_minutes:
        return set()
    zone, step, gap = ZoneInfo(time_zone), int(slot.total_seconds()), (buffer_minutes or 0) * 60
    days: dict[int, date] = {}

    def day_of(at: int) -> date:
        found = days.get(at)
        if found is None:
            found = days[at] = datetime.fromtimestamp(at, zone).date()
        return found

    full: set[date] = set()
    if max_per_day:
        count: dict[date, int] = {}
        for start, _ in booked:
            count[day_of(start)] = count.get(day_of(start), 0) + 1
        full = {day for day, n in count.items() if n >= max_per_day}
    near = sorted(booked) if gap else []
    return {at for at in starts if (full and day_of(at) in full)
            or (near and any(start < at + step + gap and at < end + gap for start, end in near))}


def epoch_seconds(at: datetime) -> int:
    """Seconds since the epoch of an aware datetime (naive ones, as the databases give them, are UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp())
