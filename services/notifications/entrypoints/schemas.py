"""The webhook API's request and response schemas: strict on input, documented for OpenAPI."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events import UtcDateTime

STATUSES = ("active", "paused", "disabled")


class WebhookIn(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2048))
    events = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                         validate=validate.Length(min=1, max=50),
                         metadata={"description": "event types or patterns: `booking.confirmed`, `booking.*`, `*`"})
    include_client_details = fields.Boolean(load_default=False)
    description = fields.String(allow_none=True, validate=validate.Length(max=500))


class WebhookPatch(Schema):
    url = fields.Url(schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2048))
    events = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(min=1, max=50))
    include_client_details = fields.Boolean()
    description = fields.String(allow_none=True, validate=validate.Length(max=500))
    status = fields.String(validate=validate.OneOf(("active", "paused")),
                           metadata={"description": "`paused` pauses; `active` resumes (also a disabled one)"})


class WebhookOut(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    include_client_details = fields.Boolean(required=True)
    description = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    disabled_reason = fields.String(allow_none=True)
    consecutive_failures = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class WebhookCreated(WebhookOut):
    secret = fields.String(required=True, metadata={"description": "`whsec_…`: shown only in this answer"})


class WebhookList(Schema):
    webhooks = fields.List(fields.Nested(WebhookOut), required=True)


class Attempt(Schema):
    attempted_at = UtcDateTime(required=True)
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer(required=True)
    error = fields.String(allow_none=True)


class DeliveryOut(Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True, metadata={"description": "also the `webhook-id` header"})
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    sequence = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("pending", "succeeded", "failed")))
    attempt_count = fields.Integer(required=True)
    next_attempt_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)
    completed_at = UtcDateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_latency_ms = fields.Integer(allow_none=True)
    attempts = fields.List(fields.Nested(Attempt), required=True)


class DeliveryList(Schema):
    deliveries = fields.List(fields.Nested(DeliveryOut), required=True)


class DeliveryQuery(Schema):
    status = fields.String(validate=validate.OneOf(("pending", "succeeded", "failed")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

