"""Commands on the practice's directory: create and change clinicians, set their schedules.

Each runs in one transaction that also writes its events to the outbox.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

from services.availability.adapters import repository as repo
from services.availability.domain import rules
from services.availability.domain.model import Clinician, Invalid, Schedule, UnknownClinician
from services.availability.service_layer import directory
from shared.runtime import Container

# Called inside a command's transaction with (session, subject id, now): the staff audit entry
# (shared.access.record_audit) is written together with the change, or not at all.
Audit = Callable[[object, str, object], None]


def new_id() -> str:
    return "cln_" + secrets.token_hex(10)


def create_clinician(container: Container, fields: dict, audit: Audit | None = None) -> Clinician:
    now = container.clock.now()
    clinician = Clinician(id=new_id(), **fields)
    with container.db.write() as session:
        repo.add_clinician(session, clinician, now)
        container.outbox.add(session, "clinician.created", clinician.id, clinician.event_data(), now)
        directory.refresh_next_available(session, clinician.id, now)
        if audit:
            audit(session, clinician.id, now)
    return clinician


def update_clinician(container: Container, clinician_id: str, changes: dict,
                     audit: Audit | None = None) -> Clinician:
    """Applies a partial change; a new zone moves every window's instants, so it is a schedule change too."""
    now = container.clock.now()
    with container.db.write() as session:
        clinician = _locked(session, clinician_id)
        changed = clinician.change(changes)
        if not changed:
            return clinician
        repo.save_clinician(session, clinician, changed, now)
        container.outbox.add(session, "clinician.updated", clinician.id, clinician.event_data(), now)
        if audit:
            audit(session, clinician.id, now)
        if "time_zone" in changed:
            schedule = (repo.get_schedule(session, clinician_id) or Schedule(clinician_id)).bumped()
            _save_schedule(container, session, schedule, clinician.time_zone)
        directory.refresh_next_available(session, clinician_id, now)
    return clinician


def get_clinician(container: Container, clinician_id: str, include_inactive: bool = False) -> Clinician:
    with container.db.read() as session:
        clinician = repo.get_clinician(session, clinician_id)
    if clinician is None or not (clinician.active or include_inactive):
        raise UnknownClinician(clinician_id)
    return clinician


def set_schedule(container: Container, clinician_id: str, weekly: list, overrides: list,
                 time_off: list, audit: Audit | None = None) -> tuple[Clinician, Schedule]:
    """Replaces the clinician's schedule (validated first: nothing is saved when any part is wrong)."""
    errors = rules.schedule_errors(weekly, overrides, time_off)
    if errors:
        raise Invalid(errors)
    stored = rules.canonical_schedule(weekly, overrides, time_off)
    with container.db.write() as session:
        clinician = _locked(session, clinician_id)
        current = repo.get_schedule(session, clinician_id) or Schedule(clinician_id)
        schedule = current.replaced(**stored)
        _save_schedule(container, session, schedule, clinician.time_zone)
        directory.refresh_next_available(session, clinician_id, container.clock.now())
        if audit:
            audit(session, clinician_id, container.clock.now())
    return clinician, schedule


def get_schedule(container: Container, clinician_id: str,
                 include_inactive: bool = False) -> tuple[Clinician, Schedule]:
    with container.db.read() as session:
        clinician = repo.get_clinician(session, clinician_id)
        if clinician is None or not (clinician.active or include_inactive):
            raise UnknownClinician(clinician_id)
        return clinician, repo.get_schedule(session, clinician_id) or Schedule(clinician_id)


def _locked(session, clinician_id: str) -> Clinician:
    clinician = repo.get_clinician(session, clinician_id, for_update=True)
    if clinician is None:
        raise UnknownClinician(clinician_id)
    return clinician


def _save_schedule(container: Container, session, schedule: Schedule, time_zone: str) -> None:
    now = container.clock.now()
    repo.save_schedule(session, schedule, now)
    data = schedule.event_data(time_zone)
    container.outbox.add(session, "availability.changed", schedule.clinician_id, data, now)
