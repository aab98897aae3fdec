"""Busy time of a calendar: its events expanded (recurrences, exceptions, all-day, zones) into merged UTC intervals."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from shared.ical import is_booking_uid

log = logging.getLogger("attune.calendar")
Interval = tuple[datetime, datetime]  # naive UTC, as stored


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """Aware UTC: a date is midnight in the clinician's zone, a floating time is in that zone too."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), zone)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _blocks(event) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return not is_booking_uid(str(event.get("UID", "")))


def expand(ics_texts: Iterable[str], time_zone: str, low: datetime, high: datetime) -> list[Interval]:
    """Merged busy intervals inside [low, high) of the opaque events in the given iCalendar texts.

    Our own consultations (written back to the calendar) are left out: bookings block slots already.
    An unreadable resource is skipped (and logged without its content), not fatal for the others.
    """
    zone = ZoneInfo(time_zone)
    found: list[Interval] = []
    for text in ics_texts:
        try:
            occurrences = recurring_ical_events.of(Calendar.from_ical(text), skip_bad_series=True).between(low, high)
            for event in occurrences:
                if not _blocks(event):
                    continue
                start, end = _instant(event.start, zone), _instant(event.end, zone)
                start, end = max(start, low), min(end, high)
                if start < end:
                    found.append((start.replace(tzinfo=None), end.replace(tzinfo=None)))
        except Exception as exc:  # noqa: BLE001 - one bad event must not hide the others
            log.warning("calendar event skipped", extra={"error": type(exc).__name__})
    return merge(found)


def merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def overlaps(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in intervals)
