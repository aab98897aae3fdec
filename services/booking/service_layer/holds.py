"""Handlers of holds: place, release, confirm, and the sweeper that expires stale ones."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

from services.booking.adapters import admission, appointments, clinicians
from services.booking.domain import tokens
from services.booking.domain.errors import Conflict, NotBookable, NotFound, SlotTaken, Unauthorized
from services.booking.domain.model import CONFIRMED, Appointment, Client
from services.booking.domain.rules import check_bookable
from services.booking.service_layer import rate_limit
from services.booking.service_layer.matching import offer_freed
from services.booking.service_layer.rate_limit import Quota
from services.booking.service_layer.unit_of_work import Tx, UnitOfWork

log = logging.getLogger("attune.booking")
SESSION_RACE_ATTEMPTS = 3
OPTIMISTIC_ATTEMPTS = 5


def place_hold(uow: UnitOfWork, clinician_id: str, start: datetime, session: str | None = None,
               quota: Quota | None = None) -> tuple[Appointment, str]:
    """Holds the slot for the client and returns the hold and its token (shown once). Every attempt
    counts against the quota of the client's address, refused ones too."""
    apart = rate_limit.counts_apart(uow)
    token, session_key = tokens.new(), _session_key(session)
    try:
        if apart:  # PostgreSQL: counted (and checked) in statements that commit on their own
            hold = _admitted_hold(uow, quota, clinician_id, start, token, session_key)
            hold = hold or _hold_in_transaction(uow, clinician_id, start, token, session_key)
        else:  # SQLite: one writer at a time anyway; one transaction for all
            hold = _hold_in_transaction(uow, clinician_id, start, token, session_key, admit=True, quota=quota)
    except (NotBookable, SlotTaken):
        if not apart:
            rate_limit.limit(uow, quota)
        raise
    log.info("hold placed", extra={"booking_id": hold.id, "clinician_id": clinician_id})
    return hold, token


def _admitted_hold(uow: UnitOfWork, quota: Quota | None, clinician_id: str, start: datetime, token: str,
                   session_key: str | None) -> Appointment | None:
    """PostgreSQL: counts and checks the request, then holds the slot at once when the session has
    nothing to release. None when that is left to a transaction."""
    with uow.apart() as tx:
        clinician, session_holds = _admit(tx, quota, clinician_id, session_key)
        check_bookable(clinician, start, tx.now, tx.policy)
        return None if session_holds else _hold_at_once(tx, clinician_id, start, token, session_key)


def _hold_in_transaction(uow: UnitOfWork, clinician_id: str, start: datetime, token: str,
                         session_key: str | None, admit: bool = False, quota: Quota | None = None) -> Appointment:
    """Holds the slot in a transaction (counting and checking the request first, if `admit`); one
    that meets a hold its session placed meanwhile tries again, releasing that one too."""
    for _ in range(SESSION_RACE_ATTEMPTS):
        try:
            with uow.write() as tx:
                if admit:  # in the transaction that holds: a rolled-back attempt counts nothing
                    rate_limit.spend(tx, quota)
                    check_bookable(clinicians.get(tx.session, clinician_id), start, tx.now, tx.policy)
                return _hold(tx, clinician_id, start, token, session_key)
        except appointments.SessionTaken:
            continue
    raise SlotTaken("Another hold of this hold session was placed at the same moment; please try again.",
                    "session")


def _admit(tx: Tx, quota: Quota | None, clinician_id: str, session_key: str | None):
    """Counts the request against its quota; returns the clinician and whether the hold session
    holds a slot already (unknown, so True, without a quota). One round trip."""
    if quota is None:
        return clinicians.get(tx.session, clinician_id), session_key is not None
    seen = admission.count_and_read(tx.session, quota.bucket, rate_limit.window(tx.now), clinician_id, session_key)
    rate_limit.check(quota, seen.hits, tx.now)
    return seen.clinician, seen.session_holds


def _hold_at_once(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None
                  ) -> Appointment | None:
    """PostgreSQL, no earlier hold of the session to release: the hold and its booking.held in one
    statement that commits on its own (one round trip where a transaction takes four). None when
    the slot is occupied, maybe by a lapsed hold, or the session took a slot meanwhile: the
    transaction that follows expires or releases those, or answers 409."""
    hold = _new_hold(tx, clinician_id, start, token, session_key)
    try:
        return hold if appointments.add_if_free_with_events(tx.session, hold, tx.now, tx.rows(hold)) else None
    except appointments.SessionTaken:
        return None


def _new_hold(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None) -> Appointment:
    return Appointment.hold(str(uuid.uuid4()), clinician_id, start, tx.policy.slot,
                            tx.now + tx.policy.hold_ttl, token, session_key)


def _hold(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None) -> Appointment:
    if session_key:
        _release_session(tx, session_key)
    hold = _new_hold(tx, clinician_id, start, token, session_key)
    if not _insert(tx, hold):
        raise SlotTaken("This slot has just been taken; please choose another.", "start")
    tx.record(hold)
    offer_freed(tx)
    return hold


def _insert(tx: Tx, hold: Appointment) -> bool:
    """Inserts the hold; a held row past its expiry on the slot is expired first (with its event)."""
    if appointments.add_if_free(tx.session, hold, tx.now):
        return True
    return expire(tx, clinician_id=hold.clinician_id, start=hold.start) > 0 and appointments.add_if_free(
        tx.session, hold, tx.now)


def release_hold(uow: UnitOfWork, hold_id: str, token: str | None) -> None:
    with uow.write() as tx:
        _let_go(tx, _authorised_hold(tx, hold_id, token))
        offer_freed(tx)


def confirm(uow: UnitOfWork, hold_id: str, token: str | None, client: Client, notes: str | None
            ) -> tuple[Appointment, str]:
    """Turns the hold into a booking; a retried confirm answers with the same booking and token.

    PostgreSQL confirms optimistically, outside a transaction: it reads the hold, and saves the
    booking with its event in one statement that writes only if the row's sequence is still the
    one it read (any change since, an expiry say, bumped it); then it reads again and decides
    anew. SQLite, one writer at a time, confirms in a transaction."""
    for _ in range(OPTIMISTIC_ATTEMPTS):
        with uow.apart() as tx:  # SQLite: a write transaction
            appt = _authorised_hold(tx, hold_id, token, lock=uow.db.sqlite)
            read_at, manage_token = appt.sequence, tokens.manage_token_for(token, appt.id)
            if appt.status == CONFIRMED and tokens.matches(manage_token, appt.manage_token_hash):
                if (appt.client, appt.notes) != (client, notes):  # never keep the first silently
                    raise Conflict("This hold was already confirmed with other details; the booking keeps "
                                   "those. Cancel it and book again to change them.", "client")
                return appt, manage_token
            appt.confirm(client, notes, manage_token, tx.now,
                         tokens.sealed_for_notifications(tx.secret_key, manage_token))
            if uow.db.sqlite:
                appointments.save(tx.session, appt, tx.now)
                tx.record(appt)
            elif not appointments.save_if_unchanged(tx.session, appt, tx.now, read_at, tx.rows(appt)):
                continue
        log.info("booking confirmed", extra={"booking_id": appt.id, "clinician_id": appt.clinician_id})
        return appt, manage_token
    raise Conflict("The hold kept changing while it was being confirmed; please try again.")


def expire(tx: Tx, limit: int = 500, clinician_id: str | None = None, start: datetime | None = None) -> int:
    """Expires held rows past their expiry (all, or the one on a slot about to be taken again)."""
    expired = appointments.expire_due(tx.session, tx.now, limit, clinician_id, start)
    for hold in expired:
        hold.expire()
        tx.record(hold)
        if clinician_id is None:
            tx.freed.append((hold.clinician_id, hold.start))
    return len(expired)


def sweep(uow: UnitOfWork, batch: int = 500) -> int:
    """The sweeper's job: safe to run in several workers at once; each hold expires once."""
    total = 0
    with uow.read() as tx:
        if not appointments.any_due(tx.session, tx.now):
            return 0
    while True:
        with uow.write() as tx:
            n = expire(tx, batch)
            offer_freed(tx)
        total += n
        if n < batch:
            break
    if total:
        log.info("holds expired", extra={"count": total})
    return total


def _authorised_hold(tx: Tx, hold_id: str, token: str | None, lock: bool = True) -> Appointment:
    appt = appointments.get(tx.session, hold_id, for_update=lock)
    if appt is None:
        raise NotFound("No such hold.")
    if not tokens.matches(token, appt.hold_token_hash):
        raise Unauthorized("This call needs the hold's token (Authorization: Bearer <token>).")
    return appt


def _release_session(tx: Tx, session_key: str) -> None:
    """One hold per hold session: a new hold releases the session's previous one."""
    appointments.lock_hold_session(tx.session, session_key)
    for previous in appointments.held_in_session(tx.session, session_key):
        _let_go(tx, previous)


def _let_go(tx: Tx, hold: Appointment) -> None:
    if hold.release(tx.now):
        appointments.save(tx.session, hold, tx.now)
        tx.record(hold)
        tx.freed.append((hold.clinician_id, hold.start))


def _session_key(session: str | None) -> str | None:
    return hashlib.sha256(session.encode()).hexdigest() if session else None
