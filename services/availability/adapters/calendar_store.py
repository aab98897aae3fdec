"""Reads and writes of calendar connections, synced busy time, consultations and feed keys, in the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update

from services.availability.adapters.orm import (
    busy_slots,
    calendar_bookings,
    calendar_busy,
    calendar_connections,
    calendar_feed_keys,
)
from shared import process_owner
from shared.clock import naive_utc

c = calendar_connections.c
LONGEST_EVENT = timedelta(days=62)  # lower bound on a busy row's start, so the (clinician, start) index serves


def _naive(values: dict) -> dict:
    return {k: naive_utc(v) if isinstance(v, datetime) else v for k, v in values.items()}


def get_connection(conn, clinician_id: str):
    return conn.execute(select(calendar_connections).where(c.clinician_id == clinician_id)).first()


def put_connection(conn, clinician_id: str, values: dict, now: datetime) -> None:
    """Creates or replaces the clinician's connection, its sync state starting afresh."""
    values = _naive({**values, "status": "ok", "reason": None, "last_sync": None, "failures": 0,
                     "next_sync_at": now, "lease_until": None, "lease_owner": None, "sync_token": None,
                     "window_end": None, "clashes": [], "updated_at": now})
    if get_connection(conn, clinician_id) is None:
        conn.execute(insert(calendar_connections).values(clinician_id=clinician_id, created_at=naive_utc(now),
                                                         **values))
    else:
        conn.execute(update(calendar_connections).where(c.clinician_id == clinician_id).values(**values))


def delete_connection(conn, clinician_id: str) -> bool:
    conn.execute(delete(calendar_busy).where(calendar_busy.c.clinician_id == clinician_id))
    return conn.execute(delete(calendar_connections).where(c.clinician_id == clinician_id)).rowcount > 0


def due(conn, now: datetime, limit: int) -> list[str]:
    """Connections whose sync is due and not leased by a live replica, most overdue first."""
    now = naive_utc(now)
    q = (select(c.clinician_id, c.lease_until, c.lease_owner).where(c.next_sync_at <= now)
         .order_by(c.next_sync_at).limit(limit))
    return [r.clinician_id for r in conn.execute(q)
            if r.lease_until is None or r.lease_until < now or process_owner.gone(r.lease_owner)]


def claim(conn, clinician_id: str, owner: str, now: datetime, until: datetime, due_only: bool = True) -> bool:
    """Leases the clinician's calendar to `owner` unless another replica holds a live lease (conditional
    UPDATE: of two racing replicas exactly one sees a row changed). A sync claims it when due; the
    write-back (`due_only=False`) whenever it has something to write, so one replica at a time talks to
    a clinician's calendar and writes land in the order of the states they write."""
    now = naive_utc(now)
    held = conn.execute(select(c.lease_owner).where(c.clinician_id == clinician_id)).scalar()
    free = [c.lease_until.is_(None), c.lease_until < now]
    if held and process_owner.gone(held):  # a killed worker's lease is free at once, not after LEASE
        free.append(c.lease_owner == held)
    q = (update(calendar_connections).where(c.clinician_id == clinician_id, or_(*free))
         .values(lease_until=naive_utc(until), lease_owner=owner))
    if due_only:
        q = q.where(c.next_sync_at <= now)
    return conn.execute(q).rowcount == 1


def release(conn, clinician_id: str, owner: str) -> None:
    """Lets `owner`'s lease go without recording a sync."""
    conn.execute(update(calendar_connections).where(c.clinician_id == clinician_id, c.lease_owner == owner)
                 .values(lease_until=None, lease_owner=None))


def leased_to(conn, clinician_id: str, owner: str) -> bool:
    """Whether the lease is still `owner`'s (locks the row on PostgreSQL, so the outcome is written under it)."""
    q = select(c.lease_owner).where(c.clinician_id == clinician_id).with_for_update()
    return conn.execute(q).scalar() == owner


def finish(conn, clinician_id: str, owner: str, values: dict, now: datetime) -> bool:
    """Records a sync's outcome and lets the lease go; False when the lease was lost (disconnected meanwhile)."""
    q = (update(calendar_connections).where(c.clinician_id == clinician_id, c.lease_owner == owner)
         .values(lease_until=None, lease_owner=None, updated_at=naive_utc(now), **_naive(values)))
    return conn.execute(q).rowcount == 1


def busy_of(conn, clinician_id: str) -> list[tuple[datetime, datetime]]:
    b = calendar_busy.c
    q = select(b.start, b.end).where(b.clinician_id == clinician_id).order_by(b.start)
    return [(r.start, r.end) for r in conn.execute(q)]


def replace_busy(conn, clinician_id: str, intervals: list[tuple[datetime, datetime]]) -> None:
    conn.execute(delete(calendar_busy).where(calendar_busy.c.clinician_id == clinician_id))
    if intervals:
        conn.execute(insert(calendar_busy), [{"clinician_id": clinician_id, "start": s, "end": e}
                                             for s, e in intervals])


def intervals(conn, clinician_ids: list[str] | None, start: datetime, end: datetime
              ) -> Iterable[tuple[str, datetime, datetime]]:
    """(clinician_id, start, end) of synced calendar busy time overlapping [start, end): what slots leave out."""
    b = calendar_busy.c
    q = select(b.clinician_id, b.start, b.end).where(
        b.start > naive_utc(start) - LONGEST_EVENT, b.start < naive_utc(end), b.end > naive_utc(start))
    if clinician_ids is not None:
        q = q.where(b.clinician_id.in_(clinician_ids))
    return conn.execute(q)


def standing_bookings(conn, clinician_id: str, now: datetime) -> list:
    """The clinician's live holds and confirmed bookings that have not ended (from the booking projection)."""
    b = busy_slots.c
    now = naive_utc(now)
    q = select(b.booking_id, b.start, b.end, b.status).where(
        b.clinician_id == clinician_id, b.end > now,
        or_(b.status == "confirmed", and_(b.status == "held", or_(b.expires_at.is_(None), b.expires_at > now))))
    return list(conn.execute(q.order_by(b.start)))


# Consultations for the write-back and the feed.

def booking(conn, booking_id: str):
    return conn.execute(select(calendar_bookings).where(calendar_bookings.c.booking_id == booking_id)).first()


def put_booking(conn, booking_id: str, values: dict, sequence: int, now: datetime) -> None:
    """Moves the consultation to the event's state (marked for write-back) unless a later event got there first."""
    values = _naive({**values, "sequence": sequence, "pending": True, "updated_at": now})
    current = booking(conn, booking_id)
    if current is None:
        conn.execute(insert(calendar_bookings).values(booking_id=booking_id, **values))
    elif current.sequence < sequence:
        values.setdefault("client_label", current.client_label)
        conn.execute(update(calendar_bookings).where(calendar_bookings.c.booking_id == booking_id,
                                                     calendar_bookings.c.sequence < sequence).values(**values))


def write_again(conn, clinician_id: str, now: datetime) -> int:
    """Marks the clinician's confirmed consultations still to come for write-back (a calendar just connected)."""
    b = calendar_bookings.c
    q = (update(calendar_bookings).where(b.clinician_id == clinician_id, b.status == "confirmed",
                                         b.end > naive_utc(now)).values(pending=True, written_url=None))
    return conn.execute(q).rowcount


def pending(conn, limit: int, clinician_id: str | None = None) -> list:
    b = calendar_bookings.c
    q = select(calendar_bookings).where(b.pending.is_(True)).order_by(b.updated_at).limit(limit)
    if clinician_id is not None:
        q = q.where(b.clinician_id == clinician_id)
    return list(conn.execute(q))


def written(conn, booking_id: str, sequence: int, url: str | None, now: datetime) -> None:
    """Marks the write-back done for that state (a later event since then keeps it pending)."""
    b = calendar_bookings.c
    conn.execute(update(calendar_bookings).where(b.booking_id == booking_id, b.sequence == sequence)
                 .values(pending=False, written_url=url, updated_at=naive_utc(now)))


def confirmed_between(conn, clinician_id: str, low: datetime, high: datetime) -> list:
    b = calendar_bookings.c
    q = (select(calendar_bookings).where(b.clinician_id == clinician_id, b.status == "confirmed",
                                         b.start >= naive_utc(low), b.start < naive_utc(high)).order_by(b.start))
    return list(conn.execute(q))


# Feed keys.

def set_feed_key(conn, clinician_id: str, key_hash: str, now: datetime) -> None:
    conn.execute(delete(calendar_feed_keys).where(calendar_feed_keys.c.clinician_id == clinician_id))
    conn.execute(insert(calendar_feed_keys).values(clinician_id=clinician_id, key_hash=key_hash,
                                                   created_at=naive_utc(now)))


def feed_key_hash(conn, clinician_id: str) -> str | None:
    f = calendar_feed_keys.c
    return conn.execute(select(f.key_hash).where(f.clinician_id == clinician_id)).scalar()
