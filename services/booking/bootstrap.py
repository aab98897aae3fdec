"""Wires the booking service's real adapters; the web app, the worker and the tests all start here."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from services.booking.adapters import orm
from services.booking.domain.rules import Policy
from services.booking.service_layer.unit_of_work import UnitOfWork
from shared.runtime import Container, build


def policy(settings) -> Policy:
    return Policy(min_notice=timedelta(minutes=settings.min_notice_minutes),
                  lookahead=timedelta(days=settings.lookahead_days),
                  hold_ttl=timedelta(seconds=settings.hold_ttl_seconds),
                  slot=timedelta(minutes=settings.slot_minutes),
                  one_consultation=timedelta(days=settings.one_consultation_days))


def bootstrap(settings=None, clock=None, schema=None) -> Container:
    from services.booking.entrypoints.consumers import subscriptions
    from services.booking.entrypoints.jobs import JOBS

    container = build("booking", orm.metadata, Path(__file__).parent / "migrations", settings, clock, schema)
    uow = UnitOfWork(container.db, container.outbox, container.clock, policy(container.settings),
                     container.settings.secret_key)
    container.extra["uow"] = uow
    s = container.settings
    uow.offer_caps = (s.contact_offers_per_request, s.contact_offers_per_recipient_per_day)
    container.subscriptions.extend(subscriptions(uow))
    container.jobs.extend(JOBS)
    return container
