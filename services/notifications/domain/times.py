"""Times as a recipient reads them: in their own zone, named, with the zone's abbreviation."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tzdata folder ("America") is no zone
        return None


def local_span(start: datetime, end: datetime, tz_name: str) -> str:
    """'Tuesday 3 November 2026, 10:00–10:15 CET (Europe/Berlin)'."""
    tz = zone(tz_name) or ZoneInfo("UTC")
    s, e = start.astimezone(tz), end.astimezone(tz)
    label = "UTC" if tz.key == "UTC" else f"{s.strftime('%Z')} ({tz.key})"
    return f"{s.strftime('%A')} {s.day} {s.strftime('%B %Y')}, {s:%H:%M}–{e:%H:%M} {label}"


def describe(start: datetime, end: datetime, tz_name: str | None, fallback_tz: str | None) -> str:
    """In the reader's zone when known; else in the clinician's zone and in UTC, each labelled."""
    if zone(tz_name):
        return local_span(start, end, tz_name)
    if zone(fallback_tz) and fallback_tz != "UTC":
        return (f"{local_span(start, end, fallback_tz)}, the clinician's time zone; "
                f"that is {local_span(start, end, 'UTC')}")
    return local_span(start, end, "UTC")
