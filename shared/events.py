"""The event contract: one CloudEvents 1.0 envelope and one marshmallow schema per event type's data.

Consumers read tolerantly (unknown fields are dropped), so producers may add fields freely.
"""
from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from shared.clock import isoformat

MODALITIES = ("attachment_focused", "eft", "ddp", "mbt", "circle_of_security", "abft")
POPULATIONS = ("adults", "couples", "families", "parents", "adolescents", "children")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BOOKING_STATUSES = ("held", "confirmed", "released", "expired", "cancelled")


# The times Attune takes in: far enough either way for any schedule or record, and far from the ends of
# datetime's range, where an offset (0001-01-01T00:00:00+14:00) or a slot's length (9999-12-31T23:45Z
# plus 15 minutes) would leave it and fail as an OverflowError instead of as the client's mistake.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "Out of range: Attune takes dates and times from 1900 to 8999."


class UtcDateTime(fields.AwareDateTime):
    """Loads any RFC 3339 time with an offset, as UTC (from EARLIEST to LATEST); dumps in UTC with `Z`,
    as the contract says (also a naive UTC value read from the database). Events and the HTTP APIs share it."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(OUT_OF_RANGE) from None
        if not EARLIEST <= moment < LATEST:
            raise ValidationError(OUT_OF_RANGE)
        return moment

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else isoformat(value)


class Day(fields.Date):
    """A calendar date from EARLIEST to LATEST, so the day after it (and its midnight in any zone) exists."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day < LATEST.date():
            raise ValidationError(OUT_OF_RANGE)
        return day


class Tolerant(Schema):
    class Meta:
        unknown = EXCLUDE


class Window(Tolerant):
    start = fields.String(required=True, metadata={"description": "local time HH:MM"})
    end = fields.String(required=True, metadata={"description": "local time HH:MM"})


class WeeklyWindow(Window):
    weekday = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))


class Override(Tolerant):
    date = fields.Date(required=True)
    windows = fields.List(fields.Nested(Window), required=True)


class TimeOff(Tolerant):
    start = UtcDateTime(required=True)
    end = UtcDateTime(required=True)


class Client(Tolerant):
    """Personal data: travels only inside the broker, never in logs or other events."""
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True, metadata={"description": "the client's IANA zone, when they gave it"})


class Call(Tolerant):
    method = fields.String(required=True, validate=validate.OneOf(("phone", "video")), metadata={
        "description": "phone: the clinician calls the client; video: a video call"})
    video_url = fields.String(allow_none=True, metadata={
        "description": "the clinician's standing video link; absent: one made per booking (CALL_VIDEO_URL_TEMPLATE)"})


class ClinicianData(Tolerant):
    clinician_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    time_zone = fields.String(required=True)
    modalities = fields.List(fields.String(), required=True)
    populations = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    accepting_new_clients = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    credentials = fields.String(allow_none=True)
    call = fields.Nested(Call, allow_none=True, metadata={"description": "how the consultation happens"})
    max_per_day = fields.Integer(allow_none=True, metadata={
        "description": "consultations at most per day in the clinician's zone; null: no cap"})
    buffer_minutes = fields.Integer(allow_none=True, metadata={
        "description": "minutes kept free before and after each consultation; null: none"})


class AvailabilityChangedData(Tolerant):
    clinician_id = fields.String(required=True)
    version = fields.Integer(required=True)
    time_zone = fields.String(required=True)
    weekly = fields.List(fields.Nested(WeeklyWindow), required=True)
    overrides = fields.List(fields.Nested(Override), required=True)
    time_off = fields.List(fields.Nested(TimeOff), required=True)


class BookingData(Tolerant):
    booking_id = fields.String(required=True)
    clinician_id = fields.String(required=True)
    start = UtcDateTime(required=True)
    end = UtcDateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(BOOKING_STATUSES))
    expires_at = UtcDateTime(allow_none=True)


class BookingConfirmedData(BookingData):
    client = fields.Nested(Client, required=True)
    notes = fields.String(allow_none=True)
    sealed_manage_token = fields.String(allow_none=True, metadata={
        "description": "the booking's manage token sealed for Attune's notifications service (Fernet, key derived "
                       "from ATTUNE_SECRET_KEY): no bearer secret travels on the exchange integrators bind to"})


class BookingCancelledData(BookingData):
    reason = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True, validate=validate.OneOf(("client", "staff", "system")))


class BookingRescheduledData(BookingData):
    previous_start = UtcDateTime(required=True)
    previous_end = UtcDateTime(required=True)


class PreferredTime(Tolerant):
    weekday = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))
    start = fields.String(required=True)
    end = fields.String(required=True)


class ContactRequestCreatedData(Tolerant):
    contact_request_id = fields.String(required=True)
    clinician_id = fields.String(allow_none=True)
    modality = fields.String(allow_none=True)
    population = fields.String(allow_none=True)
    time_zone = fields.String(required=True)
    preferred_times = fields.List(fields.Nested(PreferredTime), required=True)
    client = fields.Nested(Client, required=True)
    message = fields.String(allow_none=True)
    status = fields.String(allow_none=True, metadata={
        "description": "`unverified` until the client follows the link mailed to them (offered nothing till then)"})
    verification = fields.String(allow_none=True, metadata={
        "description": "the email's confirmation token, sealed for the notifications service alone"})


class ContactRequestVerifiedData(Tolerant):
    contact_request_id = fields.String(required=True)
    status = fields.String(allow_none=True, metadata={"description": "`open`: offers may now go to the client"})


class ContactRequestMatchedData(Tolerant):
    contact_request_id = fields.String(required=True)
    clinician_id = fields.String(required=True)
    start = UtcDateTime(required=True)
    end = UtcDateTime(allow_none=True)


class ContactRequestBookedData(Tolerant):
    contact_request_id = fields.String(required=True)
    booking_id = fields.String(required=True)
    clinician_id = fields.String(required=True)
    start = UtcDateTime(required=True)
    end = UtcDateTime(required=True)


class NotificationData(Tolerant):
    notification_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "e.g. booking_confirmed_client, reminder_24h"})
    channel = fields.String(required=True, validate=validate.OneOf(("email", "webhook")))
    recipient_role = fields.String(required=True, validate=validate.OneOf(("client", "clinician", "practice",
                                                                              "integrator", "staff")))
    booking_id = fields.String(allow_none=True)
    contact_request_id = fields.String(allow_none=True)
    attempts = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class SessionRevokedData(Tolerant):
    session_id = fields.String(required=True)
    account_id = fields.String(required=True)
    expires_at = UtcDateTime(allow_none=True)


class AccountData(Tolerant):
    account_id = fields.String(required=True)
    role = fields.String(allow_none=True, validate=validate.OneOf(("admin", "staff", "clinician")))
    clinician_id = fields.String(allow_none=True)


class Invitee(Tolerant):
    """Whom an invitation is for: a staff member's own name and address, for the email alone."""
    name = fields.String(required=True)
    email = fields.String(required=True)


class AccountInvitedData(AccountData):
    """An admin invited someone (or sent their link again): the notifications service mails the link."""
    invitation_id = fields.String(required=True)
    expires_at = UtcDateTime(required=True, metadata={"description": "the link works until then (72 hours), once"})
    invitee = fields.Nested(Invitee, required=True, metadata={
        "description": "the invited person's name and email: inside the broker only, never on a feed, webhook or log"})
    sealed_invitation_token = fields.String(required=True, metadata={
        "description": "the link's token sealed for Attune's notifications service (Fernet, key derived from "
                       "ATTUNE_SECRET_KEY); the staff service keeps only its hash"})


class AuditRecordedData(Tolerant):
    """Who did or read what, where and when; the subject's id only, never a client's details."""
    account_id = fields.String(required=True)
    role = fields.String(required=True)
    owner_token = fields.Boolean(required=True)
    session_id = fields.String(allow_none=True)
    action = fields.String(required=True, metadata={"description": "e.g. booking.read, schedule.changed"})
    service = fields.String(required=True)
    subject = fields.String(allow_none=True)
    at = UtcDateTime(required=True)


class BusyInterval(Tolerant):
    start = UtcDateTime(required=True)
    end = UtcDateTime(required=True)


class CalendarBusyChangedData(Tolerant):
    """The busy time of a clinician's own calendar as its last sync found it (all of it, in the bookable window)."""
    clinician_id = fields.String(required=True)
    busy = fields.List(fields.Nested(BusyInterval), required=True)
    synced_at = UtcDateTime(required=True)


class ClientDataErasedData(Tolerant):
    """Which bookings and contact requests lost their client's details, and why; never the person's details."""
    erasure_id = fields.String(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(("retention", "request")), metadata={
        "description": "retention: RETENTION_DAYS passed since the hold, booking or request ended; request: an "
                       "admin erased one person's data on their request"})
    booking_ids = fields.List(fields.String(), required=True)
    contact_request_ids = fields.List(fields.String(), required=True)


DATA_SCHEMAS: dict[str, type[Schema]] = {
    "clinician.created": ClinicianData,
    "clinician.updated": ClinicianData,
    "availability.changed": AvailabilityChangedData,
    "booking.held": BookingData,
    "booking.hold_released": BookingData,
    "booking.hold_expired": BookingData,
    "booking.confirmed": BookingConfirmedData,
    "booking.cancelled": BookingCancelledData,
    "booking.rescheduled": BookingRescheduledData,
    "booking.duplicate_requested": BookingData,
    "contact_request.created": ContactRequestCreatedData,
    "contact_request.verified": ContactRequestVerifiedData,
    "contact_request.matched": ContactRequestMatchedData,
    "contact_request.booked": ContactRequestBookedData,
    "notification.sent": NotificationData,
    "notification.failed": NotificationData,
    "session.revoked": SessionRevokedData,
    "account.deactivated": AccountData,
    "account.reactivated": AccountData,
    "account.invited": AccountInvitedData,
    "audit.recorded": AuditRecordedData,
    "calendar.busy_changed": CalendarBusyChangedData,
    "client_data.erased": ClientDataErasedData,
}
EVENT_TYPES = tuple(DATA_SCHEMAS)
EVENT_DESCRIPTIONS = {
    "clinician.created": "Staff added a clinician (subject: the clinician id).",
    "clinician.updated": "A clinician's profile or status changed; `active: false` means deactivated.",
    "availability.changed": "A clinician's whole schedule, with its rising `version` (subject: the clinician id).",
    "booking.held": "A slot is held for a client until `expires_at` (subject: the booking id, which the "
                    "hold keeps when confirmed).",
    "booking.hold_released": "The client let a hold go; the slot is free again.",
    "booking.hold_expired": "A hold passed its `expires_at` unconfirmed; the slot is free again.",
    "booking.confirmed": "A hold became a booking. Carries the client's contact details inside the broker only.",
    "booking.cancelled": "A booking was cancelled by the client, staff or the system; the slot is free again.",
    "booking.rescheduled": "A booking moved from `previous_start` to `start`.",
    "booking.duplicate_requested": "Someone tried to book another free consultation with this booking's client's "
                                   "email or phone; the client is sent this booking's manage link (no details here).",
    "contact_request.created": "A client asked to be contacted (subject: the request id). Carries the "
                               "client's contact details inside the broker only.",
    "contact_request.verified": "The client confirmed the email address of their contact request (it is open "
                                "now); no client details.",
    "contact_request.matched": "A freed slot fits an open contact request.",
    "contact_request.booked": "Staff booked the client of a contact request (`booking_id`); the request is done.",
    "notification.sent": "An email or webhook went out.",
    "notification.failed": "An email or webhook could not be delivered after its retries.",
    "session.revoked": ("A staff session ended (sign-out or role change) or an integrator token was revoked; "
                        "every service refuses its token."),
    "account.deactivated": "A staff account was deactivated; every service refuses all of its tokens.",
    "account.reactivated": "A deactivated staff account may sign in again (its old sessions stay revoked).",
    "account.invited": "An admin invited someone to an account (subject: the account id, `invited` until they "
                       "choose a password on the link); sent again on each resend, with a new link.",
    "audit.recorded": "A staff read of client details or a staff change, in any service (who, what, when, "
                      "which service, which subject; never the client's details).",
    "calendar.busy_changed": "A sync of a clinician's own calendar found its busy time changed (subject: "
                             "`calendar-<clinician id>`); `busy` is the whole busy time now, no event details.",
    "client_data.erased": "The client details of these bookings and contact requests were erased (after "
                          "RETENTION_DAYS, or on an admin's erasure request): erase what you keep of them too "
                          "(subject: `erasure-<id>`).",
}


class Envelope(Schema):
    """CloudEvents 1.0 structured JSON, plus a per-subject rising `sequence`."""

    class Meta:
        unknown = EXCLUDE

    specversion = fields.String(required=True, validate=validate.Equal("1.0"))
    id = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    time = fields.String(required=True)
    subject = fields.String(required=True)
    datacontenttype = fields.String(required=True, validate=validate.Equal("application/json"))
    sequence = fields.Integer(required=True, validate=validate.Range(min=1))
    data = fields.Dict(required=True)
    requestid = fields.String(metadata={"description": "extension attribute: id of the HTTP request "
                                                       "(or event) that caused this event, for log correlation"})
    traceparent = fields.String(metadata={"description": "CloudEvents distributed-tracing extension: the W3C "
                                                         "trace context of the request that caused this event"})


class InvalidEvent(ValueError):
    """The message is not a valid event of our contract; the reason says why."""


@functools.cache
def _data_schema(type_: str) -> Schema:
    """One instance per type, reused as web frameworks reuse theirs: building one per event was most
    of an event's cost."""
    return DATA_SCHEMAS[type_]()


def new_event(type_: str, source: str, subject: str, sequence: int, data: dict, time: datetime) -> dict:
    """Builds a validated envelope; `data` is dumped through its schema so it is JSON-ready."""
    schema = _data_schema(type_)
    dumped = schema.dump(data)
    errors = schema.validate(dumped)
    if errors:
        raise InvalidEvent(f"{type_} data: {errors}")
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "time": isoformat(time),
        "subject": subject,
        "datacontenttype": "application/json",
        "sequence": sequence,
        "data": dumped,
    }


def parse(body: bytes | str) -> tuple[dict, dict]:
    """Returns (envelope, loaded data) or raises InvalidEvent with the reason."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidEvent(f"not JSON: {e}") from None
    if not isinstance(raw, dict):
        raise InvalidEvent("not a JSON object")
    try:
        envelope = Envelope().load(raw)
        data = DATA_SCHEMAS[envelope["type"]]().load(envelope["data"])
    except ValidationError as e:
        raise InvalidEvent(f"schema: {e.messages}") from None
    return envelope, data
