"""The HTTP shapes of the availability API (marshmallow): strict on input, documented in /openapi.json."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.availability.domain import rules
from services.availability.domain.model import CALL_METHODS
from shared import taxonomy
from shared.events import WEEKDAYS, Day
from shared.validation import MailableEmail, PersonName, time_zone


def _zone(value: str) -> None:
    time_zone(value)  # the wording every service shares


def _language(value: str) -> None:
    if not rules.is_language(value):
        raise ValidationError("must be a language code such as en, es or pt-BR")


def _in_utc_range(value: datetime) -> None:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError("is out of range") from None


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


class Moment(fields.String):
    """An RFC 3339 instant with its offset, or a date (the whole day in the query's `tz`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = re.sub(r" (\d\d:?\d\d)$", r"+\1", str(value).strip())  # an unencoded "+" arrives as a space
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                day + timedelta(days=1)  # an end date means up to the next midnight: that must exist
                return day
            moment = datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            raise ValidationError("must be an RFC 3339 date-time with offset, or a date YYYY-MM-DD") from None
        if moment.tzinfo is None:
            raise ValidationError("must carry an offset, e.g. 2026-11-23T09:00:00Z")
        _in_utc_range(moment)
        return moment


def _video_url(value: str) -> None:
    if not re.fullmatch(r"https://[^\s/?#]+[^\s]*", value or "") or len(value) > 2000:
        raise ValidationError("must be an https:// link of at most 2000 characters")


class CallIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(CALL_METHODS), metadata={
        "description": "phone: the clinician calls the client (their phone is then required when booking); "
                       "video: a video call at video_url, or at a link made per booking (CALL_VIDEO_URL_TEMPLATE)"})
    video_url = fields.String(allow_none=True, validate=_video_url, metadata={"example": "https://meet.example.org/dr-rivera"})

    @validates_schema
    def _url_only_for_video(self, data, **kwargs):
        if data.get("video_url") and data.get("method") != "video":
            raise ValidationError("is only for video calls", "video_url")


def _buffer(value: int) -> None:
    if not 0 <= value <= 120 or value % 5:
        raise ValidationError("must be 0 to 120 minutes, in steps of 5")


class ClinicianIn(Schema):
    name = PersonName(required=True)
    email = MailableEmail(required=True, metadata={"description": "for notifications; shown only to the admin"})
    time_zone = fields.String(required=True, validate=_zone, metadata={"example": "America/New_York"})
    modalities = fields.List(fields.String(validate=taxonomy.one_of("modalities"), metadata={
        "description": "a code of the practice's modalities (ATTUNE_TAXONOMY)", "example": "eft"}), required=True)
    populations = fields.List(fields.String(validate=taxonomy.one_of("populations"), metadata={
        "description": "a code of the practice's populations (ATTUNE_TAXONOMY)", "example": "couples"}), required=True)
    languages = fields.List(fields.String(validate=_language), required=True,
                            metadata={"example": ["en", "es"]})
    accepting_new_clients = fields.Boolean(required=True)
    credentials = fields.String(allow_none=True, validate=validate.Length(max=200),
                                metadata={"example": "LMFT"})
    bio = fields.String(allow_none=True, validate=validate.Length(max=2000))
    call = fields.Nested(CallIn, metadata={"description": "how the consultation happens (default: video, a link "
                                                          "per booking)"})
    max_per_day = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=96), metadata={
        "description": "consultations at most per day in the clinician's zone (held and confirmed count); null: no cap"})
    buffer_minutes = fields.Integer(allow_none=True, validate=_buffer, metadata={
        "description": "minutes kept free before and after each consultation (0-120, steps of 5); null: none"})

    @post_load
    def _dedupe(self, data, **kwargs):
        for name in ("modalities", "populations", "languages"):
            if name in data:
                data[name] = _unique(data[name])
        return data


class ClinicianPatch(ClinicianIn):
    """Any subset of the clinician's fields; `{"active": false}` deactivates."""
    active = fields.Boolean()


class ClinicianOut(Schema):
    id = fields.String()
    name = fields.String()
    credentials = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    email = fields.String(metadata={"description": "only in answers to the admin"})
    time_zone = fields.String()
    modalities = fields.List(fields.String())
    modality_labels = fields.List(fields.String(), metadata={"description": "human names of `modalities`"})
    populations = fields.List(fields.String())
    languages = fields.List(fields.String())
    accepting_new_clients = fields.Boolean()
    active = fields.Boolean()
    call = fields.Dict(metadata={"description": "{method: phone|video, video_url?}; video_url only to staff roles"})
    max_per_day = fields.Integer(allow_none=True)
    buffer_minutes = fields.Integer(allow_none=True)
    next_available = fields.String(allow_none=True,
                                   metadata={"description": "UTC start of the first open slot"})


class ClinicianList(Schema):
    clinicians = fields.List(fields.Nested(ClinicianOut))


class DirectoryQuery(Schema):
    modality = fields.String(validate=taxonomy.one_of("modalities"), metadata={
        "description": "a code of the practice's modalities (ATTUNE_TAXONOMY)", "example": "eft"})
    population = fields.String(validate=taxonomy.one_of("populations"), metadata={
        "description": "a code of the practice's populations (ATTUNE_TAXONOMY)", "example": "couples"})
    language = fields.String(validate=_language)
    accepting = fields.Boolean()


class WindowIn(Schema):
    start = fields.String(required=True, metadata={"description": "local HH:MM on the 15-minute grid"})
    end = fields.String(required=True, metadata={"description": "local HH:MM on the grid, up to 24:00"})


class WeeklyWindowIn(WindowIn):
    weekday = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))


class OverrideIn(Schema):
    date = Day(required=True)
    windows = fields.List(fields.Nested(WindowIn), required=True,
                          metadata={"description": "empty: a day off"})


class TimeOffIn(Schema):
    start = fields.AwareDateTime(required=True, validate=_in_utc_range)
    end = fields.AwareDateTime(required=True, validate=_in_utc_range)


class ScheduleIn(Schema):
    weekly = fields.List(fields.Nested(WeeklyWindowIn), required=True)
    overrides = fields.List(fields.Nested(OverrideIn), load_default=list)
    time_off = fields.List(fields.Nested(TimeOffIn), load_default=list)


class OverrideOut(Schema):
    date = fields.String(metadata={"description": "YYYY-MM-DD in the clinician's calendar"})
    windows = fields.List(fields.Nested(WindowIn))


class TimeOffOut(Schema):
    start = fields.String(metadata={"description": "UTC"})
    end = fields.String(metadata={"description": "UTC"})


class ScheduleOut(Schema):
    clinician_id = fields.String()
    time_zone = fields.String()
    version = fields.Integer(metadata={"description": "rises by one on every change"})
    weekly = fields.List(fields.Nested(WeeklyWindowIn))
    overrides = fields.List(fields.Nested(OverrideOut))
    time_off = fields.List(fields.Nested(TimeOffOut))


class SlotsQuery(Schema):
    clinician_id = fields.String()
    modality = fields.String(validate=taxonomy.one_of("modalities"), metadata={
        "description": "a code of the practice's modalities (ATTUNE_TAXONOMY)", "example": "eft"})
    population = fields.String(validate=taxonomy.one_of("populations"), metadata={
        "description": "a code of the practice's populations (ATTUNE_TAXONOMY)", "example": "couples"})
    language = fields.String(validate=_language)
    start = Moment(metadata={"description": "narrows the window (RFC 3339, or a date in `tz`)"})
    end = Moment(metadata={"description": "narrows the window (RFC 3339, or a date in `tz`, inclusive)"})
    tz = fields.String(load_default="UTC", validate=_zone, metadata={"description": "the client's IANA zone"})


class SlotOut(Schema):
    clinician_id = fields.String()
    start = fields.String(metadata={"description": "UTC, e.g. 2026-11-23T14:00:00Z"})
    end = fields.String()
    local_start = fields.String(metadata={"description": "the same instant in `tz`, with its offset"})
    local_end = fields.String()


class SlotList(Schema):
    tz = fields.String()
    slots = fields.List(fields.Nested(SlotOut))


class Modality(Schema):
    id = fields.String()
    label = fields.String()


class PracticeOut(Schema):
    name = fields.String()
    lookahead_days = fields.Integer(metadata={"description": "slots are listed up to now + this many days"})
    min_notice_minutes = fields.Integer(metadata={"description": "the earliest slot is now + this"})
    slot_minutes = fields.Integer()
    modalities = fields.List(fields.Nested(Modality))
    populations = fields.List(fields.String())
    population_labels = fields.List(fields.Nested(Modality), metadata={"description": "each population's label"})
