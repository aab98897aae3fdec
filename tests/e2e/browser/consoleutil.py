"""Helpers for driving the practice console: accounts made by API, sign-in, views, wall times."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support import infra
from tests.support.system import http, wait_until

ZONE = "America/New_York"
PASSWORD = "quiet-harbour-lantern-42"
SERVICES = ("availability", "booking", "notifications", "staff")
SESSION_KEY = "attune.console.session"


def account(system, role: str, clinician_id: str | None = None, name: str | None = None) -> dict:
    email = f"{role}-{infra.rand(5)}@console.test"
    body = {"email": email, "name": name or f"{role.title()} {infra.rand(4).title()}", "role": role,
            "clinician_id": clinician_id, "password": PASSWORD}
    status, made, _ = http("POST", system.url("staff", "/v1/accounts"), body, system.token)
    assert status == 201, made
    return made


def sign_in(page, system, email: str) -> None:
    page.goto(system.url("staff", "/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    fill_sign_in(page, email)
    expect(page.get_by_role("navigation", name="Console sections")).to_be_visible()


def fill_sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def session(page) -> dict:
    """The session the console keeps in the tab (token, expires_at, account)."""
    return page.evaluate(f"() => JSON.parse(sessionStorage.getItem({SESSION_KEY!r}) || 'null')")


def both_widths(page, step, name: str) -> None:
    """The view at 1280, 1024 and 390 px: a screenshot each, axe-core at 1280 and 390, never wider than the screen."""
    for width in (1280, 1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        path = step(f"{name}-{width}", axe=width != 1024)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} at {width} px is {overflow} px wider than the screen"
    page.set_viewport_size({"width": 1280, "height": 900})
    print(f"console screenshots: {path.parent}")


def view(page, name: str, heading: str) -> None:
    page.get_by_role("navigation", name="Console sections").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def wall(local: str) -> str:
    """An ISO instant of a wall time in ZONE."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(ZONE)).astimezone(ZoneInfo("UTC")).isoformat()


def book(system, clinician_id: str, start: str, name: str) -> dict:
    """Booked by staff; a 422 first is fine (booking learns a new clinician's schedule by an event)."""
    answer: list = []

    def accepted() -> bool:
        answer[:] = http("POST", system.url("booking", "/v1/bookings"),
                         {"clinician_id": clinician_id, "start": start, "client": {"name": name}}, system.token)
        return answer[0] != 422

    wait_until(accepted, 15)
    st, booked, _ = answer
    assert st == 201, booked
    return booked
