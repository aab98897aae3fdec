"""Whether a client may take a slot: grid, notice, lookahead, the clinician's state and schedule."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.booking.domain.errors import NotBookable, SlotTaken
from shared.clock import isoformat
from shared.schedule import SLOT, closed_by_rules, epoch_seconds, on_grid, time_off, windows_on


@dataclass(frozen=True)
class Policy:
    min_notice: timedelta = timedelta(minutes=120)
    lookahead: timedelta = timedelta(days=7)
    hold_ttl: timedelta = timedelta(minutes=10)
    slot: timedelta = SLOT
    one_consultation: timedelta = timedelta(days=90)  # ONE_CONSULTATION_DAYS; zero: no one-per-person rule

    def earliest(self, now: datetime) -> datetime:
        return now + self.min_notice

    def latest(self, now: datetime) -> datetime:
        return now + self.lookahead


@dataclass
class Clinician:
    """This service's projection of a clinician (from `clinician.*` and `availability.changed`)."""
    id: str
    time_zone: str | None = None
    active: bool | None = None
    accepting: bool | None = None
    modalities: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    schedule: dict | None = None
    schedule_version: int | None = None
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)  # from the clinician's own calendar
    call_method: str | None = None  # phone: the client's phone is required; video (None too): a link
    video_url: str | None = None
    max_per_day: int | None = None  # consultations per local day, held and confirmed ones counted
    buffer_minutes: int | None = None  # kept free before and after each consultation

    def limits_days(self) -> bool:
        """A cap or a buffer: a hold must then look at the clinician's other consultations (a transaction)."""
        return bool(self.max_per_day) or bool(self.buffer_minutes)

    def calls_by_phone(self) -> bool:
        return self.call_method == "phone"

    def busy_at(self, start: datetime, slot: timedelta = SLOT) -> bool:
        """Whether the clinician's own calendar (as last synced) has an event overlapping the slot."""
        return any(busy_start < start + slot and start < busy_end for busy_start, busy_end in self.busy)

    def takes_bookings(self, new_client: bool = True) -> bool:
        return bool(self.active) and (bool(self.accepting) or not new_client)

    def offers(self, start: datetime, slot: timedelta = SLOT) -> bool:
        return bool(self.schedule and self.time_zone) and offers_at(self.schedule, self.time_zone, start, slot)


def offers_at(schedule: dict, time_zone: str, at: datetime, slot: timedelta = SLOT) -> bool:
    """`shared.schedule.offers` for one instant, without listing three days of slots: the local
    day's windows hold a slot starting at `at`'s wall-clock time, that wall-clock time means `at`
    (its first occurrence on a fall-back day), and no time off overlaps it."""
    local = at.astimezone(ZoneInfo(time_zone))
    minute, step = local.hour * 60 + local.minute, int(slot.total_seconds() // 60)
    if local.second or local.microsecond or not any(
            first <= minute and minute + step <= stop and (minute - first) % step == 0
            for first, stop in windows_on(schedule, local.date())):
        return False
    if local.replace(fold=0).astimezone(UTC) != at.astimezone(UTC):
        return False
    return not any(off_start < at + slot and at < off_end for off_start, off_end in time_off(schedule))


def check_bookable(clinician: Clinician | None, start: datetime, now: datetime, policy: Policy,
                   new_client: bool = True) -> None:
    """Raises NotBookable naming the field at fault; `new_client=False` lets existing bookings move."""
    if not on_grid(start, policy.slot):
        raise NotBookable("start must be on the 15-minute grid (:00, :15, :30 or :45).", "start")
    if start < policy.earliest(now):
        raise NotBookable(f"start is too soon: the earliest bookable start is {isoformat(policy.earliest(now))}.",
                          "start")
    if start > policy.latest(now):
        raise NotBookable(f"start is too far ahead: the latest bookable start is {isoformat(policy.latest(now))}.",
                          "start")
    if clinician is None or clinician.active is None:
        raise NotBookable("No such clinician takes bookings here.", "clinician_id")
    if not clinician.takes_bookings(new_client):
        raise NotBookable("This clinician is not taking new bookings at the moment.", "clinician_id")
    if not clinician.offers(start, policy.slot):
        raise NotBookable("start is outside the clinician's availability.", "start")
    if clinician.busy_at(start, policy.slot):
        raise NotBookable("The clinician's own calendar is busy at that time; please choose another slot.", "start")


def is_bookable(clinician: Clinician | None, start: datetime, now: datetime, policy: Policy) -> bool:
    try:
        check_bookable(clinician, start, now, policy)
    except NotBookable:
        return False
    return True


def check_rules(clinician: Clinician, start: datetime, booked: list[tuple[datetime, datetime]],
                slot: timedelta = SLOT) -> None:
    """Raises SlotTaken when the clinician's daily cap is reached on `start`'s local day, or another of
    their consultations (`booked`, held or confirmed) is nearer than their buffer."""
    if not clinician.limits_days() or not clinician.time_zone:
        return
    at = epoch_seconds(start)
    spans = [(epoch_seconds(s), epoch_seconds(e)) for s, e in booked]
    if closed_by_rules([at], spans, clinician.time_zone, clinician.max_per_day, None, slot):
        raise SlotTaken("This clinician's consultations for that day are all taken; please choose another day.",
                        "start")
    if closed_by_rules([at], spans, clinician.time_zone, None, clinician.buffer_minutes, slot):
        raise SlotTaken("That time is too close to another consultation of this clinician; please choose "
                        "another slot.", "start")
