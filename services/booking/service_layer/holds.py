"""Handlers of holds: place, release, confirm, and the sweeper that expires stale ones."""
from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.booking.adapters import admission, appointments, clinicians, requests_log
from services.booking.domain import persons, tokens
from services.booking.domain.errors import (
    AlreadyConsulted,
    ChallengeRequired,
    Conflict,
    NotBookable,
    NotFound,
    SlotTaken,
    TooManyHolds,
    Unauthorized,
)
from services.booking.domain.model import CONFIRMED, Appointment, Client
from services.booking.domain.rules import Clinician, check_bookable, check_rules
from services.booking.service_layer import rate_limit
from services.booking.service_layer.matching import offer_freed
from services.booking.service_layer.rate_limit import Quota
from services.booking.service_layer.unit_of_work import Tx, UnitOfWork
from shared import metrics

log = logging.getLogger("attune.booking")
SESSION_RACE_ATTEMPTS = 3
OPTIMISTIC_ATTEMPTS = 5


@dataclass(frozen=True)
class HoldLimits:
    """What one client address may do (issue 11): keep `max_live` live holds at most, and prove some
    work (a solved challenge, `proof`) for each hold past `challenge_after` in `challenge_window`."""
    address: str  # the client address, hashed
    max_live: int = 3
    challenge_after: int = 0  # 0: never
    challenge_window: timedelta = timedelta(hours=1)
    proof: tuple[str, datetime] | None = None  # a verified solution: its signature and expiry


def place_hold(uow: UnitOfWork, clinician_id: str, start: datetime, session: str | None = None,
               quota: Quota | None = None, limits: HoldLimits | None = None) -> tuple[Appointment, str]:
    """Holds the slot for the client and returns the hold and its token (shown once). Every attempt
    counts against the quota of the client's address, refused ones too."""
    apart = rate_limit.counts_apart(uow)
    token, session_key = tokens.new(), _session_key(session)
    try:
        if apart:  # PostgreSQL: counted (and checked) in statements that commit on their own
            hold, clinician = _admitted_hold(uow, quota, limits, clinician_id, start, token, session_key)
            hold = hold or _hold_in_transaction(uow, clinician_id, start, token, session_key, limits=limits,
                                                clinician=clinician)
        else:  # SQLite: one writer at a time anyway; one transaction for all
            hold = _hold_in_transaction(uow, clinician_id, start, token, session_key, admit=True, quota=quota,
                                        limits=limits)
    except (NotBookable, SlotTaken, TooManyHolds, ChallengeRequired):
        if not apart:
            rate_limit.limit(uow, quota)
        raise
    log.info("hold placed", extra={"booking_id": hold.id, "clinician_id": clinician_id})
    return hold, token


def _admitted_hold(uow: UnitOfWork, quota: Quota | None, limits: HoldLimits | None, clinician_id: str,
                   start: datetime, token: str, session_key: str | None) -> tuple[Appointment | None, Clinician]:
    """PostgreSQL: counts and checks the request, then holds the slot at once when the session has
    nothing to release and the address a free live-hold rank. None when that is left to a transaction
    (with the clinician read, so that it needs not read them again)."""
    with uow.apart() as tx:
        clinician, session_holds, rank = _admit(tx, quota, limits, clinician_id, session_key)
        check_bookable(clinician, start, tx.now, tx.policy)
        if session_holds or (limits is not None and rank is None) or clinician.limits_days():
            return None, clinician  # a cap or buffer looks at the clinician's other consultations: a transaction
        return _hold_at_once(tx, clinician_id, start, token, session_key, limits, rank), clinician


def _hold_in_transaction(uow: UnitOfWork, clinician_id: str, start: datetime, token: str,
                         session_key: str | None, admit: bool = False, quota: Quota | None = None,
                         limits: HoldLimits | None = None, clinician: Clinician | None = None) -> Appointment:
    """Holds the slot in a transaction (counting and checking the request first, if `admit`); one
    that meets a hold its session (or its address, for the same rank) placed meanwhile tries again."""
    for _ in range(SESSION_RACE_ATTEMPTS):
        try:
            with uow.write() as tx:
                if admit:  # in the transaction that holds: a rolled-back attempt counts nothing
                    rate_limit.spend(tx, quota)
                    _demand_work(tx, limits, appointments.placed_since(tx.session, limits.address,
                                                                       tx.now - limits.challenge_window)
                                 if _challenging(limits) else 0)
                    clinician = clinicians.get(tx.session, clinician_id)
                    check_bookable(clinician, start, tx.now, tx.policy)
                return _hold(tx, clinician_id, start, token, session_key, limits, clinician)
        except (appointments.SessionTaken, appointments.RankTaken):
            continue
    raise SlotTaken("Another hold of this hold session was placed at the same moment; please try again.",
                    "session")


def _admit(tx: Tx, quota: Quota | None, limits: HoldLimits | None, clinician_id: str, session_key: str | None):
    """Counts the request against its quota; returns the clinician, whether the hold session
    holds a slot already (unknown, so True, without a quota) and a free live-hold rank of the
    address (None: none free, or lapsed holds to expire first). One round trip."""
    if quota is None:
        return clinicians.get(tx.session, clinician_id), session_key is not None, None
    current, previous = rate_limit.windows(tx.now, quota.period)
    since = tx.now - limits.challenge_window if limits else tx.now
    seen = admission.count_and_read(tx.session, quota.bucket, current, clinician_id, session_key, previous,
                                    limits.address if limits else None, since)
    rate_limit.check(quota, seen.hits, tx.now, seen.previous_hits)
    _demand_work(tx, limits, seen.recent_holds)
    rank = None if limits is None else next((r for r in range(limits.max_live) if r not in seen.ranks), None)
    if limits is not None and len(seen.ranks) >= limits.max_live:
        rank = None
    return seen.clinician, seen.session_holds, rank


def _challenging(limits: HoldLimits | None) -> bool:
    return limits is not None and limits.challenge_after > 0


def _demand_work(tx: Tx, limits: HoldLimits | None, recent_holds: int) -> None:
    """Past the threshold a hold needs a solved challenge, each one good for one hold."""
    if not _challenging(limits) or recent_holds < limits.challenge_after:
        return
    if limits.proof is None or not requests_log.spend_once(tx.session, f"pow:{limits.proof[0]}", limits.proof[1]):
        raise ChallengeRequired("This address placed many holds lately: solve the proof-of-work challenge "
                                "and send its solution in the X-Proof-Of-Work header.")


def _hold_at_once(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None,
                  limits: HoldLimits | None = None, rank: int | None = None) -> Appointment | None:
    """PostgreSQL, no earlier hold of the session to release: the hold and its booking.held in one
    statement that commits on its own (one round trip where a transaction takes four). None when
    the slot is occupied, maybe by a lapsed hold, or the session (or the address, for this rank)
    took a slot meanwhile: the transaction that follows expires or releases those, or answers."""
    hold = _new_hold(tx, clinician_id, start, token, session_key, limits, rank)
    try:
        return hold if appointments.add_if_free_with_events(tx.session, hold, tx.now, tx.rows(hold)) else None
    except (appointments.SessionTaken, appointments.RankTaken):
        return None


def _new_hold(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None,
              limits: HoldLimits | None = None, rank: int | None = None,
              expires_at: datetime | None = None) -> Appointment:
    hold = Appointment.hold(str(uuid.uuid4()), clinician_id, start, tx.policy.slot,
                            expires_at or tx.now + tx.policy.hold_ttl, token, session_key)
    if limits is not None:
        hold.hold_address, hold.hold_rank = limits.address, rank
    return hold


def _hold(tx: Tx, clinician_id: str, start: datetime, token: str, session_key: str | None,
          limits: HoldLimits | None = None, clinician: Clinician | None = None) -> Appointment:
    previous = _release_session(tx, session_key) if session_key else []
    check_practice_rules(tx, clinician or clinicians.get(tx.session, clinician_id), start)
    # Holding again the slot the session holds gives a new token, never more time.
    same = [p.expires_at for p in previous if (p.clinician_id, p.start) == (clinician_id, start)]
    rank = _free_rank(tx, limits) if limits is not None else None
    hold = _new_hold(tx, clinician_id, start, token, session_key, limits, rank, min(same) if same else None)
    if not _insert(tx, hold):
        raise SlotTaken("This slot has just been taken; please choose another.", "start")
    tx.record(hold)
    offer_freed(tx)
    return hold


RULES_REACH = timedelta(days=1, hours=3)  # a local day (up to 25 h) and the longest buffer either side


def check_practice_rules(tx: Tx, clinician: Clinician | None, start: datetime, excluding: str | None = None) -> None:
    """The clinician's daily cap and buffer (issue 15), checked under a lock per clinician so that a
    storm of holds never exceeds the cap; held and confirmed consultations both count."""
    if clinician is None or not clinician.limits_days():
        return
    appointments.lock_clinician_days(tx.session, clinician.id)
    booked = appointments.consultations(tx.session, clinician.id, start - RULES_REACH, start + RULES_REACH,
                                        tx.now, excluding)
    check_rules(clinician, start, booked, tx.policy.slot)


def _free_rank(tx: Tx, limits: HoldLimits) -> int:
    """A live-hold rank of the address no held row takes (its lapsed holds expire first), or
    TooManyHolds until its earliest live hold ends."""
    ranks = appointments.address_ranks(tx.session, limits.address)
    if len(ranks) >= limits.max_live and any(e <= tx.now for e in ranks.values()):
        expire(tx, hold_address=limits.address)
        ranks = appointments.address_ranks(tx.session, limits.address)
    free = next((r for r in range(limits.max_live) if r not in ranks), None)
    if len(ranks) >= limits.max_live or free is None:
        wait = max(1, int((min(ranks.values()) - tx.now).total_seconds()) + 1) if ranks else 60
        raise TooManyHolds(f"This address holds {len(ranks)} slots already; confirm or release one, or try "
                           f"again in {wait} s.", wait)
    return free


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
            _check_client(tx, appt, client)
            earlier = _earlier_consultation(tx, appt, client)
            if earlier is not None:
                break
            appt.confirm(client, notes, manage_token, tx.now,
                         tokens.sealed_for_notifications(tx.secret_key, manage_token))
            if uow.db.sqlite:
                appointments.save(tx.session, appt, tx.now)
                tx.record(appt)
            elif not appointments.save_if_unchanged(tx.session, appt, tx.now, read_at, tx.rows(appt)):
                continue
        log.info("booking confirmed", extra={"booking_id": appt.id, "clinician_id": appt.clinician_id})
        return appt, manage_token
    else:
        raise Conflict("The hold kept changing while it was being confirmed; please try again.")
    _send_their_link(uow, earlier, hold_id)
    raise AlreadyConsulted(
        "Each person may book one free consultation, and we have one for you already (coming up, or in the "
        "last few months). We have emailed the details, with a link to change or cancel it, to the address on "
        "that booking. If you would like to talk with us again, please contact the practice.")


def _earlier_consultation(tx: Tx, appt: Appointment, client: Client) -> str | None:
    """Keys the client by email and phone (stored with the booking), and finds their upcoming or recent
    confirmed consultation, if any (one free consultation per person)."""
    appt.email_key, appt.phone_key = persons.keys(tx.secret_key, client.email, client.phone)
    if not tx.policy.one_consultation:
        return None
    return appointments.earlier_consultation(tx.session, appt.email_key, appt.phone_key,
                                             tx.now - tx.policy.one_consultation, appt.id)


def _send_their_link(uow: UnitOfWork, booking_id: str, hold_id: str) -> None:
    """The existing booking's manage link goes to ITS client's address (booking.duplicate_requested), never
    to whoever typed the details; the hold that could not be confirmed gives its slot back."""
    with uow.write() as tx:
        existing = appointments.get(tx.session, booking_id, for_update=True)
        if existing is not None and existing.status == CONFIRMED:
            existing.duplicate_requested()
            appointments.save(tx.session, existing, tx.now)
            tx.record(existing)
        hold = appointments.get(tx.session, hold_id, for_update=True)
        if hold is not None:
            _let_go(tx, hold)
            offer_freed(tx)
    log.info("second free consultation refused", extra={"booking_id": booking_id, "hold_id": hold_id})


def _check_client(tx: Tx, appt: Appointment, client: Client) -> None:
    """A clinician who phones the client needs the client's number."""
    clinician = clinicians.get(tx.session, appt.clinician_id)
    if clinician is not None and clinician.calls_by_phone() and not (client.phone or "").strip():
        raise NotBookable("This clinician phones you for the consultation: please give a phone number.",
                          "client.phone")


def expire(tx: Tx, limit: int = 500, clinician_id: str | None = None, start: datetime | None = None,
           hold_address: str | None = None) -> int:
    """Expires held rows past their expiry (all, the one on a slot about to be taken again, or an
    address's, whose live-hold ranks they keep)."""
    expired = appointments.expire_due(tx.session, tx.now, limit, clinician_id, start, hold_address)
    for hold in expired:
        metrics.hold_expired((tx.now - hold.expires_at).total_seconds())
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


def authorise(uow: UnitOfWork, hold_id: str, token: str | None) -> None:
    """Checks the hold's token, reading only (NotFound, Unauthorized): before a request claims anything."""
    with uow.read() as tx:
        _authorised_hold(tx, hold_id, token, lock=False)


def _authorised_hold(tx: Tx, hold_id: str, token: str | None, lock: bool = True) -> Appointment:
    appt = appointments.get(tx.session, hold_id, for_update=lock)
    if appt is None:
        raise NotFound("No such hold.")
    if not tokens.matches(token, appt.hold_token_hash):
        raise Unauthorized("This call needs the hold's token (Authorization: Bearer <token>).")
    return appt


def _release_session(tx: Tx, session_key: str) -> list[Appointment]:
    """One hold per hold session: a new hold releases the session's previous one (returned, as it was
    while live: a hold of the same slot keeps its expiry)."""
    appointments.lock_hold_session(tx.session, session_key)
    live = []
    for previous in appointments.held_in_session(tx.session, session_key):
        if previous.holding(tx.now):
            live.append(previous)
        _let_go(tx, previous)
    return live


def _let_go(tx: Tx, hold: Appointment) -> None:
    if hold.release(tx.now):
        appointments.save(tx.session, hold, tx.now)
        tx.record(hold)
        tx.freed.append((hold.clinician_id, hold.start))


def _session_key(session: str | None) -> str | None:
    return hashlib.sha256(session.encode()).hexdigest() if session else None
