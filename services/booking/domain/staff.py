"""When staff may book a client at a time agreed with them (the seed's "we will do the best we can").

Unlike a client's own booking, a staff booking needs no minimum notice (the time was agreed by
phone) and may lie up to STAFF_LOOKAHEAD ahead, beyond the practice's lookahead; with
`outside_hours` it may lie outside the clinician's windows. It stays on the grid, in the future,
with an active clinician, and never in the clinician's time off or busy time of their own calendar.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from services.booking.domain.errors import NotBookable
from services.booking.domain.rules import Clinician, Policy
from shared.clock import isoformat
from shared.schedule import on_grid, time_off

STAFF_LOOKAHEAD = timedelta(days=90)


def latest_staff_start(now: datetime, policy: Policy) -> datetime:
    return now + max(STAFF_LOOKAHEAD, policy.lookahead)


def check_staff_bookable(clinician: Clinician | None, start: datetime, now: datetime, policy: Policy,
                         outside_hours: bool) -> None:
    """Raises NotBookable naming the field at fault."""
    if not on_grid(start, policy.slot):
        raise NotBookable("start must be on the 15-minute grid (:00, :15, :30 or :45).", "start")
    if start <= now:
        raise NotBookable("start is in the past.", "start")
    if start > latest_staff_start(now, policy):
        raise NotBookable(f"start is too far ahead: staff book up to {isoformat(latest_staff_start(now, policy))}.",
                          "start")
    if clinician is None or not clinician.active:
        raise NotBookable("No such active clinician here.", "clinician_id")
    if outside_hours:
        if clinician.schedule and any(a < start + policy.slot and start < b for a, b in time_off(clinician.schedule)):
            raise NotBookable("start falls in the clinician's time off.", "start")
    elif not clinician.offers(start, policy.slot):
        raise NotBookable("start is outside the clinician's availability; an agreed time outside it needs "
                          "outside_hours: true.", "start")
    if clinician.busy_at(start, policy.slot):
        raise NotBookable("The clinician's own calendar is busy at that time.", "start")
