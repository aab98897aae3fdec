"""The email that invites someone to the practice console: their link to choose a password.

The staff service seals the link's token for this service alone. The stored mail keeps it sealed (a
placeholder, opened only as the message is built, like a manage link), so neither the exchange nor
this service's tables hold a usable link.
"""
from __future__ import annotations

import logging

from services.notifications.adapters.templates import render
from services.notifications.service_layer import compose, email_outbox
from shared import sealed

log = logging.getLogger("attune.notifications.events")
KIND = "account_invitation_staff"
PURPOSE = "staff-invitation"  # what the staff service seals the invitation token with
ROLES = {"admin": "an admin", "staff": "a member of staff", "clinician": "a clinician"}


def stored_token(settings, sealed_token: str) -> str | None:
    """The placeholder a stored mail keeps for the link's token (the staff service's sealed token, opened
    by compose.reveal as the message is built); None when it cannot be opened (sealed with another
    ATTUNE_SECRET_KEY than ours), so no mail with a dead link is queued."""
    try:
        sealed.unseal(settings.secret_key or "", PURPOSE, sealed_token)
    except (sealed.InvalidToken, ValueError):
        return None
    return compose.placeholder(sealed_token, PURPOSE)


def on_invited(container, session, event: dict, data: dict) -> None:
    """Queues the invitation email; one per event (a resend is a new event, with a new link)."""
    s, invitee = container.settings, data["invitee"]
    shown = stored_token(s, data["sealed_invitation_token"])
    if shown is None:
        log.warning("invitation token unreadable", extra={"account_id": data["account_id"]})
        return
    subject = f"You are invited to {s.practice_name}'s practice console"
    text, html = render(KIND, subject=subject, invitee_name=invitee["name"], role=ROLES.get(data.get("role"), "staff"),
                        invite_url=f"{s.public_url.get('staff', '')}/#/invite/{shown}", expires=_when(data["expires_at"]),
                        **compose.common(s))
    email_outbox.enqueue(session, container.clock.now(), dedup_key=f"account:{data['account_id']}:invited:{event['id']}",
                         kind=KIND, role="staff", recipient=invitee["email"], expires_at=data["expires_at"],
                         content={"subject": subject, "text": text, "html": html})


def _when(at) -> str:
    return f"{at:%A} {at.day} {at:%B %Y, %H:%M} UTC"
