"""Clinicians' own CalDAV calendars: connect, disconnect, status, and the worker's sync of their busy time.

A sync leases one clinician at a time (a conditional UPDATE: across replicas only one syncs a given
clinician), asks the server whether anything changed since its sync token, and only then reads the
events of the window and expands them. A failing server backs off exponentially and keeps the busy
time of the last good sync, so booking never waits for it; staff see the status and a stale flag.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, time, timedelta

from services.availability.adapters import caldav_client
from services.availability.adapters import calendar_store as store
from services.availability.adapters import repository as repo
from services.availability.adapters.caldav_client import CalendarError, Remote
from services.availability.domain.busy_time import expand, overlaps
from services.availability.domain.model import UnknownClinician
from shared import process_owner, sealed
from shared.clock import isoformat, naive_utc, utc
from shared.runtime import Container, Job

log = logging.getLogger("attune.calendar")
PURPOSE = "caldav-credentials"
LEASE = timedelta(minutes=3)  # longer than any one sync (each request times out after 30 s)
MAX_BACKOFF = timedelta(minutes=15)
JOB_SECONDS = 5  # how often the worker looks for due calendars; each is due every CALENDAR_SYNC_SECONDS
BATCH = 50


def jobs() -> list[Job]:
    return [Job("calendar-sync", sync_due, JOB_SECONDS)]


def _interval(container: Container) -> timedelta:
    return timedelta(seconds=container.settings.calendar_sync_seconds)


def window(container: Container, now: datetime) -> tuple[datetime, datetime]:
    """The span synced: from the day before today to two days past the lookahead (UTC days), so it moves once a day."""
    today = datetime.combine(utc(now).date(), time(), utc(now).tzinfo)
    return today - timedelta(days=1), today + timedelta(days=container.settings.lookahead_days + 3)


def _clinician(session, clinician_id: str):
    clinician = repo.get_clinician(session, clinician_id)
    if clinician is None:
        raise UnknownClinician(clinician_id)
    return clinician


def connect(container: Container, clinician_id: str, caldav_url: str, username: str, password: str,
            calendar_url: str | None) -> dict:
    """Checks the credentials against the server, stores them sealed, and syncs at once.
    CalendarError (nothing stored) names the cause."""
    with container.db.read() as session:
        _clinician(session, clinician_id)
    if not container.settings.secret_key:
        raise CalendarError("ATTUNE_SECRET_KEY is not set: calendar credentials cannot be stored")
    found = caldav_client.connect(caldav_url, username, password, calendar_url)
    values = {"caldav_url": caldav_url, "calendar_url": found, "username": username,
              "sealed_password": sealed.seal(container.settings.secret_key, PURPOSE, password)}
    with container.db.write() as session:
        store.put_connection(session, clinician_id, values, container.clock.now())
        store.write_again(session, clinician_id, container.clock.now())  # consultations booked before it
    log.info("calendar connected", extra={"clinician_id": clinician_id})
    sync_one(container, clinician_id)
    return status(container, clinician_id)


def disconnect(container: Container, clinician_id: str) -> bool:
    """Forgets the calendar and its busy time; False when none was connected."""
    now = container.clock.now()
    with container.db.write() as session:
        _clinician(session, clinician_id)
        had_busy = bool(store.busy_of(session, clinician_id))
        gone = store.delete_connection(session, clinician_id)
        if had_busy:
            _busy_changed(container, session, clinician_id, [], now)
    return gone


def status(container: Container, clinician_id: str) -> dict:
    """What staff see: {connected, status, reason, last_sync, stale, calendar_url, clashes}; never the password."""
    now = container.clock.now()
    with container.db.read() as session:
        _clinician(session, clinician_id)
        row = store.get_connection(session, clinician_id)
    if row is None:
        return {"connected": False, "status": "disconnected", "reason": None, "last_sync": None, "stale": False,
                "calendar_url": None, "username": None, "clashes": []}
    fresh_until = utc(row.last_sync) + 3 * _interval(container) if row.last_sync else None
    return {"connected": True, "status": row.status, "reason": row.reason,
            "last_sync": isoformat(utc(row.last_sync)) if row.last_sync else None,
            "stale": row.status != "ok" or fresh_until is None or fresh_until < now,
            "calendar_url": row.calendar_url, "username": row.username, "clashes": row.clashes or []}


def sync_due(container: Container) -> int:
    """The worker's job: syncs every calendar whose turn has come, one clinician at a time."""
    done = 0
    with container.db.read() as session:
        ids = store.due(session, container.clock.now(), BATCH)
    for clinician_id in ids:
        try:
            done += sync_one(container, clinician_id)
        except Exception:  # one calendar's surprise must not starve the others; its lease lapses
            log.exception("calendar sync crashed", extra={"clinician_id": clinician_id})
    return done


def sync_one(container: Container, clinician_id: str) -> bool:
    """Syncs one clinician's calendar if this replica wins its lease; True when it ran."""
    owner, now = f"{uuid.uuid4().hex[:8]}/{process_owner.current(short=True)}", container.clock.now()
    with container.db.write() as session:
        if not store.claim(session, clinician_id, owner, now, now + LEASE):
            return False
        row = store.get_connection(session, clinician_id)
        clinician = repo.get_clinician(session, clinician_id)
    low, high = window(container, now)
    try:
        if clinician is None:
            raise CalendarError("the clinician is no longer in the directory")
        token, texts = _read(container, row, low, high)
    except CalendarError as exc:
        _failed(container, row, owner, str(exc), now)
        return True
    with container.db.write() as session:
        if not store.leased_to(session, clinician_id, owner):
            return True  # disconnected or connected afresh meanwhile: what was read is stale
        if texts is not None:
            busy = expand(texts, clinician.time_zone, low, high)
            if busy != store.busy_of(session, clinician_id):
                store.replace_busy(session, clinician_id, busy)
                _busy_changed(container, session, clinician_id, busy, now)
        values = {"status": "ok", "reason": None, "last_sync": now, "failures": 0,
                  "next_sync_at": now + _interval(container), "sync_token": token,
                  "window_end": high if texts is not None else row.window_end,
                  "clashes": clashes(session, clinician_id, now)}
        store.finish(session, clinician_id, owner, values, now)
    return True


def open_remote(container: Container, connection) -> Remote:
    """The connection's calendar, its password unsealed only for the request."""
    try:
        password = sealed.unseal(container.settings.secret_key, PURPOSE, connection.sealed_password)
    except (sealed.InvalidToken, ValueError):
        raise CalendarError("the stored credentials cannot be opened (ATTUNE_SECRET_KEY changed?): "
                            "connect the calendar again") from None
    return Remote(connection.caldav_url, connection.username, password, connection.calendar_url)


def _read(container: Container, row, low: datetime, high: datetime) -> tuple[str | None, list[str] | None]:
    """(the new sync token, the window's events or None when nothing changed since the last sync)."""
    with open_remote(container, row) as remote:
        changed, token = remote.sync_token(row.sync_token)
        moved = row.window_end is None or row.window_end < naive_utc(high)
        if not changed and not moved:
            return token, None
        return token, remote.events_between(low, high)


def _failed(container: Container, row, owner: str, reason: str, now: datetime) -> None:
    failures = row.failures + 1
    delay = min(_interval(container) * 2 ** min(failures, 10), MAX_BACKOFF)
    with container.db.write() as session:
        store.finish(session, row.clinician_id, owner,
                     {"status": "failing", "reason": reason[:500], "failures": failures,
                      "next_sync_at": now + delay}, now)
    log.warning("calendar sync failed", extra={"clinician_id": row.clinician_id, "reason": reason,
                                               "failures": failures})


def _busy_changed(container: Container, session, clinician_id: str, busy: list, now: datetime) -> None:
    """Tells the booking service (new holds on busy time are refused) and refreshes the directory."""
    data = {"clinician_id": clinician_id, "synced_at": now,
            "busy": [{"start": utc(s), "end": utc(e)} for s, e in busy]}
    container.outbox.add(session, "calendar.busy_changed", f"calendar-{clinician_id}", data, now)
    refresh_directory(session, clinician_id, now)


def refresh_directory(session, clinician_id: str, now: datetime) -> None:
    """The one call site of the directory's projection hook (H6's `refresh_next_available`)."""
    from services.availability.service_layer import directory

    directory.refresh_next_available(session, clinician_id, now)


def clashes(session, clinician_id: str, now: datetime) -> list[dict]:
    """Live holds and bookings still to come that the calendar's busy time now covers (the hold stands;
    staff are told). Ids and times only."""
    busy = store.busy_of(session, clinician_id)
    if not busy:
        return []
    return [{"booking_id": r.booking_id, "status": r.status, "start": isoformat(utc(r.start)),
             "end": isoformat(utc(r.end))}
            for r in store.standing_bookings(session, clinician_id, now) if overlaps(busy, r.start, r.end)]
