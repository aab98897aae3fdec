"""What this service keeps of other services' events: clinicians, bookings and contact requests.

Its email queue is unordered (each event deserves its mail), so each projection compares the
event's per-subject `sequence` with the one it holds and ignores older states itself.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from services.notifications.adapters.orm import bookings, clinicians, contact_requests
from services.notifications.domain.times import zone
from shared.clock import naive_utc, utc


def clinician(session, clinician_id: str):
    return session.execute(select(clinicians).where(clinicians.c.clinician_id == clinician_id)).first()


def apply_clinician(session, event: dict, data: dict) -> None:
    row = clinician(session, data["clinician_id"])
    call = data.get("call") or {}
    values = {"name": data["name"], "email": data.get("email"), "time_zone": data["time_zone"],
              "active": data["active"], "sequence": event["sequence"], "call_method": call.get("method") or "video",
              "video_url": call.get("video_url")}
    if row is None:
        session.execute(insert(clinicians).values(clinician_id=data["clinician_id"], **values))
    elif event["sequence"] > row.sequence:
        session.execute(update(clinicians).where(clinicians.c.clinician_id == row.clinician_id).values(**values))


def booking(session, booking_id: str):
    return session.execute(select(bookings).where(bookings.c.booking_id == booking_id)).first()


def apply_booking(session, event: dict, data: dict, client_zone: str | None = None):
    """Records the booking's newest state and, from `booking.confirmed`, the client; returns the row."""
    row = booking(session, data["booking_id"])
    state = {"clinician_id": data["clinician_id"], "start_at": naive_utc(data["start"]), "end_at": naive_utc(data["end"]),
             "status": data["status"], "sequence": event["sequence"]}
    extra = _client_fields(event, data, client_zone) if data.get("client") else {}
    where = bookings.c.booking_id == data["booking_id"]
    if row is None:
        session.execute(insert(bookings).values(booking_id=data["booking_id"], **state, **extra))
    elif event["sequence"] > row.sequence:
        session.execute(update(bookings).where(where).values(**state, **extra))
    elif extra:
        session.execute(update(bookings).where(where).values(**extra))
    return booking(session, data["booking_id"])


def _client_fields(event: dict, data: dict, client_zone: str | None) -> dict:
    client = data["client"]
    return {"client_name": client["name"], "client_email": client.get("email"), "client_phone": client.get("phone"),
            "client_time_zone": client_zone, "manage_token": data.get("sealed_manage_token"),
            "confirmed_sequence": event["sequence"]}  # kept sealed at rest too; opened only to write a link


def client_zone(session, event: dict, data: dict) -> str | None:
    """The client's own zone: from the event if the booking service sends it, else from their contact
    request (same email address), else unknown."""
    raw = event["data"]
    for candidate in ((raw.get("client") or {}).get("time_zone"), raw.get("client_time_zone")):
        if zone(candidate):
            return candidate
    email = (data.get("client") or {}).get("email")
    if not email:
        return None
    found = session.execute(select(contact_requests.c.time_zone).where(contact_requests.c.email_key == email.lower())
                            .order_by(contact_requests.c.created_at.desc()).limit(1)).scalar()
    return found if zone(found) else None


def contact_request(session, request_id: str):
    return session.execute(select(contact_requests)
                           .where(contact_requests.c.contact_request_id == request_id)).first()


def save_contact_request(session, event: dict, data: dict) -> bool:
    """Keeps the request's client and zone for a later slot offer; False when already known."""
    if contact_request(session, data["contact_request_id"]) is not None:
        return False
    client = data["client"]
    email = client.get("email")
    session.execute(insert(contact_requests).values(
        contact_request_id=data["contact_request_id"], client_name=client["name"], client_email=email,
        email_key=email.lower() if email else None, client_phone=client.get("phone"),
        time_zone=data["time_zone"], clinician_id=data.get("clinician_id"),
        created_at=naive_utc(_event_time(event))))
    return True


def _event_time(event: dict) -> datetime:
    return datetime.fromisoformat(event["time"])


def booking_view(session, row, **event_fields) -> dict:
    """What a booking email needs: the booking as stored, its clinician, and the event's own fields."""
    clin = clinician(session, row.clinician_id)
    view = {"booking_id": row.booking_id, "start": utc(row.start_at), "end": utc(row.end_at),
            "client_name": row.client_name, "client_email": row.client_email, "client_phone": row.client_phone,
            "client_zone": row.client_time_zone, "sealed_manage_token": row.manage_token,
            "clinician_name": clin.name if clin else "your clinician", "clinician_email": clin.email if clin else None,
            "clinician_zone": clin.time_zone if clin else "UTC", "ics_sequence": 0,
            "clinician_call_method": clin.call_method if clin else None,
            "clinician_video_url": clin.video_url if clin else None}
    return {**view, **event_fields}
