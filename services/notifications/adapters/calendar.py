"""Calendar invites (iCalendar, RFC 5545/5546): one UID per booking, SEQUENCE rising with each change."""
from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from shared.clock import utc
from shared.ical import booking_uid


def uid(booking_id: str) -> str:
    return booking_uid(booking_id)


def invite(*, method: str, booking_id: str, sequence: int, start: datetime, end: datetime, now: datetime,
           summary: str, organizer: tuple[str, str], attendee: tuple[str, str], description: str = "",
           location: str = "", url: str = "") -> str:
    """A REQUEST (new or moved) or CANCEL for the booking's call; `organizer`/`attendee` are (name, email);
    `location` and `url` say where the call happens (a video link, or who phones whom)."""
    cal = Calendar()
    cal.add("prodid", "-//Attune//Notifications//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid(booking_id))
    event.add("sequence", sequence)
    event.add("dtstamp", utc(now))
    event.add("dtstart", utc(start))
    event.add("dtend", utc(end))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event["organizer"] = _address(*organizer, role="CHAIR")
    event.add("attendee", _address(*attendee, role="REQ-PARTICIPANT"), encode=0)
    cal.add_component(event)
    return cal.to_ical().decode()


def _address(name: str, email: str, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    address.params["role"] = vText(role)
    return address
