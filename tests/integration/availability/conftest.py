"""Fixtures of the availability service's integration tests: a migrated container on a frozen clock, its app."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.clock import FrozenClock

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday; New York springs forward on Sunday the 8th
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def container(make_container, clock):
    return make_container("availability", clock=clock)


@pytest.fixture
def client(container):
    from services.availability.entrypoints.flask_app import create_app

    return create_app(container).test_client()


@pytest.fixture
def make_clinician(client, admin_headers):
    """Factory: creates a clinician (and its schedule, when given) through the API; returns its id."""
    def make(weekly=None, overrides=None, time_off=None, **fields):
        body = {"name": "Dr Ada Byron", "email": "ada@example.org", "time_zone": "America/New_York",
                "modalities": ["eft"], "populations": ["couples"], "languages": ["en"],
                "accepting_new_clients": True, **fields}
        resp = client.post("/v1/clinicians", json=body, headers=admin_headers)
        assert resp.status_code == 201, resp.json
        clinician_id = resp.json["id"]
        if weekly is not None:
            schedule = {"weekly": weekly, "overrides": overrides or [], "time_off": time_off or []}
            resp = client.put(f"/v1/clinicians/{clinician_id}/schedule", json=schedule, headers=admin_headers)
            assert resp.status_code == 200, resp.json
        return clinician_id

    return make


@pytest.fixture
def every_day():
    """Weekly windows with the same hours on all seven days."""
    return lambda start, end: [{"weekday": day, "start": start, "end": end} for day in WEEKDAYS]


@pytest.fixture
def outbox_events(container):
    """The events the service wrote to its outbox (optionally of one type), oldest first."""
    def read(type_: str | None = None) -> list[dict]:
        table = container.tables["outbox"]
        query = select(table.c.body).order_by(table.c.id)
        if type_:
            query = query.where(table.c.type == type_)
        with container.db.read() as session:
            return [json.loads(body) for body in session.execute(query).scalars()]

    return read


@pytest.fixture
def row_count(container):
    from services.availability.adapters import orm

    def rows(table_name: str) -> int:
        with container.db.read() as session:
            return session.execute(select(func.count()).select_from(orm.metadata.tables[table_name])).scalar()

    return rows


# Clinicians' own calendars (tests/integration/availability/test_availability_calendar*.py): a real
# Radicale CalDAV server per module; those modules give `container` ATTUNE_SECRET_KEY=radicale.KEY.
@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    from tests.support.radicale import PASSWORD, Radicale

    server = Radicale(tmp_path_factory.mktemp("radicale"), users={"ada": PASSWORD}).start()
    yield server
    server.stop()


@pytest.fixture
def calendar_url(radicale):
    return radicale.make_calendar()


@pytest.fixture
def connected(client, admin_headers, make_clinician, every_day, radicale, calendar_url):
    """A New York clinician open 09:00-17:00 every day, with the Radicale calendar connected."""
    from tests.support.radicale import PASSWORD

    clinician_id = make_clinician(weekly=every_day("09:00", "17:00"), time_zone="America/New_York")
    resp = client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
                      json={"caldav_url": radicale.url, "username": "ada", "password": PASSWORD,
                            "calendar_url": calendar_url})
    assert resp.status_code == 200, resp.json
    return clinician_id
