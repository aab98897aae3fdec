"""The console's page shell and config (no browser), and availability's schedule preview the console's
editor shows: what a schedule would offer, computed as the slots are, saved nowhere, for the same callers."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import Flask

from services.availability.adapters import repository as repo
from services.availability.entrypoints.flask_app import create_app
from services.staff.entrypoints import console
from shared import config
from shared.clock import FrozenClock
from tests.support.staff_tokens import KEY, Staff, bearer

ADMIN = {"Authorization": "Bearer test-admin-Vq8xK2pLm9RzW4nY7c"}
NOW = datetime.fromisoformat("2026-03-02T12:00:00+00:00")  # a Monday; New York is on EST until 8 March
WEEK = [{"weekday": d, "start": "09:00", "end": "10:00"} for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]


def test_the_console_page_lets_scripts_reach_exactly_the_other_services_and_says_where_they_are():
    settings = config.load("staff", {"STAFF_DATABASE_URL": "sqlite://", "PRACTICE_NAME": "Harbour <Therapy>",
                                     "BOOKING_PUBLIC_URL": "https://book.example.org/",
                                     "AVAILABILITY_PUBLIC_URL": "https://slots.example.org/api"})
    app = Flask("console-test")
    app.extensions["attune"] = SimpleNamespace(settings=settings)
    app.register_blueprint(console.bp)
    client = app.test_client()

    page = client.get("/")
    html = page.get_data(as_text=True)
    policy = page.headers["Content-Security-Policy"]
    assert "connect-src 'self' https://slots.example.org https://book.example.org http://127.0.0.1:8003;" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "<title>Practice console · Harbour &lt;Therapy&gt;</title>" in html
    assert 'type="module" src="/console/static/js/app.js"' in html
    found = client.get("/console/config.json").get_json()
    assert found["services"] == {"availability": "https://slots.example.org/api", "booking": "https://book.example.org",
                                 "notifications": "http://127.0.0.1:8003", "staff": ""}
    assert client.get("/console/static/js/app.js").status_code == 200


@pytest.fixture
def api(make_container):
    container = make_container("availability", clock=FrozenClock(NOW), MIN_NOTICE_MINUTES="0", ATTUNE_SECRET_KEY=KEY)
    return SimpleNamespace(container=container, client=create_app(container).test_client())


def clinician(api, name: str) -> str:
    body = {"name": name, "email": f"{name.split()[-1].lower()}@example.org", "time_zone": "America/New_York",
            "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True}
    resp = api.client.post("/v1/clinicians", json=body, headers=ADMIN)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def preview(api, clinician_id: str, body: dict, headers=ADMIN):
    return api.client.post(f"/v1/clinicians/{clinician_id}/schedule/preview", json=body, headers=headers)


def test_a_preview_offers_what_the_saved_schedule_then_offers_minus_booked_time_and_saves_nothing(api):
    cid = clinician(api, "Dr Mara Preview")
    booked = datetime.fromisoformat("2026-03-03T14:15:00+00:00")  # Tuesday 09:15 in New York
    with api.container.db.write() as session:
        repo.put_booking(session, "bk_1", {"clinician_id": cid, "start": booked, "end": booked + timedelta(minutes=15),
                                           "status": "confirmed", "expires_at": None}, 1, NOW)

    shown = preview(api, cid, {"weekly": WEEK, "overrides": [{"date": "2026-03-04", "windows": []}]})

    assert shown.status_code == 200, shown.get_json()
    starts = [s["start"] for s in shown.get_json()["slots"]]
    assert "2026-03-03T14:00:00Z" in starts and "2026-03-03T14:15:00Z" not in starts, "booked time is not open"
    assert not [s for s in starts if s.startswith("2026-03-04")], "the day off has no slots"
    assert len(starts) == 4 * 6 - 1 and shown.get_json()["bookable"] is True
    assert api.client.get(f"/v1/clinicians/{cid}/schedule").get_json()["weekly"] == [], "nothing was saved"
    assert api.client.get(f"/v1/slots?clinician_id={cid}").get_json()["slots"] == []
    saved = api.client.put(f"/v1/clinicians/{cid}/schedule", headers=ADMIN,
                           json={"weekly": WEEK, "overrides": [{"date": "2026-03-04", "windows": []}]})
    assert saved.status_code == 200
    assert [s["start"] for s in api.client.get(f"/v1/slots?clinician_id={cid}").get_json()["slots"]] == starts


def test_a_preview_is_for_those_who_may_change_the_schedule_and_names_a_wrong_window(api):
    own, other = clinician(api, "Dr Ida Own"), clinician(api, "Dr Ole Other")
    staff = Staff(NOW)
    body = {"weekly": WEEK}

    assert preview(api, own, body, headers={}).status_code == 401
    assert preview(api, own, body, headers=bearer(staff.token("clinician", other))).status_code == 403
    assert preview(api, own, body, headers=bearer(staff.token("clinician", own))).status_code == 200
    assert preview(api, own, body, headers=bearer(staff.token("staff"))).status_code == 200
    wrong = preview(api, own, {"weekly": [{"weekday": "mon", "start": "11:00", "end": "10:00"}]})
    assert wrong.status_code == 422 and any(k.startswith("weekly.0") for k in wrong.get_json()["errors"])
    assert preview(api, "cln_missing", body).status_code == 404
