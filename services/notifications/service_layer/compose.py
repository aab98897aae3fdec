"""Each email's subject and bodies (Jinja2 templates), times in the reader's zone, invites attached."""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import quote, urlencode

from services.notifications.adapters import calendar
from services.notifications.adapters.templates import render
from services.notifications.domain.kinds import ICS_METHODS
from services.notifications.domain.times import describe, local_span, zone
from shared import sealed
from shared.clock import isoformat

log = logging.getLogger("attune.notifications.compose")
FERNET_PREFIX = "gAAAAA"  # a Fernet token's version byte and first timestamp bytes, base64-encoded
PLACEHOLDER = re.compile(r"\{sealed:(gAAAAA[A-Za-z0-9_=-]+)\}")

CLIENT_SUBJECTS = {
    "booking_confirmed": "Booked: your consultation call with {clinician}, {when}",
    "booking_rescheduled": "Moved: your consultation call with {clinician} is now {when}",
    "booking_cancelled": "Cancelled: your consultation call with {clinician}, {when}",
    "reminder_24h": "Reminder: your consultation call with {clinician} tomorrow, {when}",
    "reminder_1h": "Reminder: your consultation call with {clinician} in an hour, {when}",
}
CLINICIAN_SUBJECTS = {
    "booking_confirmed": "New consultation call: {client}, {when}",
    "booking_rescheduled": "Consultation call moved: {client}, now {when}",
    "booking_cancelled": "Consultation call cancelled: {client}, {when}",
}


def _common(settings) -> dict:
    return {"practice_name": settings.practice_name, "brand_color": settings.brand_color,
            "crisis_notice": settings.crisis_notice}


def _short(start, tz_name: str | None) -> str:
    tz = zone(tz_name) or zone("UTC")
    s = start.astimezone(tz)
    return f"{s:%a} {s.day} {s:%b} {s:%H:%M} {'UTC' if tz.key == 'UTC' else s.strftime('%Z')}"


def manage_links(settings, view: dict) -> dict:
    """The client's manage, cancel and reschedule links, from the manage token the booking service
    sealed for this service alone; none when it cannot be opened (another ATTUNE_SECRET_KEY). The
    token stays sealed in the stored mail (a placeholder), opened only as the message is built."""
    sealed_token = view.get("sealed_manage_token")
    token = manage_token(settings, sealed_token)
    if not token:
        return {"manage_url": None, "cancel_url": None, "reschedule_url": None}
    shown = placeholder(sealed_token) if sealed_token.startswith(FERNET_PREFIX) else quote(token, safe="")
    base = f"{settings.public_url.get('booking', '')}/#/manage/{quote(view['booking_id'], safe='')}?token={shown}"
    return {"manage_url": base, "cancel_url": f"{base}&action=cancel", "reschedule_url": f"{base}&action=reschedule"}


def placeholder(sealed_token: str) -> str:
    """Stands for the manage token in a stored mail: the sealed token itself, opened by `reveal`."""
    return "{sealed:" + sealed_token + "}"


def reveal(settings, text: str) -> str:
    """The text with each placeholder replaced by its token (URL-quoted), as the message is built;
    ValueError when one cannot be opened (nothing is sent with a broken link)."""
    def opened(match: re.Match) -> str:
        token = manage_token(settings, match.group(1))
        if token is None:
            raise ValueError("a sealed manage token cannot be opened")
        return quote(token, safe="")

    return PLACEHOLDER.sub(opened, text)


def manage_token(settings, sealed_token: str | None) -> str | None:
    """The manage token the booking service sealed for this service (one stored before sealing as is)."""
    if not sealed_token:
        return None
    if not sealed_token.startswith(FERNET_PREFIX):  # stored in the clear before tokens were sealed
        return sealed_token
    try:
        return sealed.unseal(settings.secret_key or "", sealed.MANAGE_LINK, sealed_token)
    except (sealed.InvalidToken, ValueError):
        log.warning("manage token cannot be unsealed (ATTUNE_SECRET_KEY differs from the booking service's?)")
        return None


def for_client(settings, view: dict, kind: str, now) -> dict:
    """Confirmation, move, cancellation (each with its invite) or reminder, for the client."""
    tz = view["client_zone"]
    shown_tz = tz or view["clinician_zone"]
    ctx = {**_common(settings), **manage_links(settings, view), "kind": kind, "client_name": view["client_name"],
           "clinician_name": view["clinician_name"], "reason": view.get("reason"),
           "when": describe(view["start"], view["end"], tz, view["clinician_zone"]),
           "previous_when": (describe(view["previous_start"], view["previous_end"], tz, view["clinician_zone"])
                             if view.get("previous_start") else None),
           "book_url": f"{settings.public_url.get('booking', '')}/", "has_invite": kind in ICS_METHODS}
    subject = CLIENT_SUBJECTS[kind].format(clinician=view["clinician_name"], when=_short(view["start"], shown_tz))
    text, html = render("booking_client", subject=subject, **ctx)
    content = {"subject": subject, "text": text, "html": html}
    if kind in ICS_METHODS:
        content.update(ics=_invite(settings, view, ICS_METHODS[kind], now, ctx["manage_url"]),
                       ics_method=ICS_METHODS[kind])
    return content


def _invite(settings, view: dict, method: str, now, manage_url: str | None) -> str:
    return calendar.invite(
        method=method, booking_id=view["booking_id"], sequence=view["ics_sequence"], start=view["start"],
        end=view["end"], now=now, summary=f"Consultation call with {view['clinician_name']}",
        organizer=(settings.practice_name, settings.practice_inbox),
        attendee=(view["client_name"], view["client_email"]),
        description=f"Reschedule or cancel: {manage_url}" if manage_url and method == "REQUEST" else "")


def for_clinician(settings, view: dict, kind: str) -> dict:
    tz = view["clinician_zone"]
    ctx = {**_common(settings), "kind": kind, "clinician_name": view["clinician_name"],
           "client_name": view["client_name"], "client_email": view.get("client_email"),
           "client_phone": view.get("client_phone"), "notes": view.get("notes"), "reason": view.get("reason"),
           "when": local_span(view["start"], view["end"], tz),
           "previous_when": (local_span(view["previous_start"], view["previous_end"], tz)
                             if view.get("previous_start") else None)}
    subject = CLINICIAN_SUBJECTS[kind].format(client=view["client_name"] or "a client",
                                              when=_short(view["start"], tz))
    text, html = render("booking_clinician", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def contact_request_for_practice(settings, data: dict, clinician_name: str | None) -> dict:
    client = data["client"]
    subject = f"New contact request: {client['name']}"
    ctx = {**_common(settings), "client_name": client["name"], "client_email": client.get("email"),
           "client_phone": client.get("phone"), "time_zone": data["time_zone"], "clinician_name": clinician_name,
           "modality": data.get("modality"), "population": data.get("population"),
           "preferred_times": data["preferred_times"], "message": data.get("message"),
           "contact_request_id": data["contact_request_id"]}
    text, html = render("contact_request_practice", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def slot_offer(settings, request, clinician_name: str | None, data: dict, for_practice: bool) -> dict:
    """A freed slot that matches the request: offered to the client, or to the practice to call them."""
    end = data.get("end") or data["start"] + timedelta(minutes=settings.slot_minutes)
    tz = request.time_zone
    query = urlencode({"clinician_id": data["clinician_id"], "start": isoformat(data["start"])})
    ctx = {**_common(settings), "client_name": request.client_name, "client_phone": request.client_phone,
           "clinician_name": clinician_name, "contact_request_id": request.contact_request_id,
           "when": local_span(data["start"], end, tz), "book_url": f"{settings.public_url.get('booking', '')}/#/book?{query}"}
    if for_practice:
        subject = f"Call {request.client_name}: a matching slot opened, {_short(data['start'], tz)}"
    else:
        subject = f"A consultation time you asked for is free: {_short(data['start'], tz)}"
    text, html = render("slot_offer_practice" if for_practice else "slot_offer_client", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def webhook_disabled(settings, sub, reason: str) -> dict:
    subject = f"Webhook disabled: {sub.url}"
    ctx = {**_common(settings), "subscription_id": sub.id, "url": sub.url, "description": sub.description,
           "reason": reason}
    text, html = render("webhook_disabled_practice", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}
