"""SMART Scheduling Links: the practice's Location, a Schedule per clinician and their 15-minute Slots as NDJSON.

Files are built from the directory projection and the slot computation, and kept per process under a
version (the directory's latest change and the quarter hour of now), rebuilt at most once a minute, so a
slot finder polling every minute costs one small query per poll.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, urlencode

from sqlalchemy import func, select

from services.availability.adapters import repository as repo
from services.availability.adapters.orm import directory
from services.availability.domain.slots import SLOT_SECONDS, epoch, instant, search_window
from services.availability.service_layer import slots as queries
from shared import taxonomy
from shared.clock import isoformat, utc
from shared.runtime import Container

EXT = "http://fhir-registry.smarthealthit.org/StructureDefinition/"
SERVICE_TYPE = [{"coding": [{"system": "https://attune.dev/fhir/CodeSystem/service-type", "code": "consultation",
                             "display": "Free 15-minute consultation call"}], "text": "consultation"}]
MODALITY_SYSTEM = "https://attune.dev/fhir/CodeSystem/modality"
LOCATION_ID = "practice"
KEPT = 24  # files kept per process (one practice's manifest is 2 + the days of the window)
FRESH = timedelta(seconds=60)  # a file is rebuilt at most this often


@dataclass(frozen=True)
class Version:
    """What the files are built from: the directory's last change, and the quarter hour of now."""
    changed: datetime
    window: datetime
    rows: int

    @property
    def transaction_time(self) -> datetime:
        return max(self.changed, self.window)

    def etag(self, name: str, since: datetime | None) -> str:
        text = f"{self.changed.isoformat()}|{self.window.isoformat()}|{self.rows}|{name}|{since}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def version(container: Container) -> Version:
    """The window moves on the quarter hour (a slot falls behind the notice), the data when a row changes."""
    now = container.clock.now()
    with container.db.read() as session:
        changed, rows = session.execute(select(func.max(directory.c.updated_at), func.count())).one()
    quarter = instant(epoch(now) - epoch(now) % SLOT_SECONDS)
    return Version(utc(changed) if changed else quarter, quarter, rows)


def _window(container: Container, now: datetime) -> tuple[datetime, datetime]:
    s = container.settings
    return search_window(now, timedelta(minutes=s.min_notice_minutes), timedelta(days=s.lookahead_days))


def days(container: Container) -> list[date]:
    """The UTC days of the bookable window: one Slot file each."""
    low, high = _window(container, container.clock.now())
    first, last = low.astimezone(UTC).date(), high.astimezone(UTC).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def manifest(container: Container, base: str, request_url: str, since: datetime | None) -> dict:
    query = "?" + urlencode({"_since": isoformat(since)}) if since else ""
    files = [("Location", "locations.ndjson"), ("Schedule", "schedules.ndjson")]
    files += [("Slot", f"slots-{day.isoformat()}.ndjson") for day in days(container)]
    return {"transactionTime": isoformat(version(container).transaction_time), "request": request_url,
            "output": [{"type": kind, "url": f"{base}/{name}{query}"} for kind, name in files], "error": []}


def fhir_id(clinician_id: str) -> str:
    """FHIR ids are [A-Za-z0-9-.]{1,64}: "cln_ab12" is published as "cln-ab12"."""
    return clinician_id.replace("_", "-")


def _line(resource: dict) -> str:
    return json.dumps(resource, separators=(",", ":"))


def location(container: Container) -> str:
    s = container.settings
    resource = {"resourceType": "Location", "id": LOCATION_ID, "name": s.practice_name,
                "description": "Free 15-minute consultation calls by phone or video"}
    if s.practice_phone:
        resource["telecom"] = [{"system": "phone", "value": s.practice_phone}]
    if s.practice_address:
        parts = [p.strip() for p in s.practice_address.replace("\n", ",").split(",") if p.strip()]
        resource["address"] = {"text": ", ".join(parts), "line": parts}
    return _line(resource) + "\n"


def _changed_since(session, since: datetime | None) -> set[str] | None:
    if since is None:
        return None
    q = select(directory.c.clinician_id).where(directory.c.updated_at > since.astimezone(UTC).replace(tzinfo=None))
    return set(session.execute(q).scalars())


def schedules(container: Container, since: datetime | None) -> str:
    """One Schedule per clinician who offers consultations (changed since `since`, when given)."""
    with container.db.read() as session:
        changed = _changed_since(session, since)
        offering = [c for c in repo.list_clinicians(session) if c.offers_consultations()]
    labels = taxonomy.of(container.settings)
    lines = []
    for c in offering:
        if changed is not None and c.id not in changed:
            continue
        specialties = [{"coding": [{"system": MODALITY_SYSTEM, "code": m, "display": labels.modality_label(m)}],
                        "text": labels.modality_label(m)} for m in c.modalities]
        resource = {"resourceType": "Schedule", "id": fhir_id(c.id), "active": True, "serviceType": SERVICE_TYPE,
                    "actor": [{"reference": f"Location/{LOCATION_ID}"}, {"display": c.name}],
                    "comment": f"Free consultation calls with {c.name}"}
        if specialties:
            resource["specialty"] = specialties
        lines.append(_line(resource))
    return "".join(line + "\n" for line in lines)


def slots(container: Container, day: date, since: datetime | None) -> str:
    """The day's (UTC) 15-minute slots of the bookable window, free or busy, each with a booking deep link.

    With `since`: the slots of clinicians whose directory row changed since then, and the slots that
    entered the window since then (a client keeps the rest it has).
    """
    now, s = container.clock.now(), container.settings
    low, high = _window(container, now)
    day_low = max(low, datetime.combine(day, time(), UTC))
    day_high = min(high, datetime.combine(day + timedelta(days=1), time(), UTC))
    if day_low >= day_high:
        return ""
    with container.db.read() as session:
        changed = _changed_since(session, since)
        offering = [c for c in repo.list_clinicians(session) if c.offers_consultations()]
        starts, busy = queries.scheduled(container, session, offering, day_low, day_high, now, whole=True)
    entered = epoch(since) + s.lookahead_days * 86400 if since else None
    booking = s.public_url.get("booking", "").rstrip("/") + "/"
    phone = f',{{"url":"{EXT}booking-phone","valueString":{json.dumps(s.practice_phone)}}}' \
        if s.practice_phone else ""
    text: dict[int, tuple[str, str, str, str]] = {}  # instants repeat across clinicians: format each once
    lines = []
    for cid in sorted(starts):
        whole, taken = changed is None or cid in changed, busy.get(cid, ())
        head = f'{{"resourceType":"Slot","schedule":{{"reference":"Schedule/{fhir_id(cid)}"}},"id":"{fhir_id(cid)}.'
        link = json.dumps(booking + "?" + urlencode({"clinician": cid, "start": ""}))[:-1]
        for at in starts[cid]:
            if not whole and at < entered:
                continue
            start, end, stamp, quoted = text.get(at) or text.setdefault(at, _instants(at))
            times = f'{stamp}","start":"{start}","end":"{end}"'
            if at in taken:
                lines.append(f'{head}{times},"status":"busy"}}\n')
                continue
            lines.append(f'{head}{times},"status":"free","extension":[{{"url":"{EXT}booking-deep-link",'
                         f'"valueUrl":{link}{quoted}"}}{phone}]}}\n')
    return "".join(lines)


def _instants(at: int) -> tuple[str, str, str, str]:
    start = instant(at)
    text = isoformat(start)
    return text, isoformat(instant(at + SLOT_SECONDS)), start.strftime("%Y%m%dT%H%M"), quote(text)


@dataclass(frozen=True)
class _Built:
    version: Version
    at: datetime
    body: bytes


class Files:
    """The generated files of this process by (name, since): rebuilt when the data changed, but at most once
    a minute (a busy practice changes every few seconds; slot finders poll every minute or more)."""

    def __init__(self, kept: int = KEPT, fresh: timedelta = FRESH):
        self.kept, self.fresh = kept, fresh
        self._files: OrderedDict[tuple, _Built] = OrderedDict()

    def get(self, key: tuple, version: Version, now: datetime, build) -> tuple[Version, bytes]:
        built = self._files.get(key)
        if built is None or (built.version != version and now - built.at >= self.fresh):
            built = self._files[key] = _Built(version, now, build().encode())
            while len(self._files) > self.kept:
                self._files.popitem(last=False)
        return built.version, built.body
