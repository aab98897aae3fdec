"""The integrators' catch-up feed: every event this service published, in order, after a cursor."""
from __future__ import annotations

import json

from services.booking.adapters import event_log
from services.booking.service_layer.unit_of_work import UnitOfWork
from shared.privacy import for_outlet


def page(uow: UnitOfWork, outbox_table, after: int, types: list[str], limit: int) -> tuple[list[dict], str]:
    with uow.read() as tx:
        rows = event_log.page(tx.session, outbox_table, after, types, limit)  # cursor: publication number
    events = [for_outlet(json.loads(body), "feed") for _, body in rows]
    return events, str(rows[-1][0] if rows else after)
