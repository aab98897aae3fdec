"""The malformed inputs first found against the booking service, on real resources: each a 4xx problem."""
from __future__ import annotations

import pytest
from booking_support import at, bearer

from shared.clock import isoformat

pytestmark = pytest.mark.integration
ADMIN = bearer("test-admin-Vq8xK2pLm9RzW4nY7c")


def assert_problem(res, status: int, field: str | None = None) -> None:
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:300])
    assert res.mimetype == "application/problem+json"
    if field:
        assert field in res.json.get("errors", {}), res.json


def test_times_at_the_ends_of_the_calendar_are_refused_by_name_not_failed_on(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))
    manage = bearer(made["manage_token"])

    assert_problem(booking.http.post("/v1/holds", json={"clinician_id": cid, "start": "0001-01-01T00:00:00+14:00"}),
                   422, "start")
    assert_problem(booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": "9999-12-31T23:45Z"},
                                     headers=manage), 422, "start")
    assert_problem(booking.http.get(f"/v1/bookings?clinician_id={cid}&date=9999-12-31", headers=ADMIN), 422, "date")
    assert booking.http.get(f"/v1/bookings/{made['id']}", headers=manage).json["start"] == made["start"]


def test_tzdata_folder_names_are_not_time_zones_anywhere_in_booking(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "11:00")).json

    for folder in ("America", "Europe", "Pacific"):
        assert_problem(booking.confirm(hold, client={"name": "Ada", "email": "ada@example.org", "time_zone": folder}),
                       422, "client.time_zone")
        assert_problem(booking.http.get(f"/v1/bookings?clinician_id={cid}&date=2026-03-02&tz={folder}",
                                        headers=ADMIN), 422, "tz")
        assert_problem(booking.http.post("/v1/contact-requests", json={
            "name": "Sam", "email": "s@example.org", "time_zone": folder, "consent": True,
            "preferred_times": [{"weekday": "mon", "start": "09:00", "end": "10:00"}]}), 422, "time_zone")


def test_deep_json_huge_integers_and_lone_surrogates_are_bad_requests(booking):
    cid = booking.clinician()
    start = isoformat(at(0, "12:00"))
    head = f'{{"clinician_id": "{cid}", "start": "{start}", "session": '
    deep, huge, lone = head + "[" * 1000 + "]" * 1000 + "}", head + "1" * 4301 + "}", head + '"s\\ud800"}'

    for body in (deep, huge, lone):
        assert_problem(booking.http.post("/v1/holds", data=body, content_type="application/json"), 400)
    assert booking.events("booking.held") == [], "nothing was half-written"
