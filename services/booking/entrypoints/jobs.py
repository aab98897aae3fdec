"""The booking worker's scheduled jobs (APScheduler, in the worker only); each is safe to run twice."""
from __future__ import annotations

import logging
from datetime import timedelta

from services.booking.service_layer import contact_requests, erasure, holds, idempotency
from shared.runtime import Job

log = logging.getLogger("attune.booking")


def expire_holds(container) -> None:
    try:
        holds.sweep(container.extra["uow"])
    except Exception:
        log.exception("expiring holds failed")


def purge_request_log(container) -> None:
    try:
        idempotency.purge(container.extra["uow"])
    except Exception:
        log.exception("purging idempotency keys failed")


def expire_contact_requests(container) -> None:
    try:
        contact_requests.expire(container.extra["uow"], timedelta(days=container.settings.contact_request_ttl_days))
    except Exception:
        log.exception("expiring contact requests failed")


def erase_expired(container) -> None:
    try:
        erasure.erase_expired(container.extra["uow"], timedelta(days=container.settings.retention_days))
    except Exception:
        log.exception("erasing client details after retention failed")


JOBS = (Job("expire-holds", expire_holds, seconds=0.5), Job("purge-request-log", purge_request_log, seconds=600),
        Job("expire-contact-requests", expire_contact_requests, seconds=3600),
        Job("erase-expired-client-details", erase_expired, seconds=3600))
