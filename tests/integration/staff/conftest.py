"""Fixtures of the staff service's integration tests: a migrated container on a frozen clock, its API,
accounts made through the API, and events applied through the real consumer code."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from services.staff.domain.passwords import Passwords
from shared.clock import FrozenClock
from shared.events import parse
from shared.messaging.consumer import EventConsumer

NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
SECRET = "staff-test-secret-" + "k" * 24
PASSWORD = "a tidy orchard 42"


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def staff(make_container, clock):
    container = make_container("staff", clock=clock, ATTUNE_SECRET_KEY=SECRET)
    # argon2 at its cheapest: the tests check behaviour, not the hash's cost (bench/auth.py does that)
    container.extra["passwords"] = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return container


@pytest.fixture
def api(staff):
    from services.staff.entrypoints.flask_app import create_app

    return create_app(staff).test_client()


class Accounts:
    """Makes accounts with the owner token and signs them in, as a practice would."""

    def __init__(self, api, admin_headers):
        self.api, self.admin = api, admin_headers
        self.count = 0

    def create(self, role: str = "staff", clinician_id: str | None = None, **over) -> dict:
        self.count += 1
        body = {"email": f"person{self.count}@clinic.test", "name": f"Person {self.count}", "role": role,
                "clinician_id": clinician_id, "password": PASSWORD, **over}
        r = self.api.post("/v1/accounts", json=body, headers=self.admin)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def sign_in(self, account: dict, password: str = PASSWORD, **extra) -> dict:
        r = self.api.post("/v1/sessions", json={"email": account["email"], "password": password, **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    @staticmethod
    def bearer(session: dict) -> dict:
        return {"Authorization": f"Bearer {session['token']}"}


@pytest.fixture
def accounts(api, admin_headers):
    return Accounts(api, admin_headers)


def outbox_events(container, type_: str | None = None) -> list[dict]:
    t = container.tables["outbox"]
    with container.db.read() as s:
        rows = s.execute(select(t.c.body).order_by(t.c.id)).scalars().all()
    events = [json.loads(b) for b in rows]
    return [e for e in events if type_ is None or e["type"] == type_]


def apply(container, event: dict) -> None:
    """Hands one event to the service as its worker would (de-dup, the handler, one transaction)."""
    consumer = EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                             container.clock)
    envelope, data = parse(json.dumps(event))
    for sub in container.subscriptions:
        if event["type"] in sub.routing_keys:
            assert consumer.apply(sub, envelope, data, sub.handlers[event["type"]]) is None
