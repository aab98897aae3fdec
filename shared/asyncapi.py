"""The AsyncAPI 3 document of Attune's events, generated from the marshmallow schemas (`attune asyncapi`)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.events import DATA_SCHEMAS, EVENT_DESCRIPTIONS, EVENT_TYPES, Envelope, new_event
from shared.messaging.publisher import CONTENT_TYPE
from shared.messaging.topology import DELIVERY_LIMIT

EXCHANGE = "attune.events"
AMQP = "0.3.0"  # AsyncAPI AMQP bindings version
ENVELOPE_DOCS = {
    "specversion": "CloudEvents version, always 1.0.",
    "id": "Unique event id; the same on every redelivery: de-duplicate on it. Also the AMQP message_id.",
    "source": "The publishing service, e.g. /attune/booking.",
    "type": "The event type; also the routing key and the AMQP type property.",
    "time": "When it happened, RFC 3339 in UTC (Z).",
    "subject": "The booking, clinician or contact request the event is about.",
    "sequence": "Rises per subject: ignore an event whose sequence is not above the last one you applied.",
}
DESCRIPTION = f"""Every Attune service publishes its events to one durable topic exchange, `{EXCHANGE}`
(`ATTUNE_EXCHANGE`), through a transactional outbox: at least once, persistent, with publisher
confirms. The routing key is the event type, so bind a queue of your own to `booking.*` or `#`.
Each message is a CloudEvents 1.0 structured JSON envelope (content type
`{CONTENT_TYPE}`) whose AMQP properties repeat the id (`message_id`), type and
time (`timestamp`).

Consumers de-duplicate on `id` and ignore stale updates by the per-subject `sequence`. Attune's
own consumers read through one durable quorum queue per service and purpose
(`<service>.<purpose>`, delivery limit {DELIVERY_LIMIT}) with a dead-letter twin `<queue>.dlq`
(exchange `{EXCHANGE}.dlx`) where messages that cannot be applied land with the reason in the
`x-attune-reason` header. Client contact details travel only in `booking.confirmed` and
`contact_request.created` (`data.client`), inside the broker.
"""


def _spec() -> dict:
    spec = APISpec("Attune events", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("CloudEvent", schema=Envelope)
    for schema in dict.fromkeys(DATA_SCHEMAS.values()):
        spec.components.schema(schema.__name__, schema=schema)
    schemas = spec.to_dict()["components"]["schemas"]
    envelope = schemas["CloudEvent"]
    envelope["description"] = "CloudEvents 1.0 structured JSON envelope with a per-subject `sequence`."
    for name, text in ENVELOPE_DOCS.items():
        envelope["properties"][name]["description"] = text
    envelope["properties"]["time"]["format"] = "date-time"
    return dict(sorted(schemas.items()))


def _ref(*path: str) -> dict:
    return {"$ref": "#/" + "/".join(path)}


def _channel(type_: str) -> dict:
    return {
        "address": type_,
        "title": type_,
        "description": f"Routing key `{type_}` on the `{EXCHANGE}` topic exchange.",
        "messages": {type_: _ref("components", "messages", type_)},
        "bindings": {"amqp": {"is": "routingKey", "bindingVersion": AMQP,
                              "exchange": {"name": EXCHANGE, "type": "topic", "durable": True,
                                           "autoDelete": False, "vhost": "/"}}},
    }


def _operation(type_: str) -> dict:
    return {
        "action": "receive",
        "channel": _ref("channels", type_),
        "summary": EVENT_DESCRIPTIONS[type_],
        "messages": [_ref("channels", type_, "messages", type_)],
        "bindings": {"amqp": {"deliveryMode": 2, "timestamp": True, "ack": True, "bindingVersion": AMQP}},
    }


def _message(type_: str) -> dict:
    data = _ref("components", "schemas", DATA_SCHEMAS[type_].__name__)
    return {
        "name": type_,
        "title": type_,
        "summary": EVENT_DESCRIPTIONS[type_],
        "contentType": CONTENT_TYPE,
        "payload": {"allOf": [_ref("components", "schemas", "CloudEvent"),
                              {"type": "object", "properties": {"type": {"const": type_}, "data": data}}]},
        "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": type_, "bindingVersion": AMQP}},
        "examples": [{"name": type_.replace(".", "-"), "payload": example(type_)}],
    }


def document() -> dict:
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Attune events", "version": "1", "description": DESCRIPTION,
                 "license": {"name": "Apache-2.0"}},
        "defaultContentType": CONTENT_TYPE,
        "servers": {"local": {"host": "127.0.0.1:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
                              "description": "RabbitMQ as `attune up` uses it (AMQP_URL)."}},
        "channels": {t: _channel(t) for t in EVENT_TYPES},
        "operations": {f"receive.{t}": _operation(t) for t in EVENT_TYPES},
        "components": {"messages": {t: _message(t) for t in EVENT_TYPES}, "schemas": _spec()},
    }


def render() -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value: str):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    header = "# Generated by `attune asyncapi` from shared/events.py: do not edit by hand.\n"
    return header + yaml.dump(document(), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
START, END = "2026-03-03T15:00:00Z", "2026-03-03T15:15:00Z"
CLIENT = {"name": "Alex Example", "email": "alex@example.org", "phone": "+1 555 0100"}
BOOKING = {"booking_id": "bk_7Yc2", "clinician_id": "cl_4Hq9", "start": START, "end": END, "status": "held",
           "expires_at": "2026-03-02T14:10:00Z"}
CLINICIAN = {"clinician_id": "cl_4Hq9", "name": "Dr. Sam Rivera", "time_zone": "America/New_York",
             "modalities": ["eft"], "populations": ["couples"], "languages": ["en", "es"],
             "accepting_new_clients": True, "active": True, "credentials": "PhD, LMFT",
             "call": {"method": "video", "video_url": None}, "max_per_day": 4, "buffer_minutes": 15}
NOTIFICATION = {"notification_id": "nt_1", "kind": "booking_confirmed_client", "channel": "email",
                "recipient_role": "client", "booking_id": "bk_7Yc2", "attempts": 1}
SAMPLE_DATA = {
    "clinician.created": CLINICIAN,
    "clinician.updated": {**CLINICIAN, "accepting_new_clients": False},
    "availability.changed": {"clinician_id": "cl_4Hq9", "version": 3, "time_zone": "America/New_York",
                             "weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"}],
                             "overrides": [{"date": "2026-11-26", "windows": []}],
                             "time_off": [{"start": "2026-12-24T00:00:00Z", "end": "2026-12-27T00:00:00Z"}]},
    "booking.held": BOOKING,
    "booking.hold_released": {**BOOKING, "status": "released"},
    "booking.hold_expired": {**BOOKING, "status": "expired"},
    "booking.confirmed": {**BOOKING, "status": "confirmed", "expires_at": None, "client": CLIENT},
    "booking.cancelled": {**BOOKING, "status": "cancelled", "expires_at": None, "reason": None,
                          "cancelled_by": "client"},
    "booking.duplicate_requested": {**BOOKING, "status": "confirmed", "expires_at": None},
    "booking.rescheduled": {**BOOKING, "status": "confirmed", "expires_at": None,
                            "previous_start": "2026-03-03T14:00:00Z", "previous_end": "2026-03-03T14:15:00Z"},
    "contact_request.created": {"contact_request_id": "cr_2", "clinician_id": None, "modality": "eft",
                                "population": "couples", "time_zone": "Europe/Berlin", "client": CLIENT,
                                "preferred_times": [{"weekday": "tue", "start": "17:00", "end": "19:00"}]},
    "contact_request.verified": {"contact_request_id": "cr_2", "status": "open"},
    "contact_request.matched": {"contact_request_id": "cr_2", "clinician_id": "cl_4Hq9", "start": START,
                                "end": END},
    "contact_request.booked": {"contact_request_id": "cr_2", "booking_id": "bk_7Yc2", "clinician_id": "cl_4Hq9",
                               "start": START, "end": END},
    "notification.sent": NOTIFICATION,
    "notification.failed": {**NOTIFICATION, "attempts": 5, "error": "SMTP 451"},
    "session.revoked": {"session_id": "3f9c0d2a", "account_id": "ac_5Rt1", "expires_at": "2026-03-02T22:00:00Z"},
    "account.deactivated": {"account_id": "ac_5Rt1", "role": "staff", "clinician_id": None},
    "account.reactivated": {"account_id": "ac_5Rt1", "role": "staff", "clinician_id": None},
    "account.invited": {"account_id": "ac_8Wn2", "role": "clinician", "clinician_id": "cl_4Hq9",
                        "invitation_id": "inv_2b7e", "expires_at": "2026-03-05T09:00:00Z",
                        "invitee": {"name": "Wren Newcomer", "email": "wren@practice.example"},
                        "sealed_invitation_token": "gAAAAABn-sealed-for-notifications"},
    "audit.recorded": {"account_id": "ac_5Rt1", "role": "staff", "owner_token": False, "session_id": "3f9c0d2a",
                       "action": "booking.read", "service": "booking", "subject": "bk_7Yc2",
                       "at": "2026-03-02T14:00:00Z"},
    "client_data.erased": {"erasure_id": "er_3Kd8", "basis": "retention", "booking_ids": ["bk_7Yc2"],
                           "contact_request_ids": ["cr_2"]},
    "calendar.busy_changed": {"clinician_id": "cl_8Hq2", "synced_at": "2026-03-02T14:00:20Z",
                              "busy": [{"start": "2026-03-03T15:00:00Z", "end": "2026-03-03T16:00:00Z"}]},
}


SOURCES = {"clinician": "availability", "availability": "availability", "booking": "booking",
           "contact_request": "booking", "notification": "notifications", "session": "staff", "account": "staff",
           "audit": "booking", "calendar": "availability",
           "client_data": "booking"}


def example(type_: str) -> dict:
    """A valid event of the type, the same on every run."""
    data = SAMPLE_DATA[type_]
    subject = next(v for k, v in data.items() if k.endswith("_id"))
    source = "/attune/" + SOURCES[type_.split(".")[0]]
    event = new_event(type_, source, subject, 1, DATA_SCHEMAS[type_]().load(data), AT)
    return {**event, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "attune:" + type_))}
