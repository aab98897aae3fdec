"""Wires the staff service's real adapters; the web app, the worker, `attune accounts` and the tests start here."""
from __future__ import annotations

from pathlib import Path

from services.staff.adapters import orm
from services.staff.domain.passwords import Passwords
from services.staff.entrypoints import jobs
from services.staff.service_layer import audit
from shared.messaging.topology import Subscription
from shared.runtime import Container, Job, build


def bootstrap(settings=None, clock=None, schema=None, passwords: Passwords | None = None) -> Container:
    container = build("staff", orm.metadata, Path(__file__).parent / "migrations", settings, clock, schema)
    container.extra["passwords"] = passwords or Passwords()
    # Audit entries from every service (and this one's own, already kept: de-duplicated by event id).
    container.subscriptions.append(Subscription("audit", ("audit.recorded",), {"audit.recorded": audit.on_recorded},
                                                ordered=False))
    container.jobs = [Job("prune", jobs.prune, 600.0)]
    return container
