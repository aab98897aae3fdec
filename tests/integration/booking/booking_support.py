"""Drives the booking service in process: its Flask test client on a real database, a frozen clock,
and availability events fed into its projection through the real event handlers."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from shared.clock import isoformat
from shared.events import new_event, parse

# Monday 2 March 2026, 07:00 UTC = 08:00 in Berlin; the clinician works 09:00-17:00 there, Mon-Fri.
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def at(day_offset: int, hhmm: str, tz=timezone(timedelta(hours=1))) -> datetime:
    """A moment on NOW's date + day_offset at local HH:MM (Berlin in winter, UTC+1, by default)."""
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 3, 2 + day_offset, h, m, tzinfo=tz).astimezone(UTC)


class Booking:
    """Drives one booking service: HTTP through the test client, events straight into its handlers."""

    def __init__(self, container, clock):
        from services.booking.entrypoints.flask_app import create_app

        self.container, self.clock = container, clock
        self.app = create_app(container)
        self.http = self.app.test_client()
        self.sequences: dict[str, int] = {}

    def feed(self, type_: str, data: dict) -> None:
        """Applies an availability event as the consumer would, in one transaction."""
        subject = data["clinician_id"]
        self.sequences[subject] = self.sequences.get(subject, 0) + 1
        event = new_event(type_, "/attune/availability", subject, self.sequences[subject], data, self.clock.now())
        envelope, loaded = parse(json.dumps(event))
        handler = next(s.handlers[type_] for s in self.container.subscriptions if type_ in s.handlers)
        with self.container.db.write() as session:
            handler(session, envelope, loaded)

    def clinician(self, time_zone="Europe/Berlin", weekly=None, active=True, accepting=True, version=1,
                  modalities=("eft",), populations=("couples",), **schedule) -> str:
        cid = schedule.pop("clinician_id", None) or f"cl-{uuid.uuid4().hex[:8]}"
        self.feed("clinician.created", {
            "clinician_id": cid, "name": "Dr Test", "email": "dr@example.org", "time_zone": time_zone,
            "modalities": list(modalities), "populations": list(populations), "languages": ["en"],
            "accepting_new_clients": accepting, "active": active})
        self.schedule(cid, time_zone, weekly, version, **schedule)
        return cid

    def schedule(self, cid, time_zone="Europe/Berlin", weekly=None, version=1, overrides=(), time_off=()):
        weekly = weekly if weekly is not None else [{"weekday": d, "start": "09:00", "end": "17:00"}
                                                    for d in WEEKDAYS]
        self.feed("availability.changed", {"clinician_id": cid, "version": version, "time_zone": time_zone,
                                           "weekly": weekly, "overrides": list(overrides),
                                           "time_off": list(time_off)})

    def hold(self, cid, start, headers=None, **extra):
        return self.http.post("/v1/holds", json={"clinician_id": cid, "start": isoformat(start), **extra},
                              headers=headers or {})

    def confirm(self, hold: dict, headers=None, **body):
        payload = {"client": {"name": "Ada Client", "email": "ada@example.org", "phone": "+49 30 1234567"},
                   "consent": True, "notes": "couples work", **body}
        return self.http.post(f"/v1/holds/{hold['id']}/confirm", json=payload,
                              headers={"Authorization": f"Bearer {hold['token']}", **(headers or {})})

    def book(self, cid, start) -> dict:
        hold = self.hold(cid, start)
        assert hold.status_code == 201, hold.json
        booking = self.confirm(hold.json)
        assert booking.status_code == 201, booking.json
        return booking.json

    def events(self, type_: str | None = None) -> list[dict]:
        t = self.container.tables["outbox"]
        q = select(t.c.body).order_by(t.c.id)
        with self.container.db.read() as s:
            found = [json.loads(b) for b in s.scalars(q)]
        return [e for e in found if type_ is None or e["type"] == type_]

    def sweep(self) -> int:
        from services.booking.service_layer.holds import sweep

        return sweep(self.container.extra["uow"])


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
