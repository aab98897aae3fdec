"""/v1/bookings: read, cancel, reschedule with the manage token or a staff sign-in; staff list bookings
by range and book clients at agreed times."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import current_app
from flask_smorest import Blueprint

from services.booking.domain.model import Client
from services.booking.entrypoints.auth import staff_only
from services.booking.entrypoints.schemas import BookingListOut, BookingOut, CancelIn, RescheduleIn
from services.booking.entrypoints.staff_schemas import StaffBookingIn, StaffBookingsQuery
from services.booking.entrypoints.views import booking_view, with_call
from services.booking.service_layer import bookings
from services.booking.service_layer.access import list_scope
from shared.access import authorize, current_principal
from shared.auth import ROLES
from shared.web import bearer_token

blp = Blueprint("bookings", __name__, url_prefix="/v1", description="Confirmed bookings.")
TOKEN = [{"bearer": []}]
DEFAULT_RANGE = timedelta(days=7)


def _uow():
    return current_app.extensions["attune"].extra["uow"]


@blp.route("/bookings/<booking_id>", methods=["GET"])
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def read(booking_id):
    """The booking as it stands (Bearer <manage token>, or a staff sign-in: audited)."""
    return with_call(booking_view(bookings.get(_uow(), booking_id, bearer_token(), current_principal())))


@blp.route("/bookings/<booking_id>/cancel", methods=["POST"])
@blp.arguments(CancelIn())
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def cancel(body, booking_id):
    """Cancel the booking; cancelling twice answers with the cancelled booking."""
    return with_call(booking_view(bookings.cancel(_uow(), booking_id, bearer_token(), current_principal(),
                                                  body.get("reason"))))


@blp.route("/bookings/<booking_id>/reschedule", methods=["POST"])
@blp.arguments(RescheduleIn())
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def reschedule(body, booking_id):
    """Move the booking: 409 when the new slot is taken, 422 when it is not bookable; then nothing changes."""
    return with_call(booking_view(bookings.reschedule(_uow(), booking_id, bearer_token(), current_principal(),
                                                      body["start"])))


@blp.route("/bookings", methods=["GET"])
@staff_only
@blp.arguments(StaffBookingsQuery(), location="query")
@blp.response(200, BookingListOut)
@blp.doc(security=TOKEN)
def listing(query):
    """Bookings starting in [from, to) (or on one local `date`), by start, with the client's details
    (admin, staff; a clinician their own): a read that is audited."""
    principal = current_principal()
    clinician_id = list_scope(principal, query.get("clinician_id"))
    statuses = (query["status"],) if query.get("status") else bookings.BOOKING_STATUSES
    if "date" in query:
        start, end = bookings.local_day(_uow(), clinician_id, query["date"], query.get("tz"))
    else:
        start, end = _range(query.get("from_"), query.get("to"))
    found = bookings.listing(_uow(), principal, start, end, clinician_id, statuses)
    return {"bookings": [booking_view(b) for b in found]}


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None:
        today = current_app.extensions["attune"].clock.now().astimezone(UTC).date()
        start = end - DEFAULT_RANGE if end else datetime.combine(today, time(), UTC)
    return start, end or start + DEFAULT_RANGE


@blp.route("/bookings", methods=["POST"])
@staff_only
@blp.arguments(StaffBookingIn())
@blp.response(201, BookingOut)
@blp.doc(security=TOKEN)
def create(body):
    """Book a client at a time agreed with them (admin, staff; a clinician for themself): confirmed at
    once with booking.confirmed; on the grid, never on a taken slot (409); `outside_hours` for a time
    outside the clinician's windows; with `contact_request_id` that request becomes `booked`."""
    principal = authorize(*ROLES, clinician_id=body["clinician_id"])
    c = body["client"]
    client = Client(c["name"], c.get("email"), c.get("phone"), c.get("time_zone"))
    booking, manage_token = bookings.book(_uow(), principal, body["clinician_id"], body["start"], client,
                                          body.get("notes"), body["outside_hours"], body.get("contact_request_id"))
    return {**booking_view(booking), "manage_token": manage_token}
