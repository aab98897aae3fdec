"""Writes events to the outbox inside the caller's transaction; the relay publishes them later."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from shared import tracing
from shared.clock import naive_utc
from shared.events import new_event
from shared.logging import request_id


class Outbox:
    def __init__(self, table: Table, source: str):
        self.table, self.source = table, source
        # Built once: constructing a statement per event cost more than running it.
        self._last = select(func.max(table.c.sequence)).where(table.c.subject == bindparam("b_subject"))
        self._insert = insert(table)

    def add(self, session: Session, type_: str, subject: str, data: dict, now: datetime,
            after: int | None = None) -> dict:
        """Records one event for `subject` with the next per-subject sequence number (after
        `after`, when the caller knows the subject's last one; else looked up).

        The caller's transaction serialises writers of one subject (it has just written the
        aggregate's row), and a unique (subject, sequence) index backs that up. The request id
        of the HTTP call (or of the event being handled) travels along as `requestid`.
        """
        last = after if after is not None else session.execute(self._last, {"b_subject": subject}).scalar()
        event, row = self.row(type_, subject, (last or 0) + 1, data, now)
        self.write(session, [row])
        return event

    def write(self, session: Session, rows: list[dict]) -> None:
        """Inserts outbox rows (from `row`); on PostgreSQL the outbox's trigger wakes the relay when
        the transaction commits."""
        if rows:
            session.execute(self._insert, rows[0] if len(rows) == 1 else rows)

    def row(self, type_: str, subject: str, sequence: int, data: dict, now: datetime) -> tuple[dict, dict]:
        """The event and the outbox row that carries it, for `write` or for a caller that inserts the
        row itself (in the same statement as the change it records)."""
        event = new_event(type_, self.source, subject, sequence, data, now)
        if request_id.get():
            event["requestid"] = request_id.get()
        trace = tracing.current()
        if trace:
            event["traceparent"] = trace
        return event, {"event_id": event["id"], "type": type_, "subject": subject, "sequence": sequence,
                       "body": json.dumps(event, separators=(",", ":")), "created_at": naive_utc(now)}
