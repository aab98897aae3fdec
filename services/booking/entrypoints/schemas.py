"""HTTP shapes of the booking API: strict on input (unknown fields rejected), times in UTC with `Z`."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from shared import taxonomy
from shared.events import EVENT_TYPES, WEEKDAYS, UtcDateTime
from shared.validation import MailableEmail, PersonName
from shared.validation import time_zone as _zone

HHMM = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 ().\-]{4,28}[0-9]$", error="Not a valid phone number.")


class Str(fields.String):
    """A string that can be stored: no NUL characters (PostgreSQL refuses them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        return text


class HoldIn(Schema):
    clinician_id = Str(required=True, validate=validate.Length(1, 64))
    start = UtcDateTime(required=True, metadata={"description": "slot start, on the 15-minute grid"})
    session = Str(validate=validate.Length(1, 128), metadata={
        "description": "hold session (or header X-Hold-Session): a new hold releases the session's previous one"})


class HoldOut(Schema):
    id = Str()
    status = Str()
    clinician_id = Str()
    start = UtcDateTime()
    end = UtcDateTime()
    expires_at = UtcDateTime()
    token = Str(metadata={"description": "secret, shown once: confirm or release with it"})


class ClientIn(Schema):
    name = PersonName(required=True)
    email = MailableEmail(required=True)
    phone = Str(allow_none=True, validate=PHONE)
    time_zone = Str(allow_none=True, validate=_zone, metadata={
        "description": "the client's IANA zone, so their emails show their own times"})


class ConfirmIn(Schema):
    client = fields.Nested(ClientIn, required=True)
    consent = fields.Boolean(required=True, validate=validate.Equal(
        True, error="Consent to be contacted about this consultation is needed to book."))
    notes = Str(allow_none=True, validate=validate.Length(max=2000),
                          metadata={"description": "what the client is looking for"})


class ClientOut(Schema):
    name = Str()
    email = Str()
    phone = Str(allow_none=True)
    time_zone = Str(allow_none=True)


class BookingOut(Schema):
    id = Str()
    status = Str()
    clinician_id = Str()
    start = UtcDateTime()
    end = UtcDateTime()
    manage_token = Str(metadata={"description": "secret, shown once at confirmation"})
    call = fields.Dict(metadata={"description": "how the call happens: {method: phone} (the clinician phones the "
                                                "client) or {method: video, video_url} (the link to join)"})
    client = fields.Nested(ClientOut, allow_none=True)
    notes = Str(allow_none=True)
    cancel_reason = Str(allow_none=True)
    cancelled_by = Str(allow_none=True)


class BookingListOut(Schema):
    bookings = fields.List(fields.Nested(BookingOut))


class CancelIn(Schema):
    reason = Str(allow_none=True, validate=validate.Length(max=500))


class RescheduleIn(Schema):
    start = UtcDateTime(required=True)


class PreferredTimeIn(Schema):
    weekday = Str(required=True, validate=validate.OneOf(WEEKDAYS))
    start = Str(required=True, validate=validate.Regexp(HHMM, error="Use HH:MM."))
    end = Str(required=True, validate=validate.Regexp(HHMM, error="Use HH:MM (24:00 for midnight)."))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["start"] >= data["end"]:
            raise ValidationError("end must be after start.", "end")


class ContactIn(Schema):
    name = PersonName(required=True)
    email = MailableEmail(allow_none=True)
    phone = Str(allow_none=True, validate=PHONE)
    clinician_id = Str(allow_none=True, validate=validate.Length(1, 64))
    modality = Str(allow_none=True, validate=taxonomy.one_of("modalities"), metadata={
        "description": "a code of the practice's modalities (ATTUNE_TAXONOMY)", "example": "eft"})
    population = Str(allow_none=True, validate=taxonomy.one_of("populations"), metadata={
        "description": "a code of the practice's populations (ATTUNE_TAXONOMY)", "example": "couples"})
    time_zone = Str(required=True, validate=_zone)
    preferred_times = fields.List(fields.Nested(PreferredTimeIn), required=True, validate=validate.Length(1, 50))
    message = Str(allow_none=True, validate=validate.Length(max=4000))
    consent = fields.Boolean(required=True, validate=validate.Equal(
        True, error="Consent to be contacted about this request is needed to send it."))

    @validates_schema
    def _reachable(self, data, **kwargs):
        if not data.get("email") and not data.get("phone"):
            raise ValidationError("Give an email address or a phone number so the practice can reach you.", "email")


class IdOut(Schema):
    id = Str()
    status = Str()


class OfferOut(Schema):
    clinician_id = Str()
    start = UtcDateTime()


class ContactRequestOut(Schema):
    id = Str()
    status = Str()
    name = Str()
    email = Str(allow_none=True)
    phone = Str(allow_none=True)
    clinician_id = Str(allow_none=True)
    modality = Str(allow_none=True)
    population = Str(allow_none=True)
    time_zone = Str()
    preferred_times = fields.List(fields.Nested(PreferredTimeIn))
    message = Str(allow_none=True)
    created_at = UtcDateTime()
    closed_at = UtcDateTime(allow_none=True)
    matches = fields.List(fields.Nested(OfferOut), metadata={"description": "slots this request was offered"})


class EventsPage(Schema):
    events = fields.List(fields.Dict(), metadata={"description": "CloudEvents, oldest first, without data.client"})
    next_cursor = Str(metadata={"description": "pass back as `after` for the next page"})


CURSOR = re.compile(r"[0-9]{1,19}")  # ASCII digits only (str.isdigit takes "²"), within a 64-bit id
FAMILIES = frozenset(t.split(".", 1)[0] for t in EVENT_TYPES)


class EventsQuery(Schema):
    after = Str(load_default="0", metadata={"description": "cursor: next_cursor of the previous page"})
    type = Str(metadata={"description": "comma-separated types; `booking.*` matches a family"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))

    @validates("after")
    def _cursor(self, value, **kwargs):
        if not CURSOR.fullmatch(value) or int(value) >= 2**63:
            raise ValidationError("Not a cursor: use 0 or the next_cursor of the previous page.")

    @validates("type")
    def _types(self, value, **kwargs):
        unknown = [t for t in (p.strip() for p in value.split(",")) if t and t not in EVENT_TYPES
                   and not (t.endswith(".*") and t[:-2] in FAMILIES)]
        if unknown:
            raise ValidationError(f"Unknown event type {', '.join(map(repr, unknown))}: use types of the "
                                  "contract (e.g. booking.confirmed) or a family (booking.*).")
