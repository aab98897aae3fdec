"""HTTP shapes of the booking service's staff endpoints: bookings by range, staff bookings, triage."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.booking.domain.contact import TRIAGE_STATUSES
from services.booking.entrypoints.schemas import PHONE, ContactRequestOut, Str, _zone
from shared.events import Day, UtcDateTime
from shared.validation import MailableEmail, PersonName

LONGEST_RANGE = timedelta(days=93)
LISTED_STATUSES = ("held", "confirmed", "cancelled", "released", "expired")


class StaffBookingsQuery(Schema):
    """Either a range (`from`, `to`: UTC instants) or the old form, one local `date` (in `tz`)."""
    from_ = UtcDateTime(data_key="from", metadata={"description": "earliest start (default: today 00:00 UTC)"})
    to = UtcDateTime(metadata={"description": "starts before this (default: `from` + 7 days); at most 93 days on"})
    clinician_id = Str(validate=validate.Length(1, 64), metadata={
        "description": "one clinician's (a clinician's token: only their own; default for them)"})
    date = Day(metadata={"description": "one local day (tz, else the clinician's zone), instead of a range"})
    tz = Str(validate=_zone)
    status = Str(validate=validate.OneOf(LISTED_STATUSES))

    @validates_schema
    def _one_form(self, data, **kwargs):
        if "date" in data and ("from_" in data or "to" in data):
            raise ValidationError("Give either date or from/to.", "date")
        if "from_" in data and "to" in data:
            if data["to"] <= data["from_"]:
                raise ValidationError("to must be after from.", "to")
            if data["to"] - data["from_"] > LONGEST_RANGE:
                raise ValidationError("A range spans at most 93 days.", "to")


class StaffClientIn(Schema):
    name = PersonName(required=True)
    email = MailableEmail(allow_none=True)
    phone = Str(allow_none=True, validate=PHONE)
    time_zone = Str(allow_none=True, validate=_zone)


class StaffBookingIn(Schema):
    clinician_id = Str(required=True, validate=validate.Length(1, 64))
    start = UtcDateTime(required=True, metadata={"description": "on the 15-minute grid, in the future, up to "
                                                                "90 days ahead (no minimum notice)"})
    client = fields.Nested(StaffClientIn, required=True)
    notes = Str(allow_none=True, validate=validate.Length(max=2000))
    contact_request_id = Str(allow_none=True, validate=validate.Length(1, 64), metadata={
        "description": "the contact request this books: it becomes `booked` (contact_request.booked)"})
    outside_hours = fields.Boolean(load_default=False, metadata={
        "description": "an agreed time outside the clinician's windows (never in their time off), which may "
                       "also go past their daily cap (max_per_day) and buffer; without it a staff booking keeps "
                       "to both (409)"})


class StaffContactRequestOut(ContactRequestOut):
    note = Str(allow_none=True)
    booking_id = Str(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)


class StaffContactListOut(Schema):
    contact_requests = fields.List(fields.Nested(StaffContactRequestOut))


class StaffContactQuery(Schema):
    status = Str(validate=validate.OneOf((*TRIAGE_STATUSES, "booked")))
    clinician_id = Str(validate=validate.Length(1, 64), metadata={
        "description": "requests naming this clinician (a clinician's token: only their own; default for them)"})
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


class TriageIn(Schema):
    status = Str(validate=validate.OneOf(TRIAGE_STATUSES))
    note = Str(allow_none=True, validate=validate.Length(max=4000), metadata={
        "description": "for colleagues, never published in events; \"\" clears it"})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give a status or a note.", "status")
