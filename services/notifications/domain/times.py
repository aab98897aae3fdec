"""Times as a recipient reads them: in their own zone, named, with the zone's abbreviation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tzdata folder ("America") is no zone
        return None


# Regions whose people read a 12-hour clock (10:00 AM); elsewhere 24 h (10:00). Month before day: the US.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "SA", "MY", "CO", "MX"})


@dataclass(frozen=True)
class Style:
    """How a locale writes a date and a clock time (PRACTICE_LOCALE: the emails' words are English)."""
    hour12: bool = False
    month_first: bool = False

    @classmethod
    def of(cls, locale: str | None) -> Style:
        parts = (locale or "").replace("_", "-").split("-")
        region = next((p.upper() for p in parts[1:] if len(p) == 2), "")
        return cls(hour12=region in TWELVE_HOUR_REGIONS, month_first=region == "US")

    def clock(self, t: datetime) -> str:
        if not self.hour12:
            return f"{t:%H:%M}"
        return f"{t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"

    def date(self, t: datetime) -> str:
        if self.month_first:
            return f"{t:%A}, {t:%B} {t.day}, {t:%Y}"
        return f"{t:%A} {t.day} {t:%B %Y}"

    def span(self, s: datetime, e: datetime) -> str:
        if self.hour12 and (s.hour < 12) == (e.hour < 12):  # 10:00–10:15 AM
            return f"{self.clock(s)[:-3]}–{self.clock(e)}"
        return f"{self.clock(s)}–{self.clock(e)}"


H24 = Style()


def local_span(start: datetime, end: datetime, tz_name: str, style: Style = H24) -> str:
    """'Tuesday 3 November 2026, 10:00–10:15 CET (Europe/Berlin)' (en-US: 'Tuesday, November 3, 2026,
    10:00–10:15 AM CET (Europe/Berlin)')."""
    tz = zone(tz_name) or ZoneInfo("UTC")
    s, e = start.astimezone(tz), end.astimezone(tz)
    label = "UTC" if tz.key == "UTC" else f"{s.strftime('%Z')} ({tz.key})"
    return f"{style.date(s)}, {style.span(s, e)} {label}"


def describe(start: datetime, end: datetime, tz_name: str | None, fallback_tz: str | None,
             style: Style = H24) -> str:
    """In the reader's zone when known; else in the clinician's zone and in UTC, each labelled."""
    if zone(tz_name):
        return local_span(start, end, tz_name, style)
    if zone(fallback_tz) and fallback_tz != "UTC":
        return (f"{local_span(start, end, fallback_tz, style)}, the clinician's time zone; "
                f"that is {local_span(start, end, 'UTC', style)}")
    return local_span(start, end, "UTC", style)
