"""The integrators' catch-up feed: every event this service published, in order, after a cursor."""
from __future__ import annotations

import json
from datetime import timedelta

from services.booking.adapters import event_log
from services.booking.adapters.sql import is_postgres
from services.booking.service_layer.unit_of_work import UnitOfWork
from shared.events import without_client

# PostgreSQL hands out ids before commit, so a later id may become visible first; events younger
# than this are held back until every transaction that could commit an earlier id is long done.
SETTLE = timedelta(seconds=2)


def page(uow: UnitOfWork, outbox_table, after: int, types: list[str], limit: int) -> tuple[list[dict], str]:
    with uow.read() as tx:
        settled = tx.now - SETTLE if is_postgres(tx.session) else None
        rows = event_log.page(tx.session, outbox_table, after, types, limit, settled)
    events = [without_client(json.loads(body)) for _, body in rows]
    return events, str(rows[-1][0] if rows else after)
