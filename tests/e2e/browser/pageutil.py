"""Helpers for driving the booking page: keyboard travel, times as the page shows them, API checks."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support import api, infra
from tests.support.system import http

PRACTICE = {"PRACTICE_NAME": "Secure Base Counselling",
            "CRISIS_NOTICE": "If you are in crisis, call or text 988 in the US, or your local emergency number.",
            "BRAND_COLOR": "#2f6f62"}


def bookable_clinician(system, **over) -> dict:
    """A clinician whose slots are listed and whom booking accepts holds for (booking's view of the
    schedule can lag availability's by a moment)."""
    over.setdefault("name", f"Dr Rowan {infra.rand(4).title()}")
    clinician = api.make_clinician(system, **over)
    assert api.wait_for_slots(system, clinician["id"]), "the new clinician's slots appear"
    probe = max(api.slot_starts(system, clinician_id=clinician["id"]))
    st, held, _ = api.hold_when_ready(system, clinician["id"], probe, timeout=30)
    assert st == 201, f"booking never accepted a hold for the new clinician: {st} {held}"
    assert http("DELETE", system.url("booking", f"/v1/holds/{held['id']}"), token=held["token"])[0] == 204
    assert api.wait_for_slots(system, clinician["id"], present={probe}), "the probe hold's slot opens again"
    return clinician


def book_by_api(system, clinician_id: str, start: str, email: str) -> dict:
    st, held, _ = api.hold_when_ready(system, clinician_id, start)
    assert st == 201, held
    st, booking, _ = api.confirm(system, held, {"name": "Robin Example", "email": email})
    assert st == 201, booking
    return booking


def booking_state(system, booking_id: str, token: str) -> dict:
    st, body, _ = api.booking_call(system, "GET", booking_id, token=token)
    assert st == 200, body
    return body


def tab_to(page, locator, limit: int = 400, key: str = "Tab") -> int:
    """Presses Tab until `locator` has the focus; returns how many presses it took."""
    target = locator.element_handle()
    for n in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate("el => document.activeElement === el", target):
            return n
    raise AssertionError(f"{limit} presses of {key} never reached {locator}")


def focused(page) -> str:
    return norm(page.evaluate("() => document.activeElement && document.activeElement.textContent") or "")


def has_focus(locator) -> bool:
    return locator.evaluate("el => document.activeElement === el")


def norm(text: str) -> str:
    """ICU puts narrow no-break spaces in times ("9:00 AM"); compare plain spaces."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text).strip()


def _local(iso: str, zone: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))


def time_text(iso: str, zone: str) -> str:
    """As en-US Intl shows it: 9:00 AM."""
    t = _local(iso, zone)
    return f"{t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"


def day_text(iso: str, zone: str) -> str:
    """As en-US Intl shows it: Monday, November 23."""
    t = _local(iso, zone)
    return f"{t:%A}, {t:%B} {t.day}"


def local_date(iso: str, zone: str) -> str:
    return _local(iso, zone).date().isoformat()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: content {width[0]} px in a {width[1]} px window"


def slot_starts_shown(page) -> list[str]:
    return page.locator("button.slot").evaluate_all("els => els.map(e => e.dataset.start)")


def fullest_day(page):
    """The day button with the most open times (today may have only a few left)."""
    page.locator("button.day-btn").first.wait_for()
    counts = page.locator("button.day-btn .day-btn__count").evaluate_all(
        "els => els.map(e => parseInt(e.textContent, 10))")
    return page.locator("button.day-btn").nth(counts.index(max(counts)))
