"""A slot finder's deep link (from the $bulk-publish Slot files) opens the booking page with the time held, or
says kindly that it has gone and shows the next open times."""
from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.pageutil import (
    PRACTICE,
    book_by_api,
    bookable_clinician,
    booking_state,
    norm,
    time_text,
)
from tests.support import api
from tests.support.system import http

pytestmark = pytest.mark.e2e
LA = "America/Los_Angeles"
DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"


def published_free_slots(site, clinician_id: str) -> list[dict]:
    """The clinician's free Slots as a slot finder reads them: manifest, then every Slot file."""
    status, manifest, _ = http("GET", site.url("availability", "/$bulk-publish"))
    assert status == 200, manifest
    schedule = f"Schedule/{clinician_id.replace('_', '-')}"
    found = []
    for item in manifest["output"]:
        if item["type"] != "Slot":
            continue
        with urllib.request.urlopen(item["url"], timeout=15) as answer:
            text = answer.read().decode()
        for line in text.splitlines():
            slot = json.loads(line)
            if slot["schedule"]["reference"] == schedule and slot["status"] == "free":
                found.append(slot)
    return found


def link_of(slot: dict) -> str:
    return next(e["valueUrl"] for e in slot["extension"] if e["url"] == DEEP_LINK)


def test_a_published_deep_link_holds_its_time_at_once_and_books_it(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Linh Deeplink", weekly=api.ALL_WEEK)
    slot = published_free_slots(site, clinician["id"])[3]
    page, step = page_factory(zone=LA)

    page.goto(link_of(slot) + "&source=finder-abc")

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".held__label")).to_have_text("Your call with Dr Linh Deeplink")
    assert time_text(slot["start"], LA) in norm(page.locator(".held__clock").inner_text())
    assert "clinician=" not in page.url and "source=finder-abc" in page.url, "a reload does not hold it again"
    assert api.wait_for_slots(site, clinician["id"], absent={slot["start"]}), \
        "the time is held (availability learns of the hold by an event, within seconds)"
    step("held-from-a-deep-link")

    page.get_by_label("Your name").fill("Sam Linked")
    page.get_by_label("Email").fill("sam.linked@client.test")
    page.get_by_role("checkbox", name=re.compile("may contact me")).check()
    page.get_by_role("button", name="Confirm my booking").click()
    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    found = re.search(r"#/manage/([^?]+)\?token=([^&]+)$",
                      page.get_by_role("link", name="Manage your booking").get_attribute("href"))
    booking = booking_state(site, found.group(1), found.group(2))
    assert (booking["status"], booking["clinician_id"]) == ("confirmed", clinician["id"])
    assert datetime.fromisoformat(booking["start"]) == datetime.fromisoformat(slot["start"])
    step("booked-from-a-deep-link")


def test_a_deep_link_to_a_time_just_taken_says_so_kindly_and_shows_the_next_times(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Gone Already", weekly=api.ALL_WEEK)
    slots = published_free_slots(site, clinician["id"])
    taken = slots[2]
    book_by_api(site, clinician["id"], taken["start"], "first@client.test")
    page, step = page_factory(zone=LA)

    page.goto(link_of(taken))

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("has just been taken")
    expect(alert).to_contain_text("Here are Dr Gone Already's next open times")
    expect(page.get_by_role("heading", name="Choose a time with Dr Gone Already")).to_be_visible()
    expect(page.locator("button.slot").first).to_be_visible()
    shown = {b.get_attribute("data-start") for b in page.locator("button.slot").all()}
    # The day shown is the taken time's: late in the clinician's day the next free slot (slots[3]) may be
    # tomorrow's, so the check is that only other published free times are offered (CI failed at 16:15 UTC).
    assert shown and taken["start"] not in shown
    assert shown <= {s["start"] for s in slots} - {taken["start"]}, (shown, taken["start"])
    step("deep-link-gone")


HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour Therapy</title></head>
<body style="margin:0;font-family:sans-serif"><header><h1>Harbour Therapy</h1></header>
<main><p>Our practice's own site.</p>
<div id="booking"></div>
<script src="/embed.js" async data-target="#booking" {extra}></script></main>
<footer><p id="after">Find us on the harbour.</p></footer></body></html>"""


def embedded(site, page, extra: str = ""):
    """The practice's own page (served to the browser at the booking origin, which frame-ancestors 'self'
    admits) with the documented snippet; returns the booking page's frame once it has loaded."""
    host = site.url("booking", f"/practice-site-{len(extra)}.html")
    page.route(host, lambda route: route.fulfill(status=200, content_type="text/html",
                                                 body=HOST_PAGE.format(extra=extra)))
    page.goto(host)
    expect(page.locator("iframe[data-attune-booking]")).to_have_count(1)
    frame = page.frame_locator("iframe[data-attune-booking]")
    expect(frame.locator("#step-title")).to_be_visible()
    return frame


def settles(page, seconds: float = 5) -> bool:
    """The frame comes to fit its page (its height eases for 150 ms, later on a loaded host)."""
    for _ in range(int(seconds * 10)):
        if fits(page):
            return True
        page.wait_for_timeout(100)
    return fits(page)


def fits(page) -> bool:
    """The frame is exactly as tall as the booking page's content: no scroll bar inside, no gap below."""
    inner = next(f for f in page.frames if f != page.main_frame)
    content = inner.evaluate("() => Math.ceil(document.querySelector('.site-footer').getBoundingClientRect().bottom"
                             " + window.scrollY)")
    height = page.locator("iframe[data-attune-booking]").evaluate("el => el.getBoundingClientRect().height")
    return abs(height - content) <= 1


def test_the_embed_snippet_frames_the_booking_page_and_the_frame_follows_its_height(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Ines Embedded", weekly=api.ALL_WEEK)
    page, step = page_factory(zone=LA)

    frame = embedded(site, page)

    expect(frame.locator(".practice__name")).to_have_text(PRACTICE["PRACTICE_NAME"])
    expect(frame.get_by_role("article").filter(has_text="Dr Ines Embedded")).to_be_visible()
    page.wait_for_function("() => document.querySelector('iframe[data-attune-booking]').style.height !== '720px'")
    assert settles(page)
    before = page.locator("iframe[data-attune-booking]").evaluate("el => el.getBoundingClientRect().height")
    step("embedded-directory")

    frame.get_by_role("button", name="See open times with Dr Ines Embedded").click()
    expect(frame.get_by_role("heading", name="Choose a time with Dr Ines Embedded")).to_be_visible()
    page.wait_for_function(f"() => document.querySelector('iframe[data-attune-booking]')"
                           f".getBoundingClientRect().height !== {before}")
    assert settles(page)
    expect(page.locator("#after")).to_be_visible()
    step("embedded-times")
    assert clinician["id"]


def test_the_embed_snippet_can_open_at_one_clinicians_times(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Omar Chosen", weekly=api.ALL_WEEK)
    page, _ = page_factory(zone=LA)

    frame = embedded(site, page, f'data-clinician="{clinician["id"]}"')

    expect(frame.get_by_role("heading", name="Choose a time with Dr Omar Chosen")).to_be_visible()
    expect(frame.locator("button.slot").first).to_be_visible()
