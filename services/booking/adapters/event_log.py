"""Reads this service's published events back for integrators, in publishing order, without gaps."""
from __future__ import annotations

from sqlalchemy import Table, or_, select

from services.booking.adapters.sql import Runner


def page(session: Runner, outbox: Table, after: int, types: list[str], limit: int) -> list[tuple[int, str]]:
    """Published events numbered after the cursor, as (publication number, body). The relay numbers rows
    in the order its transactions commit, so a row committed late gets a later number: a cursor never
    skips one, and nothing needs holding back. Rows not yet numbered are not yet visible."""
    t = outbox
    q = select(t.c.published_seq, t.c.body).where(t.c.published_seq > after)
    if types:
        q = q.where(or_(*[t.c.type.like(p[:-1] + "%") if p.endswith(".*") else t.c.type == p for p in types]))
    return [(r.published_seq, r.body) for r in session.execute(q.order_by(t.c.published_seq).limit(limit))]
