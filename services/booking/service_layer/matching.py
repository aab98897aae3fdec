"""Offers freed or newly opened slots to the open contact requests they suit, once per request and slot."""
from __future__ import annotations

from datetime import datetime, timedelta

from services.booking.adapters import appointments, clinicians, contact_requests
from services.booking.domain.rules import Clinician, is_bookable
from services.booking.service_layer.unit_of_work import Tx
from shared.schedule import slot_starts


def offer_freed(tx: Tx) -> None:
    """Each slot freed in this transaction (cancel, release, expiry, reschedule away), if still free."""
    for clinician_id, start in dict.fromkeys(tx.freed):
        clinician = clinicians.get(tx.session, clinician_id)
        if not is_bookable(clinician, start, tx.now, tx.policy):
            continue
        if appointments.taken(tx.session, clinician_id, start, tx.now):
            continue
        for request in _interested(tx, clinician):
            if request.suits(start, tx.policy.slot):
                _match(tx, request, clinician, start)
    tx.freed.clear()


def offer_opened(tx: Tx, clinician: Clinician, before: set[datetime]) -> None:
    """A schedule change or a clinician taking bookings again: each interested request is offered
    the earliest suitable slot that was not offered by the schedule before."""
    opened = sorted(bookable_starts(clinician, tx) - before)
    if not opened:
        return
    taken = appointments.taken_starts(tx.session, clinician.id, opened[0], opened[-1] + tx.policy.slot, tx.now)
    free = [s for s in opened if s not in taken]
    for request in _interested(tx, clinician):
        first = next((s for s in free if request.suits(s, tx.policy.slot)), None)
        if first is not None:
            _match(tx, request, clinician, first)


def bookable_starts(clinician: Clinician | None, tx: Tx) -> set[datetime]:
    """Slot starts the clinician offers now, within notice and lookahead (empty if not taking bookings)."""
    if clinician is None or not clinician.takes_bookings() or not clinician.schedule or not clinician.time_zone:
        return set()
    start, end = tx.policy.earliest(tx.now), tx.policy.latest(tx.now)
    starts = slot_starts(clinician.schedule, clinician.time_zone, start, end + tx.policy.slot, tx.policy.slot)
    return {s for s in starts if s <= end and not clinician.busy_at(s, tx.policy.slot)}


def _interested(tx: Tx, clinician: Clinician):
    return [r for r in contact_requests.open_for(tx.session, clinician.id) if r.concerns(clinician)]


def _capped(tx: Tx, request) -> bool:
    """Offers stop at CONTACT_OFFERS_PER_REQUEST per request and CONTACT_OFFERS_PER_RECIPIENT_PER_DAY
    per email address (over all its requests): a request can never make the practice mail anyone much."""
    if tx.offer_caps is None:
        return False
    per_request, per_recipient = tx.offer_caps
    if contact_requests.offers_made(tx.session, request.id) >= per_request:
        return True
    return bool(request.client.email) and contact_requests.offers_to_recipient(
        tx.session, request.id, tx.now - timedelta(days=1)) >= per_recipient


def _match(tx: Tx, request, clinician: Clinician, start: datetime) -> None:
    if _capped(tx, request):
        return
    if contact_requests.add_match(tx.session, request.id, clinician.id, start, tx.now):
        request.match(clinician.id, start, start + tx.policy.slot)
        tx.record(request)
