"""Handlers of contact requests: create (the client's time preferences), list and close (staff)."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

from services.booking.adapters import contact_requests
from services.booking.domain import tokens
from services.booking.domain.contact import ContactRequest
from services.booking.domain.errors import NotFound
from services.booking.domain.model import Client
from services.booking.service_layer.access import audit, audit_list, visible_request
from services.booking.service_layer.unit_of_work import UnitOfWork
from shared import sealed as sealed_box
from shared.auth import Principal

VERIFY_PURPOSE = "contact-verify"

log = logging.getLogger("attune.booking")


def create(uow: UnitOfWork, client: Client, time_zone: str, preferred_times: list[dict], **wishes) -> ContactRequest:
    """A request with an email waits for the client to follow the link mailed to it (the token
    travels sealed in the event, for the notifications service alone; we keep its hash)."""
    key = email_key(client.email) if client.email else None
    with uow.write() as tx:
        # One confirmation mail per address a day: a stranger's address earns them one mail at most.
        mail = key is not None and not contact_requests.verification_sent_since(tx.session, key, tx.now - timedelta(days=1))
        token = tokens.new() if key else None
        sealed = sealed_box.seal(uow.secret_key, VERIFY_PURPOSE, token) if mail and uow.secret_key else None
        request = ContactRequest.create(id=str(uuid.uuid4()), client=client, time_zone=time_zone,
                                        preferred_times=preferred_times, verification=sealed, **wishes)
        contact_requests.add(tx.session, request, tx.now)
        if key:
            contact_requests.set_verification(tx.session, request.id, tokens.digest(token) if sealed else None, key)
        tx.record(request)
    log.info("contact request created", extra={"contact_request_id": request.id})
    return request


def verify(uow: UnitOfWork, request_id: str, token: str | None) -> ContactRequest:
    """The client followed the link: their request is open (following it again changes nothing)."""
    with uow.write() as tx:
        request = contact_requests.get(tx.session, request_id, for_update=True)
        stored = contact_requests.verification_hash(tx.session, request_id) if request else None
        if request is None or stored is None or not tokens.matches(token, stored):
            raise NotFound("No such contact request, or the link is not (or no longer) valid.")
        if request.verify():
            contact_requests.mark_verified(tx.session, request, tx.now)
            # the notifications service acknowledges the request to the now verified address
            tx.outbox.add(tx.session, "contact_request.verified", request.id,
                          {"contact_request_id": request.id, "status": request.status}, tx.now)
    log.info("contact request verified", extra={"contact_request_id": request.id})
    return request


def expire(uow: UnitOfWork, ttl: timedelta) -> int:
    """Closes requests left open (or unverified) longer than CONTACT_REQUEST_TTL_DAYS: offered nothing more."""
    with uow.write() as tx:
        n = contact_requests.close_older_than(tx.session, tx.now - ttl, tx.now)
    if n:
        log.info("contact requests expired", extra={"count": n})
    return n


def email_key(email: str) -> str:
    """Offers per recipient are counted by this (the address itself may be erased later)."""
    return hashlib.sha256(f"attune-recipient:{email.strip().lower()}".encode()).hexdigest()


def staff_listing(uow: UnitOfWork, who: Principal, status: str | None, clinician_id: str | None,
                  limit: int = 200) -> list[dict]:
    """Newest first, for a staff role (a clinician passes their own id): an audited read."""
    with uow.write() as tx:
        found = contact_requests.listing(tx.session, status, limit, clinician_id)
        audit_list(tx, who, "contact_request.listed", [r["id"] for r in found])
    return found


def staff_read(uow: UnitOfWork, who: Principal, request_id: str) -> dict:
    with uow.write() as tx:
        request = visible_request(tx, request_id, who)
        audit(tx, who, "contact_request.read", request.id)
        return _view(tx, request.id)


def triage(uow: UnitOfWork, who: Principal, request_id: str, status: str | None, note: str | None) -> dict:
    """Staff set the request's status (open, in_progress, closed) and note; an audited change."""
    with uow.write() as tx:
        request = visible_request(tx, request_id, who, for_update=True)
        request.triage(status, note)
        contact_requests.save_triage(tx.session, request, tx.now)
        audit(tx, who, "contact_request.triaged", request.id)
        return _view(tx, request.id)


def _view(tx, request_id: str) -> dict:
    [view] = contact_requests.listing(tx.session, None, 1, ids=[request_id])
    return view
