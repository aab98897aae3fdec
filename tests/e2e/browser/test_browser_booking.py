"""A client books a consultation call in a real browser: keyboard alone, on a phone, a slot someone else
takes first, a hold that runs out."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.pageutil import (
    PRACTICE,
    bookable_clinician,
    booking_state,
    day_text,
    fullest_day,
    has_focus,
    no_sideways_scroll,
    norm,
    slot_starts_shown,
    tab_to,
    time_text,
)
from tests.support import api
from tests.support.system import wait_until

pytestmark = pytest.mark.e2e
LA = "America/Los_Angeles"


def test_a_client_books_a_call_with_the_keyboard_alone_and_gets_a_calendar_file_and_a_manage_link(
        site, smtp, page_factory):
    bookable_clinician(site, name="Dr Maya Keyboard", weekly=api.ALL_WEEK, modalities=["eft"],
                              populations=["couples"], languages=["en", "es"], credentials="PhD, LMFT",
                              bio="Helps couples feel safe with each other again.")
    other = bookable_clinician(site, name="Sam Otherwise", modalities=["ddp"], populations=["children"],
                               languages=["en"])
    page, step = page_factory(zone=LA)
    page.goto(site.url("booking", "/"))
    card = page.get_by_role("article").filter(has_text="Dr Maya Keyboard")
    expect(card).to_be_visible()
    expect(page.locator("[data-crisis-notice]")).to_have_text(PRACTICE["CRISIS_NOTICE"])
    expect(page.locator(".practice__name")).to_have_text(PRACTICE["PRACTICE_NAME"])
    expect(page.get_by_label("Times are shown in your time zone")).to_have_value(LA)
    expect(card).to_contain_text("Emotionally Focused Therapy (EFT)")  # the taxonomy's label, not the code
    expect(card).to_contain_text("English and Spanish")
    expect(card).to_contain_text("PhD, LMFT")
    step("find-a-clinician")

    tab_to(page, page.get_by_label("Kind of help"))
    page.keyboard.type("Emotionally")
    tab_to(page, page.get_by_label("Language"))
    page.keyboard.type("Spanish")
    expect(page.get_by_label("Kind of help")).to_have_value("eft")
    expect(page.get_by_label("Language")).to_have_value("es")
    tab_to(page, page.get_by_role("button", name="Show clinicians"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("article").filter(has_text=other["name"])).to_have_count(0)
    expect(card).to_be_visible()
    step("filtered")

    tab_to(page, page.get_by_role("button", name="See open times with Dr Maya Keyboard"))
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Choose a time with Dr Maya Keyboard")
    expect(heading).to_be_focused()
    day = fullest_day(page)
    tab_to(page, day)
    page.keyboard.press("Enter")
    expect(day).to_have_attribute("aria-pressed", "true")
    first = page.locator("button.slot").first
    expect(first).to_be_visible()
    start = first.get_attribute("data-start")
    assert norm(first.inner_text()) == time_text(start, LA), "slot times are in the browser's zone"
    expect(page.locator(".day__title").first).to_contain_text(day_text(start, LA))
    step("choose-a-time")

    tab_to(page, first)
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Your details")).to_be_focused()
    countdown = page.locator(".countdown__time")
    expect(countdown).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    expect(page.locator("[aria-live=polite]").filter(has_text="held for you")).to_have_count(1)
    step("your-details")

    tab_to(page, page.get_by_label("Your name"))
    page.keyboard.type("Robin Keys")
    page.keyboard.press("Tab")
    page.keyboard.type("robin-at-example")
    tab_to(page, page.get_by_label("What brings you here?"))
    page.keyboard.type("We keep having the same argument.")
    tab_to(page, page.get_by_role("checkbox", name=re.compile("may contact me")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Confirm my booking"))
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    error = page.locator("#email-error")
    expect(error).to_contain_text("email")
    assert "email-error" in email.get_attribute("aria-describedby"), "the message is tied to the field"
    step("a-mistake-in-the-email")

    tab_to(page, summary.get_by_role("link"))
    page.keyboard.press("Enter")
    assert has_focus(email), "the summary's link takes the keyboard to the field at fault"
    page.keyboard.press("Control+A")
    page.keyboard.type("robin.keys@client.test")
    tab_to(page, page.get_by_role("button", name="Confirm my booking"))
    page.keyboard.press("Enter")
    booked = page.get_by_role("heading", name="You're booked in")
    expect(booked).to_be_focused()
    expect(page.locator(".booked__time")).to_contain_text(time_text(start, LA).split(" ")[0])
    assert time_text(start, LA) in norm(page.locator(".booked__time").inner_text())
    expect(page.locator(".booked__zone")).to_contain_text("Los Angeles")
    step("booked")

    ics_link = page.get_by_role("link", name="Add to calendar")
    tab_to(page, ics_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    ics = download.value.path().read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in ics and "BEGIN:VEVENT" in ics
    assert f"DTSTART:{start.replace('-', '').replace(':', '')}" in ics
    manage = page.get_by_role("link", name="Manage your booking")
    href = manage.get_attribute("href")
    found = re.search(r"#/manage/([^?]+)\?token=([^&]+)$", href)
    assert found, href
    state = booking_state(site, found.group(1), found.group(2))
    assert (state["status"], state["start"], state["client"]["email"]) == ("confirmed", start, "robin.keys@client.test")

    tab_to(page, manage)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your booking")).to_be_focused()
    expect(page.locator(".badge")).to_have_text("Confirmed")
    expect(page.locator("[data-when]")).to_contain_text(day_text(start, LA).split(",")[1].strip())
    assert "?token=" not in page.url.split("#", 1)[0], "the manage token never reaches a query string"
    assert "token=" in page.url.split("#", 1)[1], "it stays in the fragment, so a bookmark keeps it"
    step("manage-link")


def test_on_a_375px_phone_the_page_fits_and_a_booking_can_be_made_in_another_zone(site, smtp, page_factory):
    clinician = bookable_clinician(site, name="Dr Noor Phone", weekly=api.ALL_WEEK, languages=["en", "ar"])
    page, step = page_factory(width=375, height=812, zone="Europe/Berlin", mobile=True)
    page.goto(site.url("booking", "/"))
    card = page.get_by_role("article").filter(has_text="Dr Noor Phone")
    expect(card).to_be_visible()
    no_sideways_scroll(page)
    step("clinicians-375")

    page.get_by_label("Times are shown in your time zone").select_option("Asia/Tokyo")
    card.get_by_role("button", name="See open times").tap()
    expect(page.get_by_role("heading", name="Choose a time with Dr Noor Phone")).to_be_visible()
    fullest_day(page).tap()
    slot = page.locator("button.slot").nth(2)
    start = slot.get_attribute("data-start")
    assert norm(slot.inner_text()) == time_text(start, "Asia/Tokyo"), "times follow the chosen zone"
    expect(page.locator(".hint").first).to_contain_text("Tokyo")
    no_sideways_scroll(page)
    box = slot.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 44, box
    step("times-in-tokyo-375")

    slot.tap()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("Your name").fill("Noor Client")
    page.get_by_label("Email").fill("noor@client.test")
    page.get_by_label("Phone").fill("+49 30 1234567")
    page.get_by_role("checkbox", name=re.compile("may contact me")).check()
    no_sideways_scroll(page)
    step("details-375")
    page.get_by_role("button", name="Confirm my booking").tap()
    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    assert time_text(start, "Asia/Tokyo") in norm(page.locator(".booked__time").inner_text())
    no_sideways_scroll(page)
    for button in page.locator(".step a.btn, .step button").all():
        b = button.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 375, f"{button.inner_text()} sticks out: {b}"
    step("booked-375")
    assert api.wait_for_slots(site, clinician["id"], absent={start}), "the booked time leaves the list"
    mail = wait_until(lambda: smtp.to("noor@client.test"), 20)
    assert mail, "the confirmation email arrives"
    tokyo = datetime.fromisoformat(start).astimezone(ZoneInfo("Asia/Tokyo"))
    clock = f"{tokyo.hour % 12 or 12}:{tokyo:%M} {'AM' if tokyo.hour < 12 else 'PM'}"  # PRACTICE_LOCALE en-US
    assert clock in mail[0]["Subject"] and "JST" in mail[0]["Subject"], \
        f"the email speaks the zone the client chose on the page: {mail[0]['Subject']}"


def test_a_time_someone_else_takes_first_is_explained_and_gone_from_the_list(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Ada Popular")
    page, step = page_factory(zone="America/New_York")
    page.goto(site.url("booking", "/"))
    page.get_by_role("button", name="See open times with Dr Ada Popular").click()
    fullest_day(page).click()
    target = page.locator("button.slot").nth(3)
    start = target.get_attribute("data-start")
    step("times-listed")

    st, body, _ = api.hold(site, clinician["id"], start, headers={"X-Hold-Session": "someone-else"})
    assert st == 201, body
    target.click()
    notice = page.get_by_role("alert").filter(has_text="Someone else just took that time")
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(page.get_by_role("heading", name="Choose a time with Dr Ada Popular")).to_be_visible()
    expect(page.locator("button.slot").first).to_be_visible()
    assert start not in slot_starts_shown(page), "the taken time is no longer offered"
    step("told-it-was-taken")


def test_a_hold_that_runs_out_is_explained_and_the_client_is_back_at_the_times(short_hold_site, page_factory):
    clinician = bookable_clinician(short_hold_site, name="Dr Tess Brief")
    page, step = page_factory(zone="Australia/Sydney")
    page.goto(short_hold_site.url("booking", "/"))
    page.get_by_role("button", name="See open times with Dr Tess Brief").click()
    fullest_day(page).click()
    slot = page.locator("button.slot").nth(1)
    start = slot.get_attribute("data-start")
    slot.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".countdown__time")).to_have_text(re.compile(r"^0:0[0-5]$"))
    page.get_by_label("Your name").fill("Kit Slow")
    step("held-for-five-seconds")

    notice = page.get_by_role("alert").filter(has_text="Your hold ran out")
    expect(notice).to_be_visible(timeout=20000)
    expect(notice).to_contain_text("nothing was booked")
    expect(page.get_by_role("heading", name="Choose a time with Dr Tess Brief")).to_be_visible()
    expect(page.locator("button.slot").first).to_be_visible()
    step("hold-ran-out")
    assert api.wait_for_slots(short_hold_site, clinician["id"], present={start}, timeout=20), \
        "the released time is open to others again"
    st, _, _ = api.hold(short_hold_site, clinician["id"], start)
    assert st == 201, "someone else can now hold the expired time"
