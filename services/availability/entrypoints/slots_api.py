"""GET /v1/slots: the open 15-minute slots of the coming week, in UTC and in the client's zone."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask_smorest import Blueprint

from services.availability.domain.slots import SLOT_SECONDS, instant
from services.availability.entrypoints import schemas
from services.availability.service_layer import slots as queries
from shared.clock import isoformat
from shared.web import ProblemSchema

blp = Blueprint("slots", __name__, url_prefix="/v1/slots", description="Open consultation slots.")


class SlotRenderer:
    """Writes slot lists as JSON text directly.

    A practice's week is thousands of slots but only a few hundred distinct instants, so each
    instant's text (UTC and local, start and end) is formatted once per zone and reused; building
    dicts for jsonify would cost more than everything else the request does.
    """

    def __init__(self, limit: int = 20000):
        self.limit, self._fragments = limit, {}

    def _fragment(self, seconds: int, zone: ZoneInfo) -> str:
        start, end = instant(seconds), instant(seconds + SLOT_SECONDS)
        return (f',"start":"{isoformat(start)}","end":"{isoformat(end)}",'
                f'"local_start":"{start.astimezone(zone).isoformat()}","local_end":"{end.astimezone(zone).isoformat()}"}}')

    def render(self, slots: Iterable[tuple[int, str]], tz: str) -> str:
        fragments = self._fragments.setdefault(tz, {})
        if len(fragments) > self.limit:
            fragments.clear()
        zone, heads, parts = ZoneInfo(tz), {}, []
        for seconds, clinician_id in slots:
            fragment = fragments.get(seconds)
            if fragment is None:
                fragment = fragments[seconds] = self._fragment(seconds, zone)
            head = heads.get(clinician_id)
            if head is None:
                head = heads[clinician_id] = '{"clinician_id":' + json.dumps(clinician_id)
            parts.append(head + fragment)
        return '{"tz":' + json.dumps(tz) + ',"slots":[' + ",".join(parts) + "]}"


def _bound(value: date | datetime | None, zone: ZoneInfo, is_end: bool) -> datetime | None:
    """A date means the whole day in the client's zone: from its midnight, or up to the next one."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1 if is_end else 0), time(), zone)


@blp.route("")
@blp.arguments(schemas.SlotsQuery(), location="query")
@blp.response(200, schemas.SlotList)
@blp.alt_response(404, schema=ProblemSchema, content_type="application/problem+json",
                  description="clinician_id names no active clinician")
def list_slots(query):
    """Open slots from now + minimum notice to now + the lookahead, sorted by start, then clinician

    Open: inside a window of the clinician's own calendar, not in time off, not held or booked; only
    clinicians who accept new clients offer consultation slots.
    Filter by clinician, modality, population or language; narrow with start/end; see local times in tz.
    """
    zone = ZoneInfo(query["tz"])
    filters = queries.Filters(query.get("modality"), query.get("population"), query.get("language"))
    found = queries.find_slots(current_app.extensions["attune"], filters, query.get("clinician_id"),
                               _bound(query.get("start"), zone, False), _bound(query.get("end"), zone, True))
    renderer: SlotRenderer = current_app.extensions["attune.slot_renderer"]
    return Response(renderer.render(found, query["tz"]), mimetype="application/json")
