"""Handlers of contact requests: create (the client's time preferences), list and close (staff)."""
from __future__ import annotations

import logging
import uuid

from services.booking.adapters import contact_requests
from services.booking.domain.contact import ContactRequest
from services.booking.domain.errors import NotFound
from services.booking.domain.model import Client
from services.booking.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger("attune.booking")


def create(uow: UnitOfWork, client: Client, time_zone: str, preferred_times: list[dict], **wishes) -> ContactRequest:
    request = ContactRequest.create(id=str(uuid.uuid4()), client=client, time_zone=time_zone,
                                    preferred_times=preferred_times, **wishes)
    with uow.write() as tx:
        contact_requests.add(tx.session, request, tx.now)
        tx.record(request)
    log.info("contact request created", extra={"contact_request_id": request.id})
    return request


def close(uow: UnitOfWork, request_id: str) -> ContactRequest:
    with uow.write() as tx:
        request = contact_requests.get(tx.session, request_id, for_update=True)
        if request is None:
            raise NotFound("No such contact request.")
        request.close()
        contact_requests.close(tx.session, request, tx.now)
    return request


def listing(uow: UnitOfWork, status: str | None, limit: int = 200) -> list[dict]:
    with uow.read() as tx:
        return contact_requests.listing(tx.session, status, limit)
