"""Reads and writes of clinicians, schedules and the busy projection, in the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from services.availability.adapters import calendar_store
from services.availability.adapters.orm import busy_slots, clinicians, schedules
from services.availability.domain.model import EDITABLE, Clinician, Schedule
from shared.clock import naive_utc
from shared.schedule import epoch_seconds

_CLINICIAN_COLUMNS = [clinicians.c.id, *(clinicians.c[name] for name in EDITABLE)]
LONGEST_BOOKING = timedelta(days=1)  # lower bound on a busy row's start, so the start index serves


def _clinician(row) -> Clinician:
    return Clinician(**row._mapping)


def get_clinician(session: Session, clinician_id: str, for_update: bool = False) -> Clinician | None:
    """The clinician; `for_update` locks its row, so writers of one clinician (and its events) queue up."""
    q = select(*_CLINICIAN_COLUMNS).where(clinicians.c.id == clinician_id)
    row = session.execute(q.with_for_update() if for_update else q).first()
    return _clinician(row) if row else None


def list_clinicians(session: Session, active_only: bool = True) -> list[Clinician]:
    q = select(*_CLINICIAN_COLUMNS).order_by(clinicians.c.id)
    if active_only:
        q = q.where(clinicians.c.active.is_(True))
    return [_clinician(row) for row in session.execute(q)]


def add_clinician(session: Session, clinician: Clinician, now: datetime) -> None:
    values = {name: getattr(clinician, name) for name in EDITABLE}
    session.execute(insert(clinicians).values(id=clinician.id, created_at=naive_utc(now), updated_at=naive_utc(now),
                                              **values))


def save_clinician(session: Session, clinician: Clinician, changed: set[str], now: datetime) -> None:
    values = {name: getattr(clinician, name) for name in changed}
    q = update(clinicians).where(clinicians.c.id == clinician.id)
    session.execute(q.values(updated_at=naive_utc(now), **values))


def get_schedule(session: Session, clinician_id: str) -> Schedule | None:
    row = session.execute(select(schedules).where(schedules.c.clinician_id == clinician_id)).first()
    return _schedule(row) if row else None


def save_schedule(session: Session, schedule: Schedule, now: datetime) -> None:
    """Inserts version 1 or moves the stored row from version - 1 (a racing writer makes this fail)."""
    values = {**schedule.as_dict(), "version": schedule.version, "updated_at": naive_utc(now)}
    if schedule.version <= 1:
        session.execute(insert(schedules).values(clinician_id=schedule.clinician_id, **values))
        return
    q = update(schedules).where(schedules.c.clinician_id == schedule.clinician_id,
                                schedules.c.version == schedule.version - 1)
    if session.execute(q.values(**values)).rowcount != 1:
        raise RuntimeError(f"schedule of {schedule.clinician_id} moved past version {schedule.version - 1}")


def schedule_versions(session: Session, ids: list[str]) -> dict[str, int]:
    q = select(schedules.c.clinician_id, schedules.c.version).where(schedules.c.clinician_id.in_(ids))
    return dict(session.execute(q).all())


def schedules_of(session: Session, ids: list[str]) -> dict[str, Schedule]:
    rows = session.execute(select(schedules).where(schedules.c.clinician_id.in_(ids)))
    return {r.clinician_id: _schedule(r) for r in rows}


def _schedule(row) -> Schedule:
    return Schedule(row.clinician_id, row.version, row.weekly, row.overrides, row.time_off)


def busy_between(session: Session, low: datetime, high: datetime, now: datetime,
                 clinician_ids: list[str] | None = None) -> Iterable[tuple[str, datetime, datetime]]:
    """(clinician_id, start, end) of bookings held (and not past their expiry) or confirmed that overlap,
    then of the busy time synced from the clinicians' own calendars: the one place both reach the slots.

    Streamed, not listed: the caller folds the rows into sets while the session is open.
    """
    b = busy_slots.c
    q = select(b.clinician_id, b.start, b.end).where(
        b.start > naive_utc(low) - LONGEST_BOOKING, b.start < naive_utc(high), b.end > naive_utc(low),
        or_(b.status == "confirmed",
            and_(b.status == "held", or_(b.expires_at.is_(None), b.expires_at > naive_utc(now)))))
    if clinician_ids is not None:
        q = q.where(b.clinician_id.in_(clinician_ids))
    yield from session.execute(q)
    yield from calendar_store.intervals(session, clinician_ids, low, high)


def booking_sequence(session: Session, booking_id: str) -> int | None:
    q = select(busy_slots.c.sequence).where(busy_slots.c.booking_id == booking_id)
    return session.execute(q).scalar()


def put_booking(session: Session, booking_id: str, values: dict, sequence: int, now: datetime) -> None:
    """Moves the booking's row to the given state unless a later event got there first."""
    values = {k: naive_utc(v) if isinstance(v, datetime) else v for k, v in values.items()}
    values.update(sequence=sequence, updated_at=naive_utc(now))
    current = booking_sequence(session, booking_id)
    if current is None:
        session.execute(insert(busy_slots).values(booking_id=booking_id, **values))
    elif current < sequence:
        session.execute(update(busy_slots).where(busy_slots.c.booking_id == booking_id,
                                                 busy_slots.c.sequence < sequence).values(**values))


def consultations(session: Session, clinician_ids: list[str], low: datetime, high: datetime,
                  now: datetime) -> dict[str, list[tuple[int, int]]]:
    """{clinician id: (start, end) in epoch seconds} of their live holds and confirmed bookings starting
    in [low, high): what their daily cap and buffer count (calendar busy time does not)."""
    b = busy_slots.c
    q = select(b.clinician_id, b.start, b.end).where(
        b.clinician_id.in_(clinician_ids), b.start >= naive_utc(low), b.start < naive_utc(high),
        or_(b.status == "confirmed",
            and_(b.status == "held", or_(b.expires_at.is_(None), b.expires_at > naive_utc(now)))))
    found: dict[str, list[tuple[int, int]]] = {}
    for clinician_id, start, end in session.execute(q):
        found.setdefault(clinician_id, []).append((epoch_seconds(start), epoch_seconds(end)))
    return found
