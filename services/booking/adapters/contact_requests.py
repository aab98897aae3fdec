"""Contact requests and the slots each was offered (one row per request and slot: offered once)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, or_, select, update

from services.booking.adapters.orm import contact_request_matches as m
from services.booking.adapters.orm import contact_requests as t
from services.booking.adapters.sql import Runner, aware, upsert
from services.booking.domain.contact import BOOKED, CLOSED, OPEN, UNVERIFIED, ContactRequest
from services.booking.domain.model import Client
from shared.clock import naive_utc


def _from_row(r) -> ContactRequest:
    return ContactRequest(id=r.id, client=Client(r.name, r.email, r.phone), time_zone=r.time_zone,
                          preferred_times=json.loads(r.preferred_times), clinician_id=r.clinician_id,
                          modality=r.modality, population=r.population, message=r.message, status=r.status,
                          note=r.note, booking_id=r.booking_id)


def add(session: Runner, r: ContactRequest, now: datetime) -> None:
    session.execute(t.insert().values(
        id=r.id, status=r.status, name=r.client.name, email=r.client.email, phone=r.client.phone,
        clinician_id=r.clinician_id, modality=r.modality, population=r.population, time_zone=r.time_zone,
        preferred_times=json.dumps(r.preferred_times), message=r.message, created_at=naive_utc(now)))


def get(session: Runner, id: str, for_update: bool = False) -> ContactRequest | None:
    q = select(t).where(t.c.id == id)
    row = session.execute(q.with_for_update() if for_update else q).first()
    return _from_row(row) if row else None


def verification_sent_since(session: Runner, email_key: str, since: datetime) -> bool:
    """A confirmation link went to this address since then (for some request)."""
    q = select(t.c.id).where(t.c.email_key == email_key, t.c.verify_token_hash.is_not(None),
                             t.c.created_at > naive_utc(since)).limit(1)
    return session.execute(q).first() is not None


def set_verification(session: Runner, id: str, token_hash: str | None, email_key: str) -> None:
    session.execute(update(t).where(t.c.id == id).values(verify_token_hash=token_hash, email_key=email_key))


def verification_hash(session: Runner, id: str) -> str | None:
    return session.execute(select(t.c.verify_token_hash).where(t.c.id == id)).scalar()


def mark_verified(session: Runner, r: ContactRequest, now: datetime) -> None:
    session.execute(update(t).where(t.c.id == r.id).values(status=r.status, verified_at=naive_utc(now)))


def close_older_than(session: Runner, before: datetime, now: datetime) -> int:
    """Closes open and unverified requests created before `before`."""
    return session.execute(update(t).where(t.c.status.in_((OPEN, UNVERIFIED)), t.c.created_at < naive_utc(before))
                           .values(status=CLOSED, closed_at=naive_utc(now))).rowcount


def offers_made(session: Runner, request_id: str) -> int:
    return session.execute(select(func.count()).select_from(m).where(m.c.contact_request_id == request_id)).scalar_one()


def offers_to_recipient(session: Runner, request_id: str, since: datetime) -> int:
    """Offers since then to the email of this request (over all its requests)."""
    key = select(t.c.email_key).where(t.c.id == request_id).scalar_subquery()
    q = (select(func.count()).select_from(m.join(t, t.c.id == m.c.contact_request_id))
         .where(t.c.email_key == key, t.c.email_key.is_not(None), m.c.created_at > naive_utc(since)))
    return session.execute(q).scalar_one()


def save_triage(session: Runner, r: ContactRequest, now: datetime) -> None:
    """Stores a staff change: status, note, the booking made from it (closed_at follows the status)."""
    closed_at = naive_utc(now) if r.status in (CLOSED, BOOKED) else None
    session.execute(update(t).where(t.c.id == r.id).values(status=r.status, note=r.note, booking_id=r.booking_id,
                                                           closed_at=closed_at, updated_at=naive_utc(now)))


def open_for(session: Runner, clinician_id: str) -> list[ContactRequest]:
    """Open requests naming this clinician or no one (the caller checks modality and population)."""
    q = (select(t).where(t.c.status == OPEN, or_(t.c.clinician_id == clinician_id, t.c.clinician_id.is_(None)))
         .order_by(t.c.created_at))
    return [_from_row(r) for r in session.execute(q)]


def add_match(session: Runner, request_id: str, clinician_id: str, start: datetime, now: datetime) -> bool:
    """Records that the request was offered this slot; False when it already was."""
    stmt = upsert(session, m).values(contact_request_id=request_id, clinician_id=clinician_id,
                                     start_at=naive_utc(start), created_at=naive_utc(now)).on_conflict_do_nothing()
    return session.execute(stmt.returning(m.c.contact_request_id)).first() is not None


def listing(session: Runner, status: str | None, limit: int, clinician_id: str | None = None,
            ids: list[str] | None = None) -> list[dict]:
    """Newest first; only those naming `clinician_id`, when given (a clinician sees no one else's)."""
    q = select(t).order_by(t.c.created_at.desc()).limit(limit)
    if status:
        q = q.where(t.c.status == status)
    if clinician_id is not None:
        q = q.where(t.c.clinician_id == clinician_id)
    if ids is not None:
        q = q.where(t.c.id.in_(ids))
    rows = list(session.execute(q))
    offered = _matches(session, [r.id for r in rows])
    return [{"id": r.id, "status": r.status, "name": r.name, "email": r.email, "phone": r.phone,
             "clinician_id": r.clinician_id, "modality": r.modality, "population": r.population,
             "time_zone": r.time_zone, "preferred_times": json.loads(r.preferred_times), "message": r.message,
             "created_at": aware(r.created_at), "closed_at": aware(r.closed_at), "matches": offered.get(r.id, []),
             "note": r.note, "booking_id": r.booking_id, "updated_at": aware(r.updated_at)}
            for r in rows]


def _matches(session: Runner, ids: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if not ids:
        return out
    q = select(m).where(m.c.contact_request_id.in_(ids)).order_by(m.c.start_at)
    for r in session.execute(q):
        out.setdefault(r.contact_request_id, []).append({"clinician_id": r.clinician_id, "start": aware(r.start_at)})
    return out
