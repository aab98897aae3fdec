"""Erasure of client details (issue 15): after RETENTION_DAYS, and one person's at once on an admin's request.

Each erasure writes `client_data.erased` (the ids and the basis, never the person's details) in its
transaction: notifications erase their stored mail, projections and reminders of those ids, and
integrators are told to do the same.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from services.booking.adapters import appointments
from services.booking.adapters import erasure as store
from services.booking.domain import persons
from services.booking.domain.errors import NotBookable
from services.booking.domain.model import CONFIRMED, HELD
from services.booking.service_layer.access import audit
from services.booking.service_layer.matching import offer_freed
from services.booking.service_layer.unit_of_work import Tx, UnitOfWork
from shared.auth import Principal

log = logging.getLogger("attune.booking.erasure")
BATCH = 200


@dataclass(frozen=True)
class Erased:
    erasure_id: str | None
    bookings: int
    contact_requests: int


def erase_expired(uow: UnitOfWork, retention: timedelta, batch: int = BATCH) -> int:
    """The worker's job: client details of holds, bookings and requests that ended over `retention` ago."""
    total = 0
    while True:
        with uow.write() as tx:
            cutoff = tx.now - retention
            bookings, requests = store.ended_bookings(tx.session, cutoff, batch), store.closed_requests(
                tx.session, cutoff, batch)
            _erase(tx, bookings, requests, "retention")
        total += len(bookings) + len(requests)
        if len(bookings) < batch and len(requests) < batch:
            break
    if total:
        log.info("client details erased after retention", extra={"count": total})
    return total


def erase_person(uow: UnitOfWork, who: Principal, email: str | None, phone: str | None) -> Erased:
    """Everything this service keeps of one person (by email or phone, normalised as the one-consultation
    rule does): their holds are released and upcoming bookings cancelled, then every detail erased."""
    normal_email, normal_phone = persons.normal_email(email), persons.normal_phone(phone)
    if not normal_email and not normal_phone:
        raise NotBookable("Give the person's email or phone.", "email")
    with uow.write() as tx:
        email_key, phone_key = persons.keys(tx.secret_key, email, phone)
        bookings = store.person_bookings(tx.session, email_key, phone_key)
        _end_live(tx, bookings)
        requests = store.person_requests(tx.session, normal_email,
                                         _recipient_key(normal_email) if normal_email else None,
                                         {normal_phone} if normal_phone else set(), persons.normal_phone)
        erasure_id = _erase(tx, bookings, requests, "request")
        audit(tx, who, "client_data.erased", erasure_id)
    log.info("a person's client details erased", extra={"erasure_id": erasure_id})
    return Erased(erasure_id, len(bookings), len(requests))


def _recipient_key(email: str) -> str:
    from services.booking.service_layer.contact_requests import email_key

    return email_key(email)


def _end_live(tx: Tx, ids: list[str]) -> None:
    """A hold is released and a booking still to come cancelled: no consultation stays without its client."""
    for booking_id in ids:
        appt = appointments.get(tx.session, booking_id, for_update=True)
        if appt.status == HELD:
            appt.release(tx.now)
        elif appt.status == CONFIRMED and appt.end > tx.now:
            appt.cancel(None, "staff")
        else:
            continue
        appointments.save(tx.session, appt, tx.now)
        tx.record(appt)
        tx.freed.append((appt.clinician_id, appt.start))
    offer_freed(tx)


def _erase(tx: Tx, bookings: list[str], requests: list[str], basis: str) -> str | None:
    if not bookings and not requests:
        return None
    store.erase_bookings(tx.session, bookings, tx.now)
    store.erase_requests(tx.session, requests, tx.now)
    store.scrub_outbox(tx.session, bookings + requests)
    erasure_id = f"er_{uuid.uuid4().hex[:20]}"
    tx.outbox.add(tx.session, "client_data.erased", f"erasure-{erasure_id}",
                  {"erasure_id": erasure_id, "basis": basis, "booking_ids": bookings,
                   "contact_request_ids": requests}, tx.now, after=0)
    return erasure_id
