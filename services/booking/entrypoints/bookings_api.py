"""/v1/bookings: read, cancel, reschedule with the manage token (or admin); staff list a day."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from services.booking.entrypoints.auth import admin_only
from services.booking.entrypoints.schemas import (
    BookingListOut,
    BookingOut,
    BookingsQuery,
    CancelIn,
    RescheduleIn,
)
from services.booking.entrypoints.views import booking_view
from services.booking.service_layer import bookings
from shared.web import bearer_token, is_admin

blp = Blueprint("bookings", __name__, url_prefix="/v1", description="Confirmed bookings.")
TOKEN = [{"bearer": []}]


def _uow():
    return current_app.extensions["attune"].extra["uow"]


@blp.route("/bookings/<booking_id>", methods=["GET"])
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def read(booking_id):
    """The booking as it stands (Bearer <manage token> or admin)."""
    return booking_view(bookings.get(_uow(), booking_id, bearer_token(), is_admin()))


@blp.route("/bookings/<booking_id>/cancel", methods=["POST"])
@blp.arguments(CancelIn())
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def cancel(body, booking_id):
    """Cancel the booking; cancelling twice answers with the cancelled booking."""
    return booking_view(bookings.cancel(_uow(), booking_id, bearer_token(), is_admin(), body.get("reason")))


@blp.route("/bookings/<booking_id>/reschedule", methods=["POST"])
@blp.arguments(RescheduleIn())
@blp.response(200, BookingOut)
@blp.doc(security=TOKEN)
def reschedule(body, booking_id):
    """Move the booking: 409 when the new slot is taken, 422 when it is not bookable; then nothing changes."""
    return booking_view(bookings.reschedule(_uow(), booking_id, bearer_token(), is_admin(), body["start"]))


@blp.route("/bookings", methods=["GET"])
@admin_only
@blp.arguments(BookingsQuery(), location="query")
@blp.response(200, BookingListOut)
@blp.doc(security=TOKEN)
def day_list(query):
    """A clinician's bookings on one day (admin)."""
    statuses = (query["status"],) if query.get("status") else bookings.BOOKING_STATUSES
    found = bookings.on_day(_uow(), query["clinician_id"], query["date"], query.get("tz"), statuses)
    return {"bookings": [booking_view(b) for b in found]}
