"""The one rule for a booking's iCalendar UID, shared by the emails' .ics and the clinicians' calendars."""
from __future__ import annotations

DOMAIN = "attune"


def booking_uid(booking_id: str) -> str:
    """The UID of a booking's event: the same in every invite, in the CalDAV write-back and in the feed."""
    return f"{booking_id}@{DOMAIN}"


def is_booking_uid(uid: str) -> bool:
    """Whether an event is one Attune wrote (a synced calendar must not count our own consultations twice)."""
    return uid.endswith(f"@{DOMAIN}")
