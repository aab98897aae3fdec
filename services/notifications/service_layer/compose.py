"""Each email's subject and bodies (Jinja2 templates), times in the reader's zone, invites attached."""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import quote, urlencode

from services.notifications.adapters import calendar
from services.notifications.adapters.templates import render
from services.notifications.domain.kinds import ICS_METHODS
from services.notifications.domain.times import Style, describe, local_span, zone
from shared import call, sealed, taxonomy
from shared.clock import isoformat

log = logging.getLogger("attune.notifications.compose")
FERNET_PREFIX = "gAAAAA"  # a Fernet token's version byte and first timestamp bytes, base64-encoded
PLACEHOLDER = re.compile(r"\{sealed:(?:([a-z-]+):)?(gAAAAA[A-Za-z0-9_=-]+)\}")  # purpose: manage link if absent

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


def common(settings) -> dict:
    """What every email shows: the practice, and how clients reach it (PRACTICE_PHONE, PRACTICE_EMAIL)."""
    return {"practice_name": settings.practice_name, "brand_color": settings.brand_color,
            "crisis_notice": settings.crisis_notice, "practice_phone": settings.practice_phone,
            "practice_email": getattr(settings, "practice_email", None)}


_common = common


def style(settings) -> Style:
    """The emails' clock (12 or 24 h) and date order, from PRACTICE_LOCALE."""
    return Style.of(getattr(settings, "practice_locale", None))


def _short(start, tz_name: str | None, shown: Style | None = None) -> str:
    tz = zone(tz_name) or zone("UTC")
    s = start.astimezone(tz)
    day = f"{s:%a} {s:%b} {s.day}" if shown and shown.month_first else f"{s:%a} {s.day} {s:%b}"
    return f"{day} {(shown or Style()).clock(s)} {'UTC' if tz.key == 'UTC' else s.strftime('%Z')}"


def call_details(settings, view: dict) -> dict:
    """How this booking's call happens: the clinician phones the client, or both join its video link
    (the clinician's own, else the one made for this booking: shared.call, as the booking service shows it)."""
    how = call.for_booking(view.get("clinician_call_method"), view.get("clinician_video_url"), view["booking_id"],
                           settings.call_video_url_template, settings.secret_key)
    return {"call_method": how["method"], "video_url": how.get("video_url")}


def call_line(ctx: dict, reader: str) -> str:
    """The one sentence that says how the call happens, for the client or the clinician."""
    if ctx["call_method"] == "video":
        return f"Join by video: {ctx['video_url']}"
    if reader == "clinician":
        phone = ctx.get("client_phone")
        return f"Please call {ctx.get('client_name') or 'the client'} at {phone}." if phone else \
            "Please call the client (no phone number was given: see the practice's record)."
    phone = ctx.get("client_phone")
    return f"{ctx['clinician_name']} will call you at {phone}." if phone else \
        f"{ctx['clinician_name']} will call you on the phone number you gave the practice."


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


def placeholder(sealed_token: str, purpose: str = sealed.MANAGE_LINK) -> str:
    """Stands for a link's token in a stored mail: the token as its sender sealed it for `purpose`,
    opened by `reveal` (a manage token's placeholder names no purpose, as mails stored before did)."""
    named = "" if purpose == sealed.MANAGE_LINK else purpose + ":"
    return "{sealed:" + named + sealed_token + "}"


def reveal(settings, text: str) -> str:
    """The text with each placeholder replaced by its token (URL-quoted), as the message is built;
    ValueError when one cannot be opened (nothing is sent with a broken link)."""
    def opened(match: re.Match) -> str:
        purpose, sealed_token = match.group(1), match.group(2)
        token = manage_token(settings, sealed_token) if purpose is None else _unsealed(settings, purpose, sealed_token)
        if token is None:
            raise ValueError(f"a sealed {purpose or 'manage'} token cannot be opened")
        return quote(token, safe="")

    return PLACEHOLDER.sub(opened, text)


def _unsealed(settings, purpose: str, sealed_token: str) -> str | None:
    try:
        return sealed.unseal(settings.secret_key or "", purpose, sealed_token)
    except (sealed.InvalidToken, ValueError):
        return None


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
    shown = style(settings)
    ctx = {**_common(settings), **manage_links(settings, view), **call_details(settings, view), "kind": kind,
           "client_name": view["client_name"], "client_phone": view.get("client_phone"),
           "clinician_name": view["clinician_name"], "reason": view.get("reason"),
           "when": describe(view["start"], view["end"], tz, view["clinician_zone"], shown),
           "previous_when": (describe(view["previous_start"], view["previous_end"], tz, view["clinician_zone"], shown)
                             if view.get("previous_start") else None),
           "book_url": f"{settings.public_url.get('booking', '')}/", "has_invite": kind in ICS_METHODS}
    ctx["call_line"] = call_line(ctx, "client")
    subject = CLIENT_SUBJECTS[kind].format(clinician=view["clinician_name"],
                                           when=_short(view["start"], shown_tz, shown))
    text, html = render("booking_client", subject=subject, **ctx)
    content = {"subject": subject, "text": text, "html": html}
    if kind in ICS_METHODS:
        content.update(ics=_invite(settings, view, ICS_METHODS[kind], now, ctx), ics_method=ICS_METHODS[kind])
    return content


def _invite(settings, view: dict, method: str, now, ctx: dict) -> str:
    """The client's invite: LOCATION and URL say where the call happens (the video link, or the phone
    call), DESCRIPTION says it in words with the links to move or cancel and the practice's contact."""
    if ctx["call_method"] == "video":
        location, url = ctx["video_url"], ctx["video_url"]
    else:
        phone = ctx.get("client_phone")
        location = f"Phone call: {view['clinician_name']} calls you" + (f" at {phone}" if phone else "")
        url = ctx.get("manage_url") or ctx["book_url"]
    lines = [ctx["call_line"]]
    if ctx.get("manage_url") and method == "REQUEST":
        lines.append(f"Reschedule or cancel: {ctx['manage_url']}")
    lines += [f"{settings.practice_name}: {contact}" for contact in (ctx["practice_phone"], ctx["practice_email"])
              if contact]
    return calendar.invite(
        method=method, booking_id=view["booking_id"], sequence=view["ics_sequence"], start=view["start"],
        end=view["end"], now=now, summary=f"Consultation call with {view['clinician_name']}",
        organizer=(settings.practice_name, settings.practice_inbox),
        attendee=(view["client_name"], view["client_email"]),
        description="\n".join(lines) if method == "REQUEST" else "", location=location, url=url)


def for_clinician(settings, view: dict, kind: str) -> dict:
    tz = view["clinician_zone"]
    shown = style(settings)
    ctx = {**_common(settings), **call_details(settings, view), "kind": kind, "clinician_name": view["clinician_name"],
           "client_name": view["client_name"], "client_email": view.get("client_email"),
           "client_phone": view.get("client_phone"), "notes": view.get("notes"), "reason": view.get("reason"),
           "when": local_span(view["start"], view["end"], tz, shown),
           "previous_when": (local_span(view["previous_start"], view["previous_end"], tz, shown)
                             if view.get("previous_start") else None)}
    ctx["call_line"] = call_line(ctx, "clinician")
    subject = CLINICIAN_SUBJECTS[kind].format(client=view["client_name"] or "a client",
                                              when=_short(view["start"], tz, shown))
    text, html = render("booking_clinician", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def contact_request_for_practice(settings, data: dict, clinician_name: str | None) -> dict:
    client = data["client"]
    subject = f"New contact request: {client['name']}"
    labels = taxonomy.of(settings)
    ctx = {**_common(settings), "client_name": client["name"], "client_email": client.get("email"),
           "client_phone": client.get("phone"), "time_zone": data["time_zone"], "clinician_name": clinician_name,
           "modality": labels.modality_label(data.get("modality")),
           "population": labels.population_label(data.get("population")),
           "preferred_times": data["preferred_times"], "message": data.get("message"),
           "contact_request_id": data["contact_request_id"]}
    text, html = render("contact_request_practice", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def slot_offer(settings, request, clinician_name: str | None, data: dict, for_practice: bool) -> dict:
    """A freed slot that matches the request: offered to the client, or to the practice to call them."""
    end = data.get("end") or data["start"] + timedelta(minutes=settings.slot_minutes)
    tz = request.time_zone
    # the booking page's deep link (/?clinician=&start=): it holds the time at once while it is free
    query = urlencode({"clinician": data["clinician_id"], "start": isoformat(data["start"])})
    ctx = {**_common(settings), "client_name": request.client_name, "client_phone": request.client_phone,
           "clinician_name": clinician_name, "contact_request_id": request.contact_request_id,
           "when": local_span(data["start"], end, tz, style(settings)), "book_url": f"{settings.public_url.get('booking', '')}/?{query}"}
    if for_practice:
        subject = f"Call {request.client_name}: a matching slot opened, {_short(data['start'], tz, style(settings))}"
    else:
        subject = f"A consultation time you asked for is free: {_short(data['start'], tz, style(settings))}"
    text, html = render("slot_offer_practice" if for_practice else "slot_offer_client", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def webhook_disabled(settings, sub, reason: str) -> dict:
    subject = f"Webhook disabled: {sub.url}"
    ctx = {**_common(settings), "subscription_id": sub.id, "url": sub.url, "description": sub.description,
           "reason": reason}
    text, html = render("webhook_disabled_practice", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}


def contact_request_ack(settings, request, clinician_name: str | None) -> dict:
    """To a client whose contact request is verified: we have it, what happens next, how to reach us."""
    subject = f"We have your request: {settings.practice_name} will be in touch"
    ctx = {**_common(settings), "client_name": request.client_name, "clinician_name": clinician_name,
           "time_zone": request.time_zone, "book_url": f"{settings.public_url.get('booking', '')}/"}
    text, html = render("contact_request_ack_client", subject=subject, **ctx)
    return {"subject": subject, "text": text, "html": html}
