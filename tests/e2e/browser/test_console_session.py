"""The console's session in Chromium against services whose staff sessions last one minute
(STAFF_SESSION_MINUTES=1): renewed before it runs out, and a session that did run out (a laptop asleep)
brings back the sign-in form with a kind word, then the view the person was in."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import _start
from tests.e2e.browser.consoleutil import ZONE, account, fill_sign_in, session, sign_in, view
from tests.support.system import http

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    system = _start(tmp_path_factory, "console-brief", {"STAFF_SESSION_MINUTES": "1"},
                    services=("availability", "booking", "staff"))
    yield system
    system.stop()


def seconds_left(answer: dict) -> float:
    return datetime.fromisoformat(answer["expires_at"]).timestamp() - time.time()


def current(system, token: str) -> int:
    return http("GET", system.url("staff", "/v1/sessions/current"), token=token)[0]


def test_the_console_renews_a_short_session_in_time_and_one_that_ran_out_asks_kindly_to_sign_in_again(
        brief, page_factory):
    person = account(brief, "staff", name="Rene Renewal")
    awake, _ = page_factory(zone=ZONE)
    asleep, step = page_factory(zone=ZONE)
    asleep.clock.install()  # its timers stop while it "sleeps", as a closed laptop's do
    for page in (awake, asleep):
        sign_in(page, brief, person["email"])
        view(page, "Clinicians", "Clinicians")
    first, dozing = session(awake), session(asleep)
    assert 50 < seconds_left(first) <= 60, "a one-minute session"
    asleep.clock.pause_at(datetime.now() + timedelta(seconds=1))
    slept_from = time.time()

    awake.wait_for_function("t => JSON.parse(sessionStorage.getItem('attune.console.session')).token !== t",
                            arg=first["token"], timeout=seconds_left(first) * 1000)
    renewed = session(awake)
    assert seconds_left(renewed) > seconds_left(first) + 10, "renewed before it ran out, for another minute"
    assert (current(brief, first["token"]), current(brief, renewed["token"])) == (401, 200), "the old token is revoked"
    time.sleep(max(0.0, seconds_left(first) + 3))  # past the first token's end: the console stays signed in
    expect(awake.get_by_role("heading", level=1, name="Clinicians")).to_be_visible()
    view(awake, "Agenda", "Agenda")
    assert awake.get_by_role("heading", name="Sign in").count() == 0

    time.sleep(max(0.0, seconds_left(dozing) + 2))
    assert current(brief, dozing["token"]) == 401
    asleep.clock.fast_forward(int((time.time() - slept_from) * 1000))  # the laptop opens: its timers run again
    asleep.clock.resume()
    expect(asleep.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(asleep.get_by_role("status").filter(has_text=re.compile("Your session expired"))).to_contain_text(
        "Sign in again to carry on where you were")
    expect(asleep.get_by_role("navigation", name="Console sections")).to_be_hidden()
    expect(asleep.get_by_label("Email")).to_be_focused()
    step("expired-sign-in")
    fill_sign_in(asleep, person["email"])
    expect(asleep.get_by_role("heading", level=1, name="Clinicians")).to_be_visible()  # where they were
