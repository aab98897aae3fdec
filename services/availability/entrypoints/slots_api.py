"""GET /v1/slots: the open 15-minute slots of the coming week, in UTC and in the client's zone."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import fields, validate

from services.availability.domain.model import Invalid
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


DEFAULT_LIMIT, MAX_LIMIT = 1000, 5000


def default_limit(settings) -> int:
    """1000, or more when one clinician's whole window could exceed it: the booking page's one clinician
    always fits one page."""
    return max(DEFAULT_LIMIT, settings.lookahead_days * 24 * 60 // settings.slot_minutes + 1)


class SlotsPageQuery(schemas.SlotsQuery):
    limit = fields.Integer(validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"slots per page (default {DEFAULT_LIMIT}, or one "
                                                    "clinician's whole window when that is more)"})
    cursor = fields.String(validate=validate.Length(1, 200),
                           metadata={"description": "the `next_cursor` of the previous page"})


class SlotPage(schemas.SlotList):
    next_cursor = fields.String(allow_none=True, metadata={"description": "pass as `cursor` for the next page; "
                                                                           "null on the last"})


def _cursor(after: tuple[int, str]) -> str:
    return base64.urlsafe_b64encode(f"{after[0]}:{after[1]}".encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[int, str]:
    try:
        seconds, clinician_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":", 1)
        return int(seconds), clinician_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid({"cursor": ["is not a cursor this service gave out (use next_cursor as it is)"]}) from None


@blp.route("")
@blp.arguments(SlotsPageQuery(), location="query")
@blp.response(200, SlotPage)
@blp.alt_response(404, schema=ProblemSchema, content_type="application/problem+json",
                  description="clinician_id names no active clinician")
def list_slots(query):
    """Open slots from now + minimum notice to now + the lookahead, sorted by start, then clinician

    Open: inside a window of the clinician's own calendar, not in time off, not held or booked; only
    clinicians who accept new clients offer consultation slots.
    Filter by clinician, modality, population or language; narrow with start/end; see local times in tz.
    Paged: at most `limit` slots, then `next_cursor` continues (the order is stable: start, clinician).
    """
    zone = ZoneInfo(query["tz"])
    filters = queries.Filters(query.get("modality"), query.get("population"), query.get("language"))
    after = _after(query["cursor"]) if "cursor" in query else None
    container = current_app.extensions["attune"]
    found, last = queries.find_page(container, filters, query.get("clinician_id"),
                                    _bound(query.get("start"), zone, False), _bound(query.get("end"), zone, True),
                                    query.get("limit") or default_limit(container.settings), after)
    renderer: SlotRenderer = current_app.extensions["attune.slot_renderer"]
    body = renderer.render(found, query["tz"])[:-1] + ',"next_cursor":' + json.dumps(last and _cursor(last)) + "}"
    return Response(body, mimetype="application/json")
