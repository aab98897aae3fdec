"""How a booking reads over HTTP."""
from __future__ import annotations

from services.booking.domain.model import Appointment


def booking_view(b: Appointment) -> dict:
    client = b.client and {"name": b.client.name, "email": b.client.email, "phone": b.client.phone,
                        "time_zone": b.client.time_zone}
    return {"id": b.id, "status": b.status, "clinician_id": b.clinician_id, "start": b.start, "end": b.end,
            "client": client, "notes": b.notes, "cancel_reason": b.cancel_reason, "cancelled_by": b.cancelled_by}
