"""Issue 15's clarity in a real browser: how the call happens on every page, the earliest time with anyone who
fits, the practice's contact, one language in a German browser, and a manage link that survives a bookmark."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import _start
from tests.e2e.browser.pageutil import bookable_clinician, day_text, norm, time_text
from tests.support import api
from tests.support.system import http, wait_until

pytestmark = pytest.mark.e2e
LA = "America/Los_Angeles"
PHONE = "+1 206 555 0142"
EMAIL = "hello@practice.test"
GERMAN = re.compile(r"\b(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Januar|Februar|März|Mai|Juni|"
                    r"Juli|Oktober|Dezember|Uhr|Mo\.|Di\.|Mi\.|Do\.|Fr\.|Sa\.|So\.)")


@pytest.fixture(scope="module")
def clear_site(tmp_path_factory, smtp):
    """One system for this module: the practice's phone and email set, mail caught by the SMTP sink."""
    system = _start(tmp_path_factory, "browser-clarity", {
        "HOLD_TTL_SECONDS": "600", "SMTP_URL": smtp.url, "PRACTICE_INBOX": "practice@clarity.test",
        "PRACTICE_PHONE": PHONE, "PRACTICE_EMAIL": EMAIL, "PRACTICE_LOCALE": "en-US"})
    yield system
    system.stop()


@pytest.fixture(scope="module")
def clinicians(clear_site):
    """A clinician who phones (mbt, adults) and one on video (ddp, children): each the only one of their kind."""
    phone = bookable_clinician(clear_site, name="Dr Pia Phone", weekly=api.ALL_WEEK, modalities=["mbt"],
                               populations=["adults"], call={"method": "phone"})
    video = bookable_clinician(clear_site, name="Dr Vic Video", weekly=api.ALL_WEEK, modalities=["ddp"],
                               populations=["children"], call={"method": "video"})
    return {"phone": phone, "video": video}


def directory(system, **query) -> list[dict]:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    st, body, _ = http("GET", system.url("availability", f"/v1/directory?{q}"))
    assert st == 200, body
    return body["clinicians"]


def test_the_earliest_time_with_anyone_who_fits_books_a_phone_call_that_every_page_explains(
        clear_site, clinicians, page_factory, browser, smtp):
    site = clear_site
    page, step = page_factory(zone=LA)
    page.goto(site.url("booking", "/"))
    footer = page.locator(".site-footer [data-practice-contact]")
    expect(footer).to_contain_text(f"call {PHONE}")
    expect(footer).to_contain_text(f"email {EMAIL}")
    expect(page.locator("[data-call-method=phone]").first).to_contain_text("Dr Pia Phone calls you")
    expect(page.get_by_role("article").filter(has_text="Dr Vic Video")).to_contain_text("By video")

    page.get_by_label("Kind of help").select_option("mbt")
    page.get_by_role("button", name="Show clinicians").click()
    expect(page.get_by_role("article").filter(has_text="Dr Vic Video")).to_have_count(0)
    [listed] = directory(site, modality="mbt", accepting="true")
    earliest = page.locator("[data-earliest]")
    expect(earliest).to_contain_text("The earliest time with anyone who fits")
    assert f"{day_text(listed['next_available'], LA)}, {time_text(listed['next_available'], LA)}, with Dr Pia Phone" \
        in norm(earliest.inner_text())
    step("earliest-time")

    page.get_by_role("button", name=re.compile("Book the earliest time")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".held__label")).to_have_text("Your call with Dr Pia Phone")
    expect(page.locator(".held__how")).to_have_text("Dr Pia Phone will call you at the phone number you give below.")
    expect(page.get_by_label("Phone")).to_have_attribute("aria-required", "true")
    page.get_by_label("Your name").fill("Robin Caller")
    page.get_by_label("Email").fill("robin.caller@client.test")
    page.get_by_role("checkbox", name=re.compile("may contact me")).check()
    page.get_by_role("button", name="Confirm my booking").click()
    expect(page.locator("#phone-error")).to_contain_text("Please give a phone number")
    page.get_by_label("Phone").fill("+1 212 555 0199")
    expect(page.locator(".held__how")).to_have_text("Dr Pia Phone will call you at +1 212 555 0199.")
    step("details-phone-required")

    with page.expect_download() as download:
        page.get_by_role("button", name="Confirm my booking").click()
        expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
        expect(page.locator(".booked__how")).to_have_text("Dr Pia Phone will call you at +1 212 555 0199.")
        page.locator("[data-ics]").click()
    ics = Path(download.value.path()).read_text().replace("\r\n ", "")
    assert "LOCATION:Phone call: Dr Pia Phone calls you at +1 212 555 0199" in ics
    assert "Dr Pia Phone will call you at +1 212 555 0199." in ics.replace("\\", "")
    step("booked-by-phone")

    link = page.locator("[data-manage-link]").get_attribute("href")
    assert "#/manage/" in link and "token=" in link.split("#", 1)[1], "the token travels in the fragment only"
    bookmark = browser.new_context(timezone_id=LA, locale="en-US")  # a new tab of its own: no session storage
    try:
        later = bookmark.new_page()
        later.goto(link)
        expect(later.get_by_role("heading", name="Your booking")).to_be_visible()
        expect(later.locator(".summary")).to_contain_text("Dr Pia Phone will call you at +1 212 555 0199.")
        assert later.url == link, "the address keeps the token: bookmarking it keeps the way back"
        later.reload()
        expect(later.locator(".badge")).to_have_text("Confirmed")
    finally:
        bookmark.close()

    mails = wait_until(lambda: smtp.to("robin.caller@client.test"), 30)
    assert mails and "will call you at +1 212 555 0199" in str(mails[0]), "the email says it too"


def test_a_video_call_shows_its_own_link_on_the_confirmation_and_the_manage_page(
        clear_site, clinicians, page_factory, smtp):
    site, who = clear_site, clinicians["video"]
    start = sorted(api.slot_starts(site, clinician_id=who["id"]))[3]
    page, step = page_factory(zone=LA)
    page.goto(site.url("booking", f"/?clinician={who['id']}&start={start}"))
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".held__how")).to_contain_text("By video: the link to join comes with your confirmation")
    expect(page.get_by_label(re.compile("^Phone"))).not_to_have_attribute("aria-required", "true")
    page.get_by_label("Your name").fill("Vera Viewer")
    page.get_by_label("Email").fill("vera.viewer@client.test")
    page.get_by_role("checkbox", name=re.compile("may contact me")).check()
    page.get_by_role("button", name="Confirm my booking").click()
    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    video = page.locator(".booked__how [data-video-link]")
    url = video.get_attribute("href")
    assert url.startswith("https://meet.jit.si/attune-")
    expect(page.locator(".booked__how")).to_have_text(f"Join by video: {url}")
    step("booked-by-video")

    page.locator("[data-manage-link]").click()
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    expect(page.locator(".summary [data-video-link]")).to_have_attribute("href", url)
    mails = wait_until(lambda: smtp.to("vera.viewer@client.test"), 30)
    assert mails and url in str(mails[0]), "the email gives the same link"


def test_a_german_browser_reads_one_language_and_error_pages_name_the_practices_contact(
        clear_site, clinicians, browser):
    site = clear_site
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    try:
        page = context.new_page()
        page.goto(site.url("booking", "/"))
        card = page.get_by_role("article").filter(has_text="Dr Pia Phone")
        expect(card.locator(".next")).not_to_have_text("")
        [listed] = directory(site, modality="mbt", accepting="true")
        shown = norm(card.locator(".next").inner_text())
        assert shown == f"{day_text(listed['next_available'], 'Europe/Berlin')}, " \
                        f"{time_text(listed['next_available'], 'Europe/Berlin')}", shown
        card.get_by_role("button", name=re.compile("See open times")).click()
        expect(page.locator("button.slot").first).to_be_visible()
        text = page.locator("main").inner_text()
        assert not GERMAN.search(text), GERMAN.search(text)
        assert page.evaluate("document.documentElement.lang") == "en"

        page.goto(site.url("booking", "/#/manage/no-such-booking?token=not-the-key"))
        expect(page.get_by_role("heading", name="We couldn't open this booking")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text(f"call {PHONE} or email {EMAIL}")
    finally:
        context.close()
