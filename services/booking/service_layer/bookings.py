"""Handlers of bookings: read, cancel, reschedule (atomic), and the staff's day list."""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.booking.adapters import appointments, clinicians
from services.booking.domain import tokens
from services.booking.domain.errors import NotFound, SlotTaken, Unauthorized
from services.booking.domain.model import Appointment
from services.booking.domain.rules import check_bookable
from services.booking.service_layer.holds import expire
from services.booking.service_layer.matching import offer_freed
from services.booking.service_layer.unit_of_work import Tx, UnitOfWork

log = logging.getLogger("attune.booking")
BOOKING_STATUSES = ("confirmed", "cancelled")


def get(uow: UnitOfWork, booking_id: str, token: str | None, admin: bool) -> Appointment:
    with uow.read() as tx:
        return _authorised(tx, booking_id, token, admin, for_update=False)


def cancel(uow: UnitOfWork, booking_id: str, token: str | None, admin: bool, reason: str | None) -> Appointment:
    with uow.write() as tx:
        booking = _authorised(tx, booking_id, token, admin)
        was = booking.status
        booking.cancel(reason, "staff" if admin else "client")
        if booking.status != was:
            appointments.save(tx.session, booking, tx.now)
            tx.record(booking)
            tx.freed.append((booking.clinician_id, booking.start))
            offer_freed(tx)
    log.info("booking cancelled", extra={"booking_id": booking_id})
    return booking


def reschedule(uow: UnitOfWork, booking_id: str, token: str | None, admin: bool, start: datetime) -> Appointment:
    """Moves the booking to `start`: the new slot is taken and the old one freed, or nothing changes."""
    with uow.write() as tx:
        booking = _authorised(tx, booking_id, token, admin)
        if booking.start == start and booking.status == "confirmed":
            return booking
        previous = (booking.clinician_id, booking.start)
        booking.reschedule(start, tx.policy.slot)
        check_bookable(clinicians.get(tx.session, booking.clinician_id), start, tx.now, tx.policy,
                       new_client=False)
        expire(tx, clinician_id=booking.clinician_id, start=start)  # a lapsed hold there gives way
        if not appointments.move(tx.session, booking, tx.now):  # the unique index refuses a taken slot
            raise SlotTaken("That slot is taken; the booking stays where it was.", "start")
        tx.record(booking)
        tx.freed.append(previous)
        offer_freed(tx)
    log.info("booking rescheduled", extra={"booking_id": booking_id})
    return booking


def on_day(uow: UnitOfWork, clinician_id: str, day: date, tz: str | None, statuses=BOOKING_STATUSES
           ) -> list[Appointment]:
    """The clinician's bookings on a local day (in `tz`, else the clinician's zone, else UTC)."""
    with uow.read() as tx:
        clinician = clinicians.get(tx.session, clinician_id)
        zone = ZoneInfo(tz or (clinician and clinician.time_zone) or "UTC")
        start = datetime.combine(day, time(), zone)
        end = datetime.combine(day + timedelta(days=1), time(), zone)
        return appointments.on_day(tx.session, clinician_id, start, end, statuses)


def _authorised(tx: Tx, booking_id: str, token: str | None, admin: bool, for_update: bool = True) -> Appointment:
    """The booking, for staff or for whoever holds its manage token; a hold is not a booking yet."""
    booking = appointments.get(tx.session, booking_id, for_update=for_update)
    if booking is None or (not admin and booking.manage_token_hash is None):
        raise NotFound("No such booking.")
    if not admin and not tokens.matches(token, booking.manage_token_hash):
        raise Unauthorized("This call needs the booking's manage token or the admin credential.")
    return booking
