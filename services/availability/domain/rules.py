"""Validation of what staff may save: time zones, language codes, and schedules on the 15-minute grid."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from shared import validation

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GRID_MINUTES = 15
OFF_GRID = f"must be on the {GRID_MINUTES}-minute grid (:00, :15, :30, :45)"
_HHMM = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_zone(name: str) -> bool:
    """An IANA zone name (tzdata), e.g. "Europe/London"; never a file path or an abbreviation like "EST"."""
    return validation.is_zone(name)


def is_language(code: str) -> bool:
    return bool(_LANGUAGE.fullmatch(code))


def minutes(value: str) -> int | None:
    """Minutes after midnight of "HH:MM" (up to "24:00"); None when malformed."""
    m = _HHMM.fullmatch(value or "")
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def window_errors(windows: list[tuple[int, dict]], path: str) -> dict[str, list[str]]:
    """Each (index, window) "HH:MM" on the grid, start before end, and no two of one day overlapping."""
    errors: dict[str, list[str]] = {}
    spans = []
    for i, window in windows:
        start, end = minutes(window["start"]), minutes(window["end"])
        for name, value in (("start", start), ("end", end)):
            if value is None:
                errors[f"{path}.{i}.{name}"] = ["must be a local time HH:MM between 00:00 and 24:00"]
            elif value % GRID_MINUTES:
                errors[f"{path}.{i}.{name}"] = [OFF_GRID]
        if start is None or end is None or f"{path}.{i}.start" in errors or f"{path}.{i}.end" in errors:
            continue
        if start >= end:
            errors[f"{path}.{i}.end"] = ["must be after start"]
        else:
            spans.append((start, end, i))
    errors.update(_overlaps(spans, path))
    return errors


def _overlaps(spans: list[tuple[int, int, int]], path: str) -> dict[str, list[str]]:
    errors = {}
    reach, reached_by = -1, None  # the latest end so far, and whose it is
    for start, end, i in sorted(spans):
        if start < reach:
            errors[f"{path}.{i}.start"] = [f"overlaps the window {path}.{reached_by}"]
        if end > reach:
            reach, reached_by = end, i
    return errors


def weekly_errors(weekly: list[dict]) -> dict[str, list[str]]:
    errors = {}
    for day in WEEKDAYS:
        errors.update(window_errors([(i, w) for i, w in enumerate(weekly) if w["weekday"] == day], "weekly"))
    return errors


def override_errors(overrides: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: dict[date, int] = {}
    for i, override in enumerate(overrides):
        if override["date"] in seen:
            errors[f"overrides.{i}.date"] = [f"repeats the date of overrides.{seen[override['date']]}"]
        seen.setdefault(override["date"], i)
        errors.update(window_errors(list(enumerate(override["windows"])), f"overrides.{i}.windows"))
    return errors


def time_off_errors(time_off: list[dict]) -> dict[str, list[str]]:
    return {f"time_off.{i}.end": ["must be after start"] for i, item in enumerate(time_off)
            if item["end"] <= item["start"]}


def schedule_errors(weekly: list[dict], overrides: list[dict], time_off: list[dict]) -> dict[str, list[str]]:
    """Every fault of a schedule, keyed by the field path ("weekly.1.start"); empty when it is valid."""
    return {**weekly_errors(weekly), **override_errors(overrides), **time_off_errors(time_off)}


def canonical_schedule(weekly: list[dict], overrides: list[dict], time_off: list[dict]) -> dict:
    """A valid schedule in stored form: sorted, dates and instants as strings (UTC with "Z")."""
    def by_start(window: dict) -> int:
        return minutes(window["start"]) or 0

    def windows(items: list[dict]) -> list[dict]:
        return [{"start": w["start"], "end": w["end"]} for w in sorted(items, key=by_start)]

    return {
        "weekly": [{"weekday": w["weekday"], "start": w["start"], "end": w["end"]}
                   for w in sorted(weekly, key=lambda w: (WEEKDAYS.index(w["weekday"]), by_start(w)))],
        "overrides": [{"date": o["date"].isoformat(), "windows": windows(o["windows"])}
                      for o in sorted(overrides, key=lambda o: o["date"])],
        "time_off": [{"start": _z(t["start"]), "end": _z(t["end"])}
                     for t in sorted(time_off, key=lambda t: t["start"])],
    }


def _z(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
