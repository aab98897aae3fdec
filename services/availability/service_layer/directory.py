"""The directory projection: each clinician's public profile and first open slot, kept one clinician at a time.

A row changes when its clinician, their schedule or their busy time changes (the commands, the
booking-event projection and the calendar sync call `refresh_next_available` in their own
transaction), and when time passes its first slot (the worker's job recomputes the rows whose
`due_at` has come). A request only reads rows: it never expands anyone's schedule.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.availability.adapters import directory_store as store
from services.availability.adapters import repository as repo
from services.availability.domain.model import Clinician, Invalid, Schedule
from services.availability.domain.slots import (
    RULES_REACH,
    busy_sets,
    epoch,
    instant,
    limited,
    search_window,
    within_rules,
)
from shared.clock import isoformat, naive_utc, utc
from shared.runtime import Container, Job
from shared.schedule import slot_starts

DAY = timedelta(days=1)
WINDOW_OPTION = "attune_directory_window"
DEFAULT_WINDOW = (timedelta(minutes=120), timedelta(days=7))
BATCH = 200  # rows the job recomputes per transaction (SQLite's write lock is held that long)
JOB_SECONDS = 60


def configure(container: Container) -> None:
    """Tells `refresh_next_available` the practice's notice and lookahead through the engine it runs on."""
    s = container.settings
    window = (timedelta(minutes=s.min_notice_minutes), timedelta(days=s.lookahead_days))
    container.db.engine.update_execution_options(**{WINDOW_OPTION: window})
    container.jobs.append(Job("directory-advance", advance, JOB_SECONDS))


def _window(conn) -> tuple[timedelta, timedelta]:
    engine = conn.engine if hasattr(conn, "engine") else conn.get_bind()
    return engine.get_execution_options().get(WINDOW_OPTION, DEFAULT_WINDOW)


def profile(clinician: Clinician) -> str:
    """The public profile (no email), as JSON text: a page of the directory is these joined."""
    c = clinician
    return json.dumps({"id": c.id, "name": c.name, "credentials": c.credentials, "bio": c.bio,
                       "time_zone": c.time_zone, "modalities": c.modalities,
                       "populations": c.populations, "languages": c.languages,
                       "accepting_new_clients": c.accepting_new_clients,
                       "call": {"method": c.call["method"]}}, separators=(",", ":"))


def refresh_next_available(conn, clinician_id: str, now: datetime) -> datetime | None:
    """Recomputes one clinician's directory row in the caller's transaction; returns its first open slot.

    Call it after changing anything that moves the clinician's open slots (calendar busy time too).
    A clinician this service does not know is ignored.
    """
    exists = store.lock(conn, clinician_id)
    clinician = repo.get_clinician(conn, clinician_id)
    if clinician is None:
        return None
    schedule = repo.get_schedule(conn, clinician_id) or Schedule(clinician_id)
    first, due = first_open(conn, clinician, schedule, now, *_window(conn))
    lapse = store.first_expiry(conn, clinician_id, now)  # a lapsing hold reopens its slot without an event
    due = min(due, lapse) if lapse else due
    store.put(conn, clinician_id, {
        "active": clinician.active, "accepting_new_clients": clinician.accepting_new_clients,
        "rank_at": first or store.FAR, "sort_name": clinician.name.casefold()[:200], "next_available": first,
        "due_at": max(due, now + timedelta(seconds=1)), "modalities": store.packed(clinician.modalities),
        "populations": store.packed(clinician.populations), "languages": store.packed(clinician.languages, True),
        "profile": profile(clinician)}, exists, now)
    return first


def first_open(conn, clinician: Clinician, schedule: Schedule, now: datetime, notice: timedelta,
               lookahead: timedelta) -> tuple[datetime | None, datetime]:
    """(the first open slot or None, when to look again as time passes)."""
    if not clinician.offers_consultations() or not (schedule.weekly or schedule.overrides):
        return None, store.FAR  # only a change to the clinician or schedule can open a slot
    low, high = search_window(now, notice, lookahead)
    busy = busy_sets(_busy(conn, clinician.id, low, high, now)).get(clinician.id, set())
    starts = _starts(schedule, clinician.time_zone, low, high)
    if limited(clinician):  # a daily cap or buffer: the window's starts at once, as whole days count
        booked = repo.consultations(conn, [clinician.id], low - RULES_REACH, high + RULES_REACH, now)
        starts = map(instant, within_rules([epoch(at) for at in starts], clinician, booked.get(clinician.id, [])))
    for at in starts:
        if epoch(at) not in busy:
            return at, at - notice + timedelta(seconds=1)
    # None within the lookahead: look again when the window's far end reaches the next slot.
    later = next(_starts(schedule, clinician.time_zone, high, high + lookahead), None)
    return None, (later - lookahead if later else now + DAY)


def _busy(conn, clinician_id: str, low: datetime, high: datetime, now: datetime):
    """The clinician's busy (clinician_id, start, end) rows: held and confirmed bookings."""
    return repo.busy_between(conn, low, high, now, [clinician_id])


def _starts(schedule: Schedule, time_zone: str, low: datetime, high: datetime) -> Iterator[datetime]:
    """The schedule's slot starts in [low, high), a day at a time: the first one is usually on day one."""
    at = low
    while at < high:
        stop = min(at + DAY, high)
        yield from slot_starts(schedule.as_dict(), time_zone, at, stop)
        at = stop


def advance(container: Container) -> int:
    """The worker's job: rows whose first slot time has passed (and clinicians without a row) recomputed."""
    now, done = container.clock.now(), 0
    for _ in range(100):
        with container.db.write() as session:
            ids = list(dict.fromkeys(store.missing(session, BATCH) + store.due(session, now, BATCH)))
            for clinician_id in ids:
                refresh_next_available(session, clinician_id, now)
        done += len(ids)
        if not ids:
            break
    return done


@dataclass(frozen=True)
class Page:
    rows: list  # (profile JSON text, next_available)
    next_page: str | None


def page(container: Container, modality=None, population=None, language=None, accepting=None,
         token: str | None = None, size: int = 20) -> Page:
    """Active clinicians that match, by first open slot (none last), then name; `token` continues a page."""
    after = _position(token) if token else None
    with container.db.read() as session:
        rows = store.page(session, modality, population, language, accepting, after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if more else None
    token = _token(store.Position(last.rank_at, last.sort_name, last.clinician_id)) if last else None
    return Page([(r.profile, r.next_available) for r in rows], token)


def _token(at: store.Position) -> str:
    text = json.dumps([isoformat(utc(at.rank_at)), at.sort_name, at.clinician_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position(token: str) -> store.Position:
    try:
        rank, name, clinician_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return store.Position(naive_utc(datetime.fromisoformat(rank)), str(name), str(clinician_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Invalid({"page": ["is not a page token this service gave out (use next_page as it is)"]}) from None
