"""The busy projection: each booking's row follows its `booking.*` events; slot lists leave taken ones out.

The consumer de-duplicates events and skips stale per-booking sequences before calling these
handlers; the row keeps the sequence it was last moved by as well, so an older event can never
overwrite a newer state even when two consumers race on one booking.
"""
from __future__ import annotations

from services.availability.adapters import repository as repo
from services.availability.service_layer import directory
from shared.clock import SystemClock

STATUS_BY_TYPE = {
    "booking.held": "held",
    "booking.hold_released": "released",
    "booking.hold_expired": "expired",
    "booking.confirmed": "confirmed",
    "booking.cancelled": "cancelled",
    "booking.rescheduled": None,  # keeps the status the event carries (a booking stays confirmed)
}
ROUTING_KEYS = tuple(STATUS_BY_TYPE)


def apply_booking_event(session, event: dict, data: dict, clock=None) -> None:
    """Sets the booking's row to the event's state: who, when (the new start after a reschedule), status."""
    status = STATUS_BY_TYPE[event["type"]] or data["status"]
    values = {"clinician_id": data["clinician_id"], "start": data["start"], "end": data["end"],
              "status": status, "expires_at": data.get("expires_at") if status == "held" else None}
    now = (clock or SystemClock()).now()
    repo.put_booking(session, data["booking_id"], values, event["sequence"], now)
    directory.refresh_next_available(session, data["clinician_id"], now)  # that one clinician only


def handlers(clock=None) -> dict:
    """The routing table of the `booking-events` subscription: every booking event type, one handler."""
    return {type_: lambda session, event, data: apply_booking_event(session, event, data, clock)
            for type_ in ROUTING_KEYS}
