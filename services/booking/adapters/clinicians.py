"""The clinician projection: status, zone, what they offer and their whole schedule with its version."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, select

from services.booking.adapters.orm import clinicians as t
from services.booking.adapters.sql import Runner, prepared, upsert
from services.booking.domain.rules import Clinician
from shared.clock import naive_utc

# The busy time synced from the clinician's own calendar (calendar.busy_changed) rides in the schedule
# column's JSON under this key: the clinician row is read in one statement on every hold (admission's
# too), so the check costs no extra read and no migration.
CALENDAR_BUSY = "calendar_busy"


def get(session: Runner, id: str) -> Clinician | None:
    stmt = prepared(session, "clinician", lambda _: select(t).where(t.c.id == bindparam("b_id")))
    return from_row(session.execute(stmt, {"b_id": id}).first())


def from_row(row) -> Clinician | None:
    """The clinician of a row holding this table's columns (None for no row, or an outer join's miss)."""
    if row is None or row.id is None:
        return None
    schedule = json.loads(row.schedule) if row.schedule else None
    busy = _busy(schedule.pop(CALENDAR_BUSY, None)) if schedule else []
    return Clinician(id=row.id, time_zone=row.time_zone, active=row.active, accepting=row.accepting,
                     modalities=json.loads(row.modalities), populations=json.loads(row.populations),
                     schedule=schedule or None, schedule_version=row.schedule_version, busy=busy,
                     call_method=row.call_method, video_url=row.video_url, max_per_day=row.max_per_day,
                     buffer_minutes=row.buffer_minutes)


def _busy(stored: list | None) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in stored or ()]


def _schedule_text(c: Clinician) -> str | None:
    """The schedule column's JSON: the schedule, plus the calendar's busy time under CALENDAR_BUSY."""
    if c.schedule is None and not c.busy:
        return None
    stored = dict(c.schedule or {})
    if c.busy:
        stored[CALENDAR_BUSY] = [[start.isoformat(), end.isoformat()] for start, end in c.busy]
    return json.dumps(stored)


def save(session: Runner, c: Clinician, now: datetime) -> None:
    values = {"time_zone": c.time_zone, "active": c.active, "accepting": c.accepting,
              "modalities": json.dumps(c.modalities), "populations": json.dumps(c.populations),
              "schedule": _schedule_text(c), "schedule_version": c.schedule_version, "updated_at": naive_utc(now),
              "call_method": c.call_method, "video_url": c.video_url, "max_per_day": c.max_per_day,
              "buffer_minutes": c.buffer_minutes}
    stmt = upsert(session, t).values(id=c.id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=[t.c.id], set_=values))
