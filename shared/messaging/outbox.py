"""Writes events to the outbox inside the caller's transaction; the relay publishes them later."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from shared.clock import utc
from shared.events import new_event


class Outbox:
    def __init__(self, table: Table, source: str):
        self.table, self.source = table, source

    def add(self, session: Session, type_: str, subject: str, data: dict, now: datetime) -> dict:
        """Records one event for `subject` with the next per-subject sequence number.

        The caller's transaction serialises writers of one subject (it has just written the
        aggregate's row), and a unique (subject, sequence) index backs that up.
        """
        last = session.execute(select(func.max(self.table.c.sequence))
                               .where(self.table.c.subject == subject)).scalar()
        event = new_event(type_, self.source, subject, (last or 0) + 1, data, now)
        session.execute(insert(self.table).values(
            event_id=event["id"], type=type_, subject=subject, sequence=event["sequence"],
            body=json.dumps(event, separators=(",", ":")), created_at=utc(now).replace(tzinfo=None)))
        return event

    def page(self, session: Session, after: int, limit: int, types: list[str] | None = None) -> list[tuple]:
        """Published events after a cursor, in publishing order, for integrators catching up."""
        q = select(self.table.c.id, self.table.c.body).where(self.table.c.id > after)
        if types:
            q = q.where(self.table.c.type.in_(types))
        return list(session.execute(q.order_by(self.table.c.id).limit(limit)))
