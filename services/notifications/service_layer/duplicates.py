"""One free consultation per person: the existing booking's manage link, mailed to that booking's own client."""
from __future__ import annotations

import logging

from services.notifications.adapters.templates import render
from services.notifications.domain.times import describe
from services.notifications.service_layer import compose, email_outbox, projections

log = logging.getLogger("attune.notifications.duplicates")
KIND = "booking_duplicate"


def on_duplicate_requested(container, session, event: dict, data: dict) -> None:
    """At most one such mail per booking a day (each refused confirm asks for one): whoever typed a
    client's address cannot fill their inbox, and learns nothing of the booking either way."""
    row = projections.booking(session, data["booking_id"])
    if row is None or not row.client_email or row.status != "confirmed":
        log.info("no client address for the manage link", extra={"booking_id": data["booking_id"]})
        return
    now = container.clock.now()
    view = projections.booking_view(session, row)
    email_outbox.enqueue(session, now, dedup_key=f"booking:{row.booking_id}:{KIND}:{now.date().isoformat()}",
                         kind=KIND, role="client", recipient=row.client_email, booking_id=row.booking_id,
                         content=content(container.settings, view))


def content(settings, view: dict) -> dict:
    subject = f"Your consultation call with {view['clinician_name']}, {settings.practice_name}"
    ctx = {**compose._common(settings), **compose.manage_links(settings, view), "client_name": view["client_name"],
           "clinician_name": view["clinician_name"],
           "when": describe(view["start"], view["end"], view["client_zone"], view["clinician_zone"])}
    text, html = render("booking_duplicate_client", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}
