"""HTTP resources of a clinician's own calendar: the CalDAV connection, its sync status, and the ICS feed."""
from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.availability.adapters.caldav_client import CalendarError
from services.availability.service_layer import calendar_sync, feed
from shared.access import authorize, record_audit
from shared.web import ProblemError, ProblemSchema

blp = Blueprint("calendars", __name__, url_prefix="/v1/clinicians",
                description="A clinician's own calendar over CalDAV (busy time in, consultations out) and "
                            "a subscribable ICS feed of their consultations.")
STAFF = ("admin", "staff", "clinician")
PROBLEM = "application/problem+json"
SECURITY = [{"bearer": []}]


class CalendarIn(Schema):
    caldav_url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                            validate=validate.Length(max=2000),
                            metadata={"description": "the CalDAV server (or the user's principal URL)"})
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1000),
                             metadata={"description": "the password or app password; sealed at rest, never returned"})
    calendar_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False,
                              validate=validate.Length(max=2000),
                              metadata={"description": "which calendar; by default the user's first one"})


class Clash(Schema):
    booking_id = fields.String()
    status = fields.String()
    start = fields.String()
    end = fields.String()


class CalendarStatus(Schema):
    connected = fields.Boolean()
    status = fields.String(metadata={"description": "ok | failing | disconnected"})
    reason = fields.String(allow_none=True, metadata={"description": "why the last sync failed"})
    last_sync = fields.String(allow_none=True, metadata={"description": "the last good sync (UTC)"})
    stale = fields.Boolean(metadata={"description": "slots use busy time older than three sync intervals"})
    calendar_url = fields.String(allow_none=True)
    username = fields.String(allow_none=True)
    clashes = fields.List(fields.Nested(Clash), metadata={
        "description": "holds and bookings that the calendar's busy time now covers"})


class FeedQuery(Schema):
    key = fields.String(load_default=None, validate=validate.Length(max=200))


class FeedUrl(Schema):
    url = fields.String()


def _container():
    return current_app.extensions["attune"]


def _audit(principal, action: str, clinician_id: str) -> None:
    container = _container()
    with container.db.write() as session:
        record_audit(session, container.outbox, principal, action, clinician_id, container.clock.now())


def _staff(view):
    view = blp.doc(security=SECURITY)(view)
    view = blp.alt_response(401, schema=ProblemSchema, content_type=PROBLEM, description="No staff credential")(view)
    view = blp.alt_response(403, schema=ProblemSchema, content_type=PROBLEM, description="Not yours")(view)
    return blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM, description="No such clinician")(view)


@blp.route("/<clinician_id>/calendar")
class CalendarResource(MethodView):
    @blp.response(200, CalendarStatus)
    @_staff
    def get(self, clinician_id):
        """The calendar's sync status: ok or failing (with the reason), the last good sync, stale, clashes"""
        authorize(*STAFF, clinician_id=clinician_id)
        return calendar_sync.status(_container(), clinician_id)

    @blp.arguments(CalendarIn())
    @blp.response(200, CalendarStatus)
    @blp.alt_response(422, schema=ProblemSchema, content_type=PROBLEM,
                      description="The server could not be reached, refused the credentials, or is not CalDAV")
    @_staff
    def put(self, body, clinician_id):
        """Connect the clinician's CalDAV calendar (checked against the server first; nothing is stored on failure)"""
        principal = authorize(*STAFF, clinician_id=clinician_id)
        try:
            found = calendar_sync.connect(_container(), clinician_id, body["caldav_url"], body["username"],
                                          body["password"], body.get("calendar_url"))
        except CalendarError as exc:
            field = "calendar_url" if "calendar_url" in str(exc) else "caldav_url"
            raise ProblemError(422, "Calendar not connected", f"The calendar could not be connected: {exc}.",
                               {field: [str(exc)]}, slug="calendar-not-connected") from None
        _audit(principal, "calendar.connected", clinician_id)
        return found

    @blp.response(204)
    @_staff
    def delete(self, clinician_id):
        """Disconnect the calendar: its busy time stops blocking slots and the stored credentials are deleted"""
        principal = authorize(*STAFF, clinician_id=clinician_id)
        calendar_sync.disconnect(_container(), clinician_id)
        _audit(principal, "calendar.disconnected", clinician_id)


@blp.route("/<clinician_id>/feed-key", methods=["POST"])
@blp.response(201, FeedUrl)
@_staff
def new_feed_key(clinician_id):
    """A new ICS feed URL for Google Calendar, Outlook and others to subscribe to; the previous one stops working"""
    principal = authorize(*STAFF, clinician_id=clinician_id)
    url = feed.new_key(_container(), clinician_id)
    _audit(principal, "calendar.feed_key_created", clinician_id)
    return {"url": url}


@blp.route("/<clinician_id>/feed.ics", methods=["GET"])
@blp.arguments(FeedQuery(), location="query")
@blp.response(200, content_type="text/calendar", description="iCalendar (RFC 5545)")
@blp.alt_response(403, schema=ProblemSchema, content_type=PROBLEM, description="The key is wrong or revoked")
def feed_ics(query, clinician_id):
    """The clinician's confirmed consultations, 30 days back to 60 ahead (the key is the credential)"""
    try:
        text = feed.render(_container(), clinician_id, query.get("key"))
    except feed.FeedRefused:
        raise ProblemError(403, "Forbidden", "This feed key is wrong or has been replaced by a newer one.",
                           {"key": ["wrong or revoked"]}, slug="feed-key-refused") from None
    return Response(text, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=60"})
