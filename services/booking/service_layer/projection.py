"""Keeps this service's view of clinicians (status, zone, offer, schedule) from availability's events,
and offers slots that open up to waiting contact requests."""
from __future__ import annotations

from services.booking.adapters import clinicians
from services.booking.domain.rules import Clinician
from services.booking.service_layer.matching import bookable_starts, offer_opened
from services.booking.service_layer.unit_of_work import UnitOfWork

SCHEDULE_KEYS = ("weekly", "overrides", "time_off")


def on_clinician(uow: UnitOfWork, session, event: dict, data: dict) -> None:
    tx = uow.within(session)
    current = clinicians.get(session, data["clinician_id"]) or Clinician(data["clinician_id"])
    before = bookable_starts(current, tx)
    current.time_zone = data["time_zone"]
    current.active, current.accepting = data["active"], data["accepting_new_clients"]
    current.modalities, current.populations = list(data["modalities"]), list(data["populations"])
    call = data.get("call") or {}
    current.call_method, current.video_url = call.get("method") or "video", call.get("video_url")
    current.max_per_day, current.buffer_minutes = data.get("max_per_day"), data.get("buffer_minutes")
    clinicians.save(session, current, tx.now)
    offer_opened(tx, current, before)


def on_availability(uow: UnitOfWork, session, event: dict, data: dict) -> None:
    """Applies the whole schedule unless we hold a newer version already."""
    tx = uow.within(session)
    current = clinicians.get(session, data["clinician_id"]) or Clinician(data["clinician_id"])
    if current.schedule_version is not None and data["version"] <= current.schedule_version:
        return
    before = bookable_starts(current, tx)
    raw = event["data"]
    current.schedule = {k: raw.get(k) or [] for k in SCHEDULE_KEYS}
    current.schedule_version, current.time_zone = data["version"], data["time_zone"]
    clinicians.save(session, current, tx.now)
    offer_opened(tx, current, before)


def on_calendar_busy(uow: UnitOfWork, session, event: dict, data: dict) -> None:
    """Keeps the busy time of the clinician's own calendar: new holds on it are refused (standing ones stay)."""
    tx = uow.within(session)
    current = clinicians.get(session, data["clinician_id"]) or Clinician(data["clinician_id"])
    before = bookable_starts(current, tx)
    current.busy = [(interval["start"], interval["end"]) for interval in data["busy"]]
    clinicians.save(session, current, tx.now)
    offer_opened(tx, current, before)


def handlers(uow: UnitOfWork) -> dict:
    return {
        "clinician.created": lambda s, e, d: on_clinician(uow, s, e, d),
        "clinician.updated": lambda s, e, d: on_clinician(uow, s, e, d),
        "availability.changed": lambda s, e, d: on_availability(uow, s, e, d),
        "calendar.busy_changed": lambda s, e, d: on_calendar_busy(uow, s, e, d),
    }
