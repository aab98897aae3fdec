"""The appointment aggregate: one row from hold to booking, status held → confirmed / released /
expired / cancelled, recording one event per change."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.booking.domain import tokens
from services.booking.domain.errors import Conflict, HoldGone

HELD, CONFIRMED, RELEASED, EXPIRED, CANCELLED = "held", "confirmed", "released", "expired", "cancelled"
ACTIVE = (HELD, CONFIRMED)


@dataclass
class Client:
    """Personal data: stored here, sent only in booking.confirmed, never logged."""
    name: str
    email: str | None = None
    phone: str | None = None
    time_zone: str | None = None


@dataclass
class Appointment:
    id: str
    clinician_id: str
    start: datetime
    end: datetime
    status: str
    expires_at: datetime | None
    hold_token_hash: str
    hold_session: str | None = None
    manage_token_hash: str | None = None
    client: Client | None = None
    notes: str | None = None
    cancel_reason: str | None = None
    cancelled_by: str | None = None
    sequence: int = 0  # of the last event recorded, pending ones included (stored with the row)
    hold_address: str | None = None  # who placed the hold (the client address, hashed): live holds per address
    hold_rank: int | None = None  # which of the address's live-hold ranks it takes (unique among held rows)
    email_key: str | None = None  # keyed hashes of the client's normalised email and phone (domain.persons)
    phone_key: str | None = None
    erased_at: datetime | None = None  # when the client's details were erased (retention, or on request)
    events: list[tuple[str, dict]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def hold(cls, id: str, clinician_id: str, start: datetime, slot: timedelta, expires_at: datetime,
             token: str, session: str | None = None) -> Appointment:
        appt = cls(id, clinician_id, start, start + slot, HELD, expires_at, tokens.digest(token),
                   hold_session=session)
        appt._record("booking.held")
        return appt

    @property
    def subject(self) -> str:
        return self.id

    def holding(self, now: datetime) -> bool:
        """A held row past its expiry is free, whether or not the sweeper has run yet."""
        return self.status == HELD and self.expires_at is not None and self.expires_at > now

    def confirm(self, client: Client, notes: str | None, manage_token: str, now: datetime,
                sealed_manage_token: str | None = None) -> None:
        """The manage token itself never goes into the event (integrators read the exchange): only
        `sealed_manage_token`, which the notifications service alone can open for the emails' links."""
        if not self.holding(now):
            raise HoldGone("This hold has expired or was released; please choose a slot again.")
        self.status, self.expires_at = CONFIRMED, None
        self.client, self.notes, self.manage_token_hash = client, notes, tokens.digest(manage_token)
        client_data = {"name": client.name, "email": client.email, "phone": client.phone,
                       "time_zone": client.time_zone}
        self._record("booking.confirmed", client=client_data, notes=notes, sealed_manage_token=sealed_manage_token)

    def release(self, now: datetime) -> bool:
        """Lets the hold go; one past its expiry expires instead. True when this freed the slot."""
        if self.status == CONFIRMED:
            raise Conflict("This hold is already a booking; cancel the booking instead.")
        if self.status != HELD:
            return False
        if not self.holding(now):
            self.expire()
        else:
            self.status = RELEASED
            self._record("booking.hold_released")
        return True

    def expire(self) -> None:
        self.status = EXPIRED
        self._record("booking.hold_expired")

    def cancel(self, reason: str | None, by: str) -> None:
        if self.status == CANCELLED:
            return
        if self.status != CONFIRMED:
            raise Conflict("Only a confirmed booking can be cancelled.")
        self.status, self.cancel_reason, self.cancelled_by = CANCELLED, reason, by
        self._record("booking.cancelled", reason=reason, cancelled_by=by)

    def reschedule(self, start: datetime, slot: timedelta) -> None:
        if self.status != CONFIRMED:
            raise Conflict("Only a confirmed booking can be rescheduled.")
        previous_start, previous_end = self.start, self.end
        self.start, self.end = start, start + slot
        self._record("booking.rescheduled", previous_start=previous_start, previous_end=previous_end)

    def duplicate_requested(self) -> None:
        """Someone gave this booking's client's email or phone for another free consultation: its client
        is sent this booking's manage link (by the notifications service, to the address on this booking)."""
        self._record("booking.duplicate_requested")

    def pull_events(self) -> list[tuple[str, dict]]:
        events, self.events = self.events, []
        return events

    def _record(self, type_: str, **extra) -> None:
        data = {"booking_id": self.id, "clinician_id": self.clinician_id, "start": self.start, "end": self.end,
                "status": self.status}
        if self.status == HELD:
            data["expires_at"] = self.expires_at
        self.sequence += 1
        self.events.append((type_, {**data, **extra}))
