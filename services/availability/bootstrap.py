"""Wires the availability service's real adapters; the web app, the worker and the tests all start here."""
from __future__ import annotations

from pathlib import Path

from services.availability.adapters import orm
from services.availability.domain.slots import ExpansionCache
from services.availability.service_layer import (
    calendar_sync,
    calendar_writeback,
    directory,
    erasure,
    projection,
)
from shared.messaging.topology import Subscription
from shared.runtime import Container, build


def bootstrap(settings=None, clock=None, schema=None) -> Container:
    migrations = Path(__file__).parent / "migrations"
    container = build("availability", orm.metadata, migrations, settings, clock, schema)
    container.subscriptions.append(Subscription("booking-events", projection.ROUTING_KEYS,
                                                projection.handlers(container.clock)))
    container.extra["expansions"] = ExpansionCache()
    directory.configure(container)  # its window (notice, lookahead) and the job that advances it
    container.subscriptions.append(calendar_writeback.subscription(container))  # consultations for CalDAV + feed
    container.subscriptions.append(erasure.subscription())  # client_data.erased: the calendar labels go
    container.jobs.extend(calendar_sync.jobs() + calendar_writeback.jobs())
    return container
