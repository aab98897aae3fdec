"""Reads this service's published events back for integrators, in publishing order, without gaps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, func, or_, select

from services.booking.adapters.sql import Runner
from shared.clock import naive_utc


def page(session: Runner, outbox: Table, after: int, types: list[str], limit: int,
         settled_before: datetime | None = None) -> list[tuple[int, str]]:
    """Published events after the cursor, stopping before the first one not yet published (and, where
    ids may commit out of order, before the ones too recent to be sure of), so a cursor never skips."""
    t = outbox
    first_unpublished = select(func.min(t.c.id)).where(t.c.published_at.is_(None)).scalar_subquery()
    q = select(t.c.id, t.c.body).where(t.c.id > after, t.c.published_at.is_not(None),
                                       or_(first_unpublished.is_(None), t.c.id < first_unpublished))
    if settled_before is not None:
        q = q.where(t.c.created_at <= naive_utc(settled_before))
    if types:
        q = q.where(or_(*[t.c.type.like(p[:-1] + "%") if p.endswith(".*") else t.c.type == p for p in types]))
    return [(r.id, r.body) for r in session.execute(q.order_by(t.c.id).limit(limit))]
