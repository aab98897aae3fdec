"""Which rows hold client details to erase (by age, or by person), and the statements that erase them."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, or_, select, update

from services.booking.adapters.orm import MESSAGING
from services.booking.adapters.orm import appointments as a
from services.booking.adapters.orm import contact_requests as r
from services.booking.adapters.sql import Runner
from services.booking.domain.contact import CLOSED
from services.booking.domain.model import CANCELLED, EXPIRED, RELEASED
from shared import privacy
from shared.clock import naive_utc

ENDED = (RELEASED, EXPIRED, CANCELLED)


def ended_bookings(session: Runner, before: datetime, limit: int) -> list[str]:
    """Released and expired holds and cancelled bookings that ended before then, not erased yet."""
    q = select(a.c.id).where(a.c.status.in_(ENDED), a.c.updated_at < naive_utc(before), a.c.erased_at.is_(None))
    return list(session.scalars(q.order_by(a.c.updated_at).limit(limit)))


def closed_requests(session: Runner, before: datetime, limit: int) -> list[str]:
    """Contact requests closed before then, not erased yet."""
    ended = func.coalesce(r.c.closed_at, r.c.updated_at, r.c.created_at)
    q = select(r.c.id).where(r.c.status == CLOSED, ended < naive_utc(before), r.c.erased_at.is_(None))
    return list(session.scalars(q.order_by(ended).limit(limit)))


def person_bookings(session: Runner, email_key: str | None, phone_key: str | None) -> list[str]:
    """Every booking and hold of the person (by the keyed hashes of their email and phone), not erased yet."""
    same = [c == k for c, k in ((a.c.client_email_key, email_key), (a.c.client_phone_key, phone_key)) if k]
    if not same:
        return []
    return list(session.scalars(select(a.c.id).where(or_(*same), a.c.erased_at.is_(None)).order_by(a.c.start_at)))


def person_requests(session: Runner, email: str | None, email_key: str | None, phones: set[str],
                    normal_phone) -> list[str]:
    """The person's contact requests: by their email (as typed, casefolded) or its recipient key, and by
    their phone (each stored number normalised as the person's is: `normal_phone`)."""
    found: list[str] = []
    live = r.c.erased_at.is_(None)
    if email:
        by_mail = func.lower(func.trim(r.c.email)) == email
        if email_key:
            by_mail = or_(by_mail, r.c.email_key == email_key)
        found += session.scalars(select(r.c.id).where(live, by_mail))
    if phones:
        rows = session.execute(select(r.c.id, r.c.phone).where(live, r.c.phone.is_not(None)))
        found += [row.id for row in rows if normal_phone(row.phone) in phones]
    return list(dict.fromkeys(found))


def erase_bookings(session: Runner, ids: list[str], now: datetime) -> int:
    """Forgets who the client was (name, contact, notes, reasons, the keys, where the hold came from)."""
    if not ids:
        return 0
    q = update(a).where(a.c.id.in_(ids)).values(
        client_name=None, client_email=None, client_phone=None, client_time_zone=None, notes=None,
        cancel_reason=None, client_email_key=None, client_phone_key=None, hold_address=None, hold_session=None,
        erased_at=naive_utc(now))
    return session.execute(q).rowcount


def erase_requests(session: Runner, ids: list[str], now: datetime) -> int:
    if not ids:
        return 0
    q = update(r).where(r.c.id.in_(ids)).values(
        name="", email=None, phone=None, message=None, note=None, email_key=None, verify_token_hash=None,
        erased_at=naive_utc(now))
    return session.execute(q).rowcount


def scrub_outbox(session: Runner, subjects: list[str]) -> int:
    """The stored events of those bookings and requests (the outbox is also the event log) keep their shape,
    but their client details and sealed secrets become empty: a replay or the feed has nothing left to show."""
    if not subjects:
        return 0
    o = MESSAGING["outbox"]
    changed = 0
    for row in session.execute(select(o.c.id, o.c.body).where(o.c.subject.in_(subjects))).all():
        event = json.loads(row.body)
        data = event.get("data") or {}
        scrubbed = {key: _blank(key, value) for key, value in data.items()}
        if scrubbed != data:
            session.execute(update(o).where(o.c.id == row.id).values(body=json.dumps({**event, "data": scrubbed})))
            changed += 1
    return changed


def _blank(key: str, value):
    kind = privacy.classify(key)
    if kind == "client" and key == "client" and isinstance(value, dict):
        return {"name": "", "email": None, "phone": None, "time_zone": None}
    return None if kind in ("client", "secret") else value
