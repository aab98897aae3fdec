"""Event handlers of the email queue: they update the projections and write outgoing emails and
reminders, all inside the consumer's transaction (so a redelivered event writes nothing twice)."""
from __future__ import annotations

import functools
import logging

from services.notifications.domain.kinds import (
    BOOKING_KINDS,
    CONTACT_REQUEST_ACK_CLIENT,
    CONTACT_REQUEST_PRACTICE,
    SLOT_OFFER_CLIENT,
    SLOT_OFFER_PRACTICE,
)
from services.notifications.service_layer import (
    compose,
    duplicates,
    email_outbox,
    erasure,
    invitations,
    projections,
    reminders,
    verification,
)
from shared.clock import isoformat

log = logging.getLogger("attune.notifications.events")
EMAIL_ROUTING_KEYS = ("booking.confirmed", "booking.cancelled", "booking.rescheduled", "contact_request.created",
                      "contact_request.matched", "clinician.created", "clinician.updated",
                      "contact_request.verified", "booking.duplicate_requested", "client_data.erased",
                      "account.invited")


def on_clinician(container, session, event: dict, data: dict) -> None:
    projections.apply_clinician(session, event, data)


def on_booking(container, session, event: dict, data: dict) -> None:
    kind, now = BOOKING_KINDS[event["type"]], container.clock.now()
    zone = projections.client_zone(session, event, data) if data.get("client") else None
    row = projections.apply_booking(session, event, data, zone)
    reminders.sync(session, row, now)
    view = _view(session, row, event, data)
    if view is None:
        return
    if row.client_email and view["ics_sequence"] is not None:
        email_outbox.enqueue(session, now, dedup_key=_key(row.booking_id, kind, event, "client"), kind=kind,
                             role="client", recipient=row.client_email, booking_id=row.booking_id,
                             content=compose.for_client(container.settings, view, kind, now))
    if view["clinician_email"]:
        email_outbox.enqueue(session, now, dedup_key=_key(row.booking_id, kind, event, "clinician"), kind=kind,
                             role="clinician", recipient=view["clinician_email"], booking_id=row.booking_id,
                             content=compose.for_clinician(container.settings, view, kind))
    else:
        log.warning("clinician unknown, no clinician email", extra={"booking_id": row.booking_id})


def _view(session, row, event: dict, data: dict) -> dict | None:
    """The booking as this event's mails show it; None for a confirmation already overtaken by a cancel."""
    fields = {"start": data["start"], "end": data["end"], "previous_start": data.get("previous_start"),
              "previous_end": data.get("previous_end"), "reason": data.get("reason"), "notes": data.get("notes")}
    if event["type"] == "booking.confirmed" and row.sequence > event["sequence"]:  # a later change came first
        if row.status != "confirmed":
            return None
        fields.update(start=None, end=None)
    view = projections.booking_view(session, row, **{k: v for k, v in fields.items() if v is not None})
    base = row.confirmed_sequence
    view["ics_sequence"] = None if base is None else max(row.sequence if event["type"] == "booking.confirmed"
                                                         else event["sequence"], base) - base
    return view


def _key(booking_id: str, kind: str, event: dict, role: str) -> str:
    step = f":{event['sequence']}" if kind == "booking_rescheduled" else ""
    return f"booking:{booking_id}:{kind}{step}:{role}"


def on_contact_request(container, session, event: dict, data: dict) -> None:
    if not projections.save_contact_request(session, event, data):
        return
    clin = projections.clinician(session, data["clinician_id"]) if data.get("clinician_id") else None
    s = container.settings
    email_outbox.enqueue(session, container.clock.now(), dedup_key=f"contact_request:{data['contact_request_id']}:created",
                         kind=CONTACT_REQUEST_PRACTICE, role="practice", recipient=s.practice_inbox,
                         contact_request_id=data["contact_request_id"],
                         content=compose.contact_request_for_practice(s, data, clin.name if clin else None))
    verification.send(container, session, data)  # the client confirms their address before anything else


def on_verified(container, session, event: dict, data: dict) -> None:
    """The client confirmed their address: acknowledge their request (what happens next, how to reach us)."""
    request = projections.contact_request(session, data["contact_request_id"])
    if request is None or not request.client_email:
        log.warning("verified request unknown", extra={"contact_request_id": data["contact_request_id"]})
        return
    clin = projections.clinician(session, request.clinician_id) if request.clinician_id else None
    email_outbox.enqueue(session, container.clock.now(),
                         dedup_key=f"contact_request:{request.contact_request_id}:acknowledged",
                         kind=CONTACT_REQUEST_ACK_CLIENT, role="client", recipient=request.client_email,
                         contact_request_id=request.contact_request_id,
                         content=compose.contact_request_ack(container.settings, request, clin.name if clin else None))


def on_match(container, session, event: dict, data: dict) -> None:
    request = projections.contact_request(session, data["contact_request_id"])
    if request is None:
        log.warning("matched request unknown", extra={"contact_request_id": data["contact_request_id"]})
        return
    clin = projections.clinician(session, data["clinician_id"])
    to_client = bool(request.client_email)
    kind, role = (SLOT_OFFER_CLIENT, "client") if to_client else (SLOT_OFFER_PRACTICE, "practice")
    email_outbox.enqueue(session, container.clock.now(),
                         dedup_key=f"contact_request:{request.contact_request_id}:offer:{isoformat(data['start'])}",
                         kind=kind, role=role, recipient=request.client_email or container.settings.practice_inbox,
                         contact_request_id=request.contact_request_id, expires_at=data["start"],
                         content=compose.slot_offer(container.settings, request, clin.name if clin else None, data,
                                                    for_practice=not to_client))


def handlers(container) -> dict:
    """What handles what on the email queue."""
    bind = functools.partial
    return {
        "booking.confirmed": bind(on_booking, container),
        "booking.rescheduled": bind(on_booking, container),
        "booking.cancelled": bind(on_booking, container),
        "contact_request.created": bind(on_contact_request, container),
        "contact_request.matched": bind(on_match, container),
        "contact_request.verified": bind(on_verified, container),
        "clinician.created": bind(on_clinician, container),
        "clinician.updated": bind(on_clinician, container),
        "booking.duplicate_requested": bind(duplicates.on_duplicate_requested, container),
        "client_data.erased": bind(erasure.on_erased, container),
        "account.invited": bind(invitations.on_invited, container),
    }
