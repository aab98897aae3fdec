"""STAFF_SESSION_MINUTES: how long a staff session (and a renewed one) lasts."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from shared import auth
from tests.integration.staff.conftest import NOW, SECRET

pytestmark = pytest.mark.integration


def test_sessions_and_their_renewals_last_as_long_as_staff_session_minutes_says(api, accounts, clock, staff):
    staff.settings = dataclasses.replace(staff.settings, staff_session_minutes=5)
    session = accounts.sign_in(accounts.create())
    clock.advance(minutes=4)

    renewed = api.post("/v1/sessions/current/renew", headers=accounts.bearer(session)).get_json()

    assert datetime.fromisoformat(session["expires_at"]) == NOW + timedelta(minutes=5)
    assert datetime.fromisoformat(renewed["expires_at"]) == NOW + timedelta(minutes=9)
    assert auth.verify(SECRET, renewed["token"], NOW + timedelta(minutes=8, seconds=59))
    with pytest.raises(auth.InvalidSession):
        auth.verify(SECRET, renewed["token"], NOW + timedelta(minutes=9))
