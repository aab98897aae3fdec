"""Handlers of bookings: read, cancel, reschedule (atomic), the staff's lists and staff bookings.

`who` is the signed-in caller (shared.auth.Principal) or None for a client with a manage token:
staff roles act on every booking, a clinician on theirs; each of their reads and changes is audited
in the transaction that makes it. A client's own actions are not audited.
"""
from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.booking.adapters import appointments, clinicians, contact_requests
from services.booking.domain import persons, tokens
from services.booking.domain.errors import Forbidden, NotFound, SlotTaken, Unauthorized
from services.booking.domain.model import HELD, Appointment, Client
from services.booking.domain.rules import check_bookable
from services.booking.domain.staff import check_staff_bookable
from services.booking.service_layer.access import audit, audit_list, visible_request
from services.booking.service_layer.holds import _insert, check_practice_rules, expire
from services.booking.service_layer.matching import offer_freed
from services.booking.service_layer.unit_of_work import Tx, UnitOfWork
from shared.auth import Principal

log = logging.getLogger("attune.booking")
BOOKING_STATUSES = ("confirmed", "cancelled")


def get(uow: UnitOfWork, booking_id: str, token: str | None, who: Principal | None = None) -> Appointment:
    if who is None:
        with uow.read() as tx:
            return _authorised(tx, booking_id, token, None, for_update=False)
    with uow.write() as tx:  # a short write: the staff read's audit entry
        booking = _authorised(tx, booking_id, token, who, for_update=False)
        audit(tx, who, "booking.read", booking.id)
        return booking


def cancel(uow: UnitOfWork, booking_id: str, token: str | None, who: Principal | None,
           reason: str | None) -> Appointment:
    with uow.write() as tx:
        booking = _authorised(tx, booking_id, token, who)
        if who is not None:
            audit(tx, who, "booking.cancelled", booking.id)
        was = booking.status
        booking.cancel(reason, "staff" if who else "client")
        if booking.status != was:
            appointments.save(tx.session, booking, tx.now)
            tx.record(booking)
            tx.freed.append((booking.clinician_id, booking.start))
            offer_freed(tx)
    log.info("booking cancelled", extra={"booking_id": booking_id})
    return booking


def reschedule(uow: UnitOfWork, booking_id: str, token: str | None, who: Principal | None,
               start: datetime) -> Appointment:
    """Moves the booking to `start`: the new slot is taken and the old one freed, or nothing changes."""
    with uow.write() as tx:
        booking = _authorised(tx, booking_id, token, who)
        if who is not None:
            audit(tx, who, "booking.rescheduled", booking.id)
        if booking.start == start and booking.status == "confirmed":
            return booking
        previous = (booking.clinician_id, booking.start)
        booking.reschedule(start, tx.policy.slot)
        clinician = clinicians.get(tx.session, booking.clinician_id)
        check_bookable(clinician, start, tx.now, tx.policy, new_client=False)
        check_practice_rules(tx, clinician, start, excluding=booking.id)
        expire(tx, clinician_id=booking.clinician_id, start=start)  # a lapsed hold there gives way
        if not appointments.move(tx.session, booking, tx.now):  # the unique index refuses a taken slot
            raise SlotTaken("That slot is taken; the booking stays where it was.", "start")
        tx.record(booking)
        tx.freed.append(previous)
        offer_freed(tx)
    log.info("booking rescheduled", extra={"booking_id": booking_id})
    return booking


def local_day(uow: UnitOfWork, clinician_id: str | None, day: date, tz: str | None) -> tuple[datetime, datetime]:
    """A local day's bounds (in `tz`, else the clinician's zone, else UTC)."""
    with uow.read() as tx:
        clinician = clinicians.get(tx.session, clinician_id) if clinician_id else None
    zone = ZoneInfo(tz or (clinician and clinician.time_zone) or "UTC")
    return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)


def listing(uow: UnitOfWork, who: Principal, start: datetime, end: datetime, clinician_id: str | None,
            statuses=BOOKING_STATUSES) -> list[Appointment]:
    """Bookings starting in [start, end), of one clinician or all, by start: a staff read, audited."""
    with uow.write() as tx:
        found = appointments.in_range(tx.session, clinician_id, start, end, statuses)
        audit_list(tx, who, "booking.listed", [b.id for b in found])
    return found


def book(uow: UnitOfWork, who: Principal, clinician_id: str, start: datetime, client: Client,
         notes: str | None = None, outside_hours: bool = False, contact_request_id: str | None = None
         ) -> tuple[Appointment, str]:
    """A staff booking at a time agreed with the client (domain.staff says which); confirmed at once,
    never on a taken slot (the unique index decides). The contact request it came from, if any,
    becomes `booked`. Returns the booking and its manage token (shown once)."""
    hold_token = tokens.new()
    with uow.write() as tx:
        clinician = clinicians.get(tx.session, clinician_id)
        check_staff_bookable(clinician, start, tx.now, tx.policy, outside_hours)
        if not outside_hours:  # an agreed time outside the hours may also go past the daily cap and buffer
            check_practice_rules(tx, clinician, start)
        request = (visible_request(tx, contact_request_id, who, for_update=True, field="contact_request_id")
                   if contact_request_id else None)
        booking = Appointment(str(uuid.uuid4()), clinician_id, start, start + tx.policy.slot, HELD,
                              tx.now + tx.policy.hold_ttl, tokens.digest(hold_token))
        manage_token = tokens.manage_token_for(hold_token, booking.id)
        booking.confirm(client, notes, manage_token, tx.now, tokens.sealed_for_notifications(tx.secret_key, manage_token))
        # Staff may book a client who had their free consultation; the booking counts for the rule all the same.
        booking.email_key, booking.phone_key = persons.keys(tx.secret_key, client.email, client.phone)
        if not _insert(tx, booking):
            raise SlotTaken("That slot is taken; choose another time.", "start")
        tx.record(booking)
        audit(tx, who, "booking.created", booking.id)
        if request is not None:
            request.book(booking.id, clinician_id, booking.start, booking.end)
            contact_requests.save_triage(tx.session, request, tx.now)
            tx.record(request)
            audit(tx, who, "contact_request.booked", request.id)
    log.info("staff booking", extra={"booking_id": booking.id, "clinician_id": clinician_id})
    return booking, manage_token


def _authorised(tx: Tx, booking_id: str, token: str | None, who: Principal | None,
                for_update: bool = True) -> Appointment:
    """The booking, for a staff role or its clinician (`who`) or for whoever holds its manage token;
    a hold is not a booking yet."""
    booking = appointments.get(tx.session, booking_id, for_update=for_update)
    if booking is None or (who is None and booking.manage_token_hash is None):
        raise NotFound("No such booking.")
    if who is not None:
        if not who.may_act_for(booking.clinician_id):
            raise Forbidden("This booking belongs to another clinician.")
        return booking
    if not tokens.matches(token, booking.manage_token_hash):
        raise Unauthorized("This call needs the booking's manage token or a staff sign-in.")
    return booking
