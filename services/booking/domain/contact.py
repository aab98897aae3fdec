"""Contact requests ("contact me when a time like this is free") and whether a slot suits one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.booking.domain.errors import Conflict
from services.booking.domain.model import Client
from services.booking.domain.rules import Clinician
from shared.schedule import SLOT, WEEKDAYS

OPEN, CLOSED = "open", "closed"
UNVERIFIED = "unverified"  # its email has not confirmed the request yet: kept for staff, offered nothing
IN_PROGRESS, BOOKED = "in_progress", "booked"  # staff triage: someone is on it; a staff booking came of it
TRIAGE_STATUSES = (OPEN, IN_PROGRESS, CLOSED)  # what staff may set; `booked` only a staff booking sets


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


@dataclass
class ContactRequest:
    id: str
    client: Client
    time_zone: str
    preferred_times: list[dict]
    clinician_id: str | None = None
    modality: str | None = None
    population: str | None = None
    message: str | None = None
    status: str = OPEN
    note: str | None = None  # staff's, for colleagues; never published
    booking_id: str | None = None  # the staff booking made from this request
    events: list[tuple[str, dict]] = field(default_factory=list, repr=False, compare=False)
    new: bool = field(default=False, repr=False, compare=False)  # created now: no event of it exists yet

    @classmethod
    def create(cls, verification: str | None = None, **fields) -> ContactRequest:
        """A request with an email starts unverified: `verification` (sealed for the notifications
        service alone) is what its confirmation link is built from."""
        request = cls(**fields)
        request.new = True
        if request.client.email:
            request.status = UNVERIFIED
        c = request.client
        request._record("contact_request.created", clinician_id=request.clinician_id, modality=request.modality,
                        population=request.population, time_zone=request.time_zone,
                        preferred_times=request.preferred_times, message=request.message,
                        client={"name": c.name, "email": c.email, "phone": c.phone},
                        status=request.status, verification=verification)
        return request

    def verify(self) -> bool:
        """The client confirmed their email: the request is open (True if this changed it)."""
        if self.status != UNVERIFIED:
            return False
        self.status = OPEN
        return True

    @property
    def subject(self) -> str:
        return self.id

    def concerns(self, clinician: Clinician) -> bool:
        """Asked for this clinician, or for no one in particular and the clinician fits the ask."""
        if self.clinician_id:
            return self.clinician_id == clinician.id
        return ((not self.modality or self.modality in clinician.modalities)
                and (not self.population or self.population in clinician.populations))

    def suits(self, start: datetime, slot: timedelta = SLOT) -> bool:
        """The slot lies inside one of the preferred weekday time ranges, in the client's own zone."""
        local = start.astimezone(ZoneInfo(self.time_zone))
        weekday, first = WEEKDAYS[local.weekday()], local.hour * 60 + local.minute
        last = first + int(slot.total_seconds() // 60)
        return any(p["weekday"] == weekday and minutes(p["start"]) <= first and last <= minutes(p["end"])
                   for p in self.preferred_times)

    def match(self, clinician_id: str, start: datetime, end: datetime) -> None:
        if self.status != OPEN:
            raise Conflict("This contact request is closed.")
        self._record("contact_request.matched", clinician_id=clinician_id, start=start, end=end)

    def close(self) -> None:
        self.status = CLOSED

    def triage(self, status: str | None, note: str | None) -> None:
        """Staff set where the request stands; one that became a booking can only be closed."""
        if status is not None and status not in TRIAGE_STATUSES:
            raise Conflict(f"status must be one of {', '.join(TRIAGE_STATUSES)}.", "status")
        if self.status == BOOKED and status not in (None, BOOKED, CLOSED):
            raise Conflict("This contact request was booked; it can only be closed now.", "status")
        self.status = status or self.status
        self.note = (note or None) if note is not None else self.note  # "" clears it

    def book(self, booking_id: str, clinician_id: str, start: datetime, end: datetime) -> None:
        """A staff member booked the client: the request is done, and says with which booking."""
        if self.status in (CLOSED, BOOKED):
            raise Conflict(f"This contact request is {self.status}.", "contact_request_id")
        self.status, self.booking_id = BOOKED, booking_id
        self._record("contact_request.booked", booking_id=booking_id, clinician_id=clinician_id, start=start,
                     end=end)

    def pull_events(self) -> list[tuple[str, dict]]:
        events, self.events = self.events, []
        return events

    def _record(self, type_: str, **data) -> None:
        self.events.append((type_, {"contact_request_id": self.id, **data}))
