"""Reads and writes of the directory projection, in the caller's transaction (a Session or a Connection)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, insert, or_, select, tuple_, update

from services.availability.adapters.orm import busy_slots, clinicians, directory
from services.availability.domain.model import Clinician
from shared.clock import naive_utc

FAR = datetime(9999, 12, 31, tzinfo=UTC)  # the rank of a clinician with no open slot: after every real time
d = directory.c


@dataclass(frozen=True)
class Position:
    """Where a page ends, in the directory's order: (rank, casefolded name, id)."""
    rank_at: datetime
    sort_name: str
    clinician_id: str


def packed(values: list[str], lower: bool = False) -> str:
    """"|a|b|": a LIKE '%|a|%' finds one value without a join table, on both databases."""
    return "|" + "|".join(v.lower() if lower else v for v in values) + "|"


def lock(conn, clinician_id: str) -> bool:
    """Locks the clinician's row (PostgreSQL), so refreshes of one clinician queue up; False when absent."""
    q = select(d.clinician_id).where(d.clinician_id == clinician_id).with_for_update()
    return conn.execute(q).first() is not None


def put(conn, clinician_id: str, values: dict, exists: bool, now: datetime) -> None:
    values = {k: naive_utc(v) if isinstance(v, datetime) else v for k, v in values.items()}
    values["updated_at"] = naive_utc(now)
    if exists:
        conn.execute(update(directory).where(d.clinician_id == clinician_id).values(**values))
    else:
        conn.execute(insert(directory).values(clinician_id=clinician_id, **values))


def first_expiry(conn, clinician_id: str, now: datetime) -> datetime | None:
    """When the clinician's earliest live hold lapses (its slot opens then, even before the expiry event)."""
    b = busy_slots.c
    q = select(func.min(b.expires_at)).where(b.clinician_id == clinician_id, b.status == "held",
                                              b.expires_at > naive_utc(now))
    found = conn.execute(q).scalar()
    return None if found is None else found.replace(tzinfo=UTC)


def due(conn, now: datetime, limit: int) -> list[str]:
    """Rows whose first slot has fallen (or whose lookahead has moved) past the time they were computed for."""
    q = select(d.clinician_id).where(d.due_at <= naive_utc(now)).order_by(d.due_at).limit(limit)
    return list(conn.execute(q).scalars())


def missing(conn, limit: int) -> list[str]:
    """Clinicians without a directory row (those created before the directory existed)."""
    q = (select(clinicians.c.id).outerjoin(directory, d.clinician_id == clinicians.c.id)
         .where(d.clinician_id.is_(None)).limit(limit))
    return list(conn.execute(q).scalars())


def page(conn, modality: str | None, population: str | None, language: str | None, accepting: bool | None,
         after: Position | None, size: int) -> list:
    """Up to `size` active rows after `after`: (profile, next_available, rank_at, sort_name, clinician_id)."""
    q = select(d.profile, d.next_available, d.rank_at, d.sort_name, d.clinician_id).where(d.active.is_(True))
    q = _matching(q, modality, population, language, accepting)
    if after is not None:
        q = q.where(or_(d.rank_at > after.rank_at,
                        and_(d.rank_at == after.rank_at,
                             tuple_(d.sort_name, d.clinician_id) > tuple_(after.sort_name, after.clinician_id))))
    return list(conn.execute(q.order_by(d.rank_at, d.sort_name, d.clinician_id).limit(size)))


def open_before(conn, stop: datetime, modality: str | None, population: str | None,
                language: str | None) -> list[Clinician]:
    """The clinicians that match whose first open slot starts before `stop`: the only ones with any open
    slot before it (the rest are never read, so a page of a large practice reads a few of them)."""
    c = clinicians.c
    q = (select(c.id, c.time_zone, c.max_per_day, c.buffer_minutes).join(directory, d.clinician_id == c.id)
         .where(d.active.is_(True), d.accepting_new_clients.is_(True), d.rank_at < naive_utc(stop)))
    # Only what the slot computation reads (id, zone, daily cap, buffer; active and accepting by the
    # query): no JSON column is decoded.
    return [Clinician(id=row.id, name="", email="", time_zone=row.time_zone, max_per_day=row.max_per_day,
                      buffer_minutes=row.buffer_minutes)
            for row in conn.execute(_matching(q, modality, population, language, None))]


def _matching(q, modality: str | None, population: str | None, language: str | None, accepting: bool | None):
    """The filters of Clinician.matches, on the packed columns."""
    if modality:
        q = q.where(d.modalities.like(f"%|{modality}|%"))
    if population:
        q = q.where(d.populations.like(f"%|{population}|%"))
    if language:
        wanted = language.lower()  # "en" matches "en" and "en-gb"; "en-gb" only itself (codes are [a-z0-9-])
        q = q.where(or_(d.languages.like(f"%|{wanted}|%"), d.languages.like(f"%|{wanted}-%")))
    if accepting is not None:
        q = q.where(d.accepting_new_clients.is_(accepting))
    return q


def firsts(conn) -> dict[str, datetime]:
    """{clinician id: first open slot} of every clinician that has one."""
    q = select(d.clinician_id, d.next_available).where(d.next_available.is_not(None))
    return dict(conn.execute(q).all())

