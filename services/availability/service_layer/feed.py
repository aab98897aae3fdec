"""The clinician's subscribable ICS feed (RFC 5545) of confirmed consultations, and the one event both it and
the CalDAV write-back carry for a consultation (same UID as the emails' .ics)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from services.availability.adapters import calendar_store as store
from services.availability.adapters import repository as repo
from services.availability.domain.model import UnknownClinician
from shared.clock import utc
from shared.ical import booking_uid
from shared.runtime import Container

PAST, AHEAD = timedelta(days=30), timedelta(days=60)
PRODID = "-//Attune//Availability//EN"


class FeedRefused(Exception):
    """The feed key is missing, wrong or revoked."""


def client_label(name: str | None, full_names: bool) -> str:
    """What a calendar may show of the client: the first name unless the practice wants full names."""
    name = " ".join((name or "").split())
    if not name:
        return "client"
    return name if full_names else name.split(" ")[0]


def consultation_event(row, now: datetime, practice: str) -> Event:
    """A consultation (a calendar_bookings row) as a VEVENT: the booking's UID, no contact details."""
    event = Event()
    event.add("uid", booking_uid(row.booking_id))
    event.add("sequence", row.sequence)
    event.add("dtstamp", utc(now))
    event.add("dtstart", utc(row.start))
    event.add("dtend", utc(row.end))
    event.add("summary", f"Consultation call: {row.client_label}")
    event.add("description", f"Free 15-minute consultation booked through {practice}.")
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_of(events: list[Event], name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(container: Container, clinician_id: str) -> str:
    """A fresh feed key (the old one stops working at once); returns the feed's URL, shown once."""
    key = secrets.token_urlsafe(32)
    with container.db.write() as session:
        if repo.get_clinician(session, clinician_id) is None:
            raise UnknownClinician(clinician_id)
        store.set_feed_key(session, clinician_id, _hash(key), container.clock.now())
    base = container.settings.public_url.get("availability", "")
    return f"{base}/v1/clinicians/{clinician_id}/feed.ics?key={key}"


def render(container: Container, clinician_id: str, key: str | None) -> str:
    """The clinician's confirmed consultations from 30 days back to 60 ahead, as iCalendar text."""
    now = container.clock.now()
    with container.db.read() as session:
        clinician = repo.get_clinician(session, clinician_id)
        stored = store.feed_key_hash(session, clinician_id) if clinician else None
        if stored is None or not key or not hmac.compare_digest(stored, _hash(key)):
            raise FeedRefused()
        rows = store.confirmed_between(session, clinician_id, now - PAST, now + AHEAD)
    practice = container.settings.practice_name
    events = [consultation_event(row, now, practice) for row in rows]
    return calendar_of(events, f"{practice}: consultations").to_ical().decode()
