"""POST /v1/clinicians/{id}/schedule/preview: the open slots a proposed schedule would give, nothing saved."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.availability.adapters import repository as repo
from services.availability.domain import rules
from services.availability.domain.model import Invalid
from services.availability.domain.slots import ExpansionCache, busy_sets, instant, open_starts, search_window
from services.availability.entrypoints import schemas
from services.availability.service_layer import clinicians as commands
from shared.access import authorize
from shared.auth import ROLES
from shared.clock import isoformat
from shared.web import PROBLEM, ProblemSchema

blp = Blueprint("schedule_preview", __name__, url_prefix="/v1/clinicians",
                description="What a schedule would offer before it is saved (the practice console's preview).")


class PreviewOut(Schema):
    clinician_id = fields.String()
    time_zone = fields.String()
    start = fields.String(metadata={"description": "the bookable window's start (UTC), as /v1/slots has it"})
    end = fields.String()
    bookable = fields.Boolean(metadata={"description": "false: clients see none of these (the clinician is "
                                                      "inactive or not accepting new clients)"})
    slots = fields.List(fields.Nested(schemas.SlotOut))


@blp.before_request
def _as_the_schedule_put():
    """The same callers as PUT .../schedule (admin, staff, the clinician), checked before the body."""
    if request.method == "POST":
        authorize(*ROLES, clinician_id=(request.view_args or {}).get("clinician_id"))


@blp.route("/<clinician_id>/schedule/preview")
class SchedulePreview(MethodView):
    @blp.arguments(schemas.ScheduleIn())
    @blp.response(200, PreviewOut)
    @blp.alt_response(401, schema=ProblemSchema, content_type=PROBLEM, description="Missing, expired or revoked credential")
    @blp.alt_response(403, schema=ProblemSchema, content_type=PROBLEM, description="Another clinician's schedule")
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="No such clinician")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, clinician_id):
        """The open slots of the coming bookable window under this schedule (same body as PUT schedule),
        minus what is already booked, held or busy in the clinician's calendar; nothing is saved."""
        errors = rules.schedule_errors(body["weekly"], body["overrides"], body["time_off"])
        if errors:
            raise Invalid(errors)
        c = current_app.extensions["attune"]
        clinician, _ = commands.get_schedule(c, clinician_id, include_inactive=True)
        stored = rules.canonical_schedule(body["weekly"], body["overrides"], body["time_off"])
        now = c.clock.now()
        notice, lookahead = timedelta(minutes=c.settings.min_notice_minutes), timedelta(days=c.settings.lookahead_days)
        low, high = search_window(now, notice, lookahead)  # the window /v1/slots lists
        return {"clinician_id": clinician.id, "time_zone": clinician.time_zone, "start": isoformat(low),
                "end": isoformat(now + lookahead), "bookable": clinician.offers_consultations(),
                "slots": [_slot(c, clinician.id, t) for t in _open(c, clinician, stored, low, high, now)]}


def _open(c, clinician, schedule: dict, low: datetime, high: datetime, now: datetime) -> list[int]:
    """The schedule expanded as every slot query expands one, minus the clinician's busy rows."""
    cache = ExpansionCache()
    cache.put(clinician.id, -1, clinician.time_zone, schedule, low, high)
    with c.db.read() as session:
        busy = busy_sets(repo.busy_between(session, low, high, now, [clinician.id]))
    return open_starts(cache.starts(clinician.id, low, high), busy.get(clinician.id))


def _slot(c, clinician_id: str, start: int) -> dict:
    end = start + c.settings.slot_minutes * 60
    return {"clinician_id": clinician_id, "start": isoformat(instant(start)), "end": isoformat(instant(end))}
