"""The email that asks a client to confirm their contact request (their address is verified before
the practice mails it anything else)."""
from __future__ import annotations

import logging
from urllib.parse import quote

from services.notifications.adapters.templates import render
from services.notifications.service_layer import compose, email_outbox
from shared import sealed

log = logging.getLogger("attune.notifications.events")
KIND = "contact_request_verify_client"
PURPOSE = "contact-verify"  # what booking seals the confirmation token with


def link(settings, request_id: str, sealed_token: str) -> str | None:
    """The confirmation link, or None when the token cannot be opened (not sealed with our key)."""
    try:
        token = sealed.unseal(settings.secret_key, PURPOSE, sealed_token)
    except (sealed.InvalidToken, ValueError):
        return None
    return f"{settings.public_url.get('booking', '')}/v1/contact-requests/{quote(request_id)}/verify?token={quote(token)}"


def send(container, session, data: dict) -> None:
    """Queues the confirmation email of a new contact request that carries a sealed token and an email."""
    client, s = data.get("client") or {}, container.settings
    if not data.get("verification") or not client.get("email"):
        return
    url = link(s, data["contact_request_id"], data["verification"])
    if url is None:
        log.warning("contact request verification unreadable", extra={"contact_request_id": data["contact_request_id"]})
        return
    subject = f"Please confirm your contact request to {s.practice_name}"
    text, html = render(KIND, subject=subject, client_name=client.get("name") or "", verify_url=url,
                        **compose.common(s))
    email_outbox.enqueue(session, container.clock.now(), dedup_key=f"contact_request:{data['contact_request_id']}:verify",
                         kind=KIND, role="client", recipient=client["email"],
                         contact_request_id=data["contact_request_id"],
                         content={"subject": subject, "text": text, "html": html})
