"""Calls over the public HTTP contract, for tests that drive the system as an outsider would."""
from __future__ import annotations

import time
import urllib.parse

from tests.support import infra
from tests.support.system import http, wait_until

ALL_WEEK = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
EVERY_HOUR = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]


def make_clinician(system, tz: str = "America/New_York", weekly=None, **over) -> dict:
    body = {"name": f"Dr Test {infra.rand(4)}", "email": f"clin-{infra.rand()}@e2e.test", "time_zone": tz,
            "modalities": ["eft", "attachment_focused"], "populations": ["couples", "adults"],
            "languages": ["en"], "accepting_new_clients": True, "credentials": "PhD, LMFT"}
    body.update(over)
    st, js, _ = http("POST", system.url("availability", "/v1/clinicians"), body, system.token)
    assert st == 201, js
    st, sched, _ = http("PUT", system.url("availability", f"/v1/clinicians/{js['id']}/schedule"),
                        {"weekly": weekly if weekly is not None else EVERY_HOUR, "overrides": [], "time_off": []},
                        system.token)
    assert st == 200, sched
    return {**body, "id": js["id"]}


def slots(system, **query) -> list[dict]:
    st, js, _ = http("GET", system.url("availability", "/v1/slots?" + urllib.parse.urlencode(query)))
    assert st == 200, js
    return js["slots"]


def slot_starts(system, **query) -> set[str]:
    return {s["start"] for s in slots(system, **query)}


def hold(system, clinician_id: str, start: str, headers=None):
    return http("POST", system.url("booking", "/v1/holds"), {"clinician_id": clinician_id, "start": start},
                headers=headers)


def hold_when_ready(system, clinician_id: str, start: str, timeout: float = 15):
    """Booking's projection of the schedule may lag availability's by a moment: 422 first is fine."""
    deadline = time.monotonic() + timeout
    res = hold(system, clinician_id, start)
    while res[0] == 422 and time.monotonic() < deadline:
        time.sleep(0.2)
        res = hold(system, clinician_id, start)
    return res


def confirm(system, hold_body: dict, client: dict, headers=None):
    return http("POST", system.url("booking", f"/v1/holds/{hold_body['id']}/confirm"),
                {"client": client, "consent": True, "notes": "We keep arguing about the same things."},
                hold_body["token"], headers=headers)


def booking_call(system, method: str, booking_id: str, action: str = "", body=None, token=None):
    path = f"/v1/bookings/{booking_id}" + (f"/{action}" if action else "")
    return http(method, system.url("booking", path), body, token)


def wait_for_event(system, type_: str, timeout: float = 15, **data) -> list[dict]:
    return wait_until(lambda: system.integrator.of(type_, **data), timeout, 0.1)


def wait_for_slots(system, cid: str, present: set = frozenset(), absent: set = frozenset(), timeout: float = 15):
    """Waits until availability's projection shows `present` open and `absent` gone."""
    def settled() -> bool:
        shown = slot_starts(system, clinician_id=cid)
        return present <= shown and not (absent & shown)

    return wait_until(settled, timeout, 0.2)


def http_post(system, path: str, body, service: str = "booking", token=None):
    return http("POST", system.url(service, path), body, token)
