"""How a booking reads over HTTP."""
from __future__ import annotations

from flask import current_app

from services.booking.adapters import clinicians
from services.booking.domain.model import Appointment
from shared import call


def booking_view(b: Appointment) -> dict:
    client = b.client and {"name": b.client.name, "email": b.client.email, "phone": b.client.phone,
                        "time_zone": b.client.time_zone}
    return {"id": b.id, "status": b.status, "clinician_id": b.clinician_id, "start": b.start, "end": b.end,
            "client": client, "notes": b.notes, "cancel_reason": b.cancel_reason, "cancelled_by": b.cancelled_by}


def with_call(view: dict) -> dict:
    """The booking's view with how its call happens: {"method": "phone"} (the clinician phones the client)
    or {"method": "video", "video_url"} (the clinician's own link, else the one made for this booking)."""
    container = current_app.extensions["attune"]
    with container.extra["uow"].read() as tx:
        c = clinicians.get(tx.session, view["clinician_id"])
    s = container.settings
    return {**view, "call": call.for_booking(c and c.call_method, c and c.video_url, view["id"],
                                             s.call_video_url_template, s.secret_key)}
