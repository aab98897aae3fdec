"""Queries: the open slots of the practice (or of one clinician), and the directory with next slots."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.availability.adapters import directory_store
from services.availability.adapters import repository as repo
from services.availability.domain.model import Clinician, Schedule, UnknownClinician
from services.availability.domain.slots import (
    RULES_REACH,
    ExpansionCache,
    SlotList,
    busy_sets,
    closed_starts,
    epoch,
    instant,
    limited,
    merge,
    open_starts,
    search_window,
)
from shared.runtime import Container

SPARE_DAYS = 3  # an expansion outlives the moving window by this much before it is recomputed


@dataclass(frozen=True)
class Filters:
    modality: str | None = None
    population: str | None = None
    language: str | None = None
    accepting: bool | None = None

    def keep(self, clinicians: list[Clinician]) -> list[Clinician]:
        wanted = (self.modality, self.population, self.language, self.accepting)
        return [c for c in clinicians if c.matches(*wanted)]


def find_slots(container: Container, filters: Filters, clinician_id: str | None = None,
               start: datetime | None = None, end: datetime | None = None) -> SlotList:
    """Every open slot, sorted by start then clinician."""
    now = container.clock.now()
    low, high = search_window(now, _notice(container), _lookahead(container), start, end)
    with container.db.read() as session:
        if clinician_id is None:
            chosen = filters.keep(repo.list_clinicians(session))
        else:
            chosen = filters.keep([_active(session, clinician_id)])
        return merge(_open(container, session, chosen, low, high, now, whole=clinician_id is None))


FIRST_SPAN = timedelta(hours=2)  # a page is looked for in spans that start small and grow fourfold
WHOLE = 300  # from this many clinicians on, the busy rows of everyone are read (cheaper than a long IN list)


def find_page(container: Container, filters: Filters, clinician_id: str | None, start: datetime | None,
              end: datetime | None, limit: int, after: tuple[int, str] | None = None
              ) -> tuple[list[tuple[int, str]], tuple[int, str] | None]:
    """Up to `limit` open slots after the (start, clinician id) `after`, in the order of `find_slots`, and
    where the next page begins (None on the last).

    Only the spans of time the page needs are computed: a large practice fills a page within hours.
    """
    now = container.clock.now()
    low, high = search_window(now, _notice(container), _lookahead(container), start, end)
    if after is not None:
        low = max(low, instant(after[0]))
    found: list[tuple[int, str]] = []
    with container.db.read() as session:
        one = None if clinician_id is None else filters.keep([_active(session, clinician_id)])
        span, at = FIRST_SPAN, low
        while at < high and len(found) <= limit:
            stop = min(at + span, high)
            # The directory projection names who has any open slot before `stop`: only they are read.
            chosen = one if one is not None else directory_store.open_before(
                session, stop, filters.modality, filters.population, filters.language)
            page = merge(_open(container, session, chosen, at, stop, now, whole=len(chosen) > WHOLE))
            found.extend(slot for slot in page if after is None or slot > after)
            at, span = stop, span * 4
    if len(found) > limit:
        return found[:limit], found[limit - 1]
    return found, None


def directory(container: Container, filters: Filters) -> list[tuple[Clinician, int | None]]:
    """The active clinicians that match, each with the start of its first open slot (or None), as the
    directory projection keeps it (no schedule is expanded here)."""
    with container.db.read() as session:
        chosen = filters.keep(repo.list_clinicians(session))
        firsts = directory_store.firsts(session)
    return [(c, epoch(firsts[c.id]) if firsts.get(c.id) else None) for c in chosen]


def _active(session, clinician_id: str) -> Clinician:
    clinician = repo.get_clinician(session, clinician_id)
    if clinician is None or not clinician.active:
        raise UnknownClinician(clinician_id)
    return clinician


def _open(container: Container, session, chosen: list[Clinician], low: datetime, high: datetime,
          now: datetime, whole: bool) -> dict[str, list[int]]:
    """Open slot starts per clinician: expanded schedules (cached) minus one query's busy rows."""
    found: dict[str, list[int]] = {c.id: [] for c in chosen}
    offering = [c for c in chosen if c.offers_consultations()]
    if not offering or low >= high:
        return found
    starts, busy = scheduled(container, session, offering, low, high, now, whole)
    found.update({cid: open_starts(starts[cid], busy.get(cid)) for cid in starts})
    return found


def scheduled(container: Container, session, offering: list[Clinician], low: datetime, high: datetime,
              now: datetime, whole: bool) -> tuple[dict[str, list[int]], dict[str, set[int]]]:
    """Each clinician's scheduled slot starts in [low, high) (cached expansions), and the busy ones among
    them; `whole`: the busy query reads every clinician's rows (cheaper than a long IN list)."""
    ids = [c.id for c in offering]
    cache: ExpansionCache = container.extra["expansions"]
    versions = repo.schedule_versions(session, ids)
    stale = set(cache.stale([(c.id, versions.get(c.id, 0), c.time_zone) for c in offering], low, high))
    if stale:
        _expand(container, session, [c for c in offering if c.id in stale], now)
    busy = busy_sets(repo.busy_between(session, low, high, now, None if whole else ids))
    starts = {cid: cache.starts(cid, low, high) for cid in ids}
    capped = [c for c in offering if limited(c)]
    if capped:  # a daily cap or buffer closes slots as busy time does (whole local days of consultations count)
        booked = repo.consultations(session, [c.id for c in capped], low - RULES_REACH, high + RULES_REACH, now)
        for c in capped:
            closed = closed_starts(starts[c.id], c, booked.get(c.id, []))
            if closed:
                busy.setdefault(c.id, set()).update(closed)
    return starts, busy


def _expand(container: Container, session, clinicians: list[Clinician], now: datetime) -> None:
    loaded = repo.schedules_of(session, [c.id for c in clinicians])
    span = (now - timedelta(days=1), now + _lookahead(container) + timedelta(days=SPARE_DAYS))
    for c in clinicians:
        schedule = loaded.get(c.id) or Schedule(c.id)
        container.extra["expansions"].put(c.id, schedule.version, c.time_zone, schedule.as_dict(), *span)


def _notice(container: Container) -> timedelta:
    return timedelta(minutes=container.settings.min_notice_minutes)


def _lookahead(container: Container) -> timedelta:
    return timedelta(days=container.settings.lookahead_days)


def next_open(container: Container, clinician: Clinician) -> int | None:
    """The start of the clinician's first open slot in the bookable window, or None."""
    now = container.clock.now()
    low, high = search_window(now, _notice(container), _lookahead(container))
    with container.db.read() as session:
        found = _open(container, session, [clinician], low, high, now, whole=False)[clinician.id]
    return found[0] if found else None
