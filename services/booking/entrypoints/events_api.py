"""/v1/events: the integrators' catch-up feed of everything this service published."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from services.booking.entrypoints.auth import reader_only
from services.booking.entrypoints.schemas import EventsPage, EventsQuery
from services.booking.service_layer import event_log

blp = Blueprint("events", __name__, url_prefix="/v1", description="Published events, in order, by cursor.")


@blp.route("/events", methods=["GET"])
@reader_only
@blp.arguments(EventsQuery(), location="query")
@blp.response(200, EventsPage)
@blp.doc(security=[{"bearer": []}])
def page(query):
    """Events after `after`, oldest first, without client details; pass `next_cursor` back as `after`."""
    c = current_app.extensions["attune"]
    types = [t.strip() for t in (query.get("type") or "").split(",") if t.strip()]
    events, cursor = event_log.page(c.extra["uow"], c.tables["outbox"], int(query["after"]), types, query["limit"])
    return {"events": events, "next_cursor": cursor}
