"""In a real browser: a contact request when no time suits; moving and cancelling a booking through the
private link the confirmation email carries."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.pageutil import (
    book_by_api,
    bookable_clinician,
    booking_state,
    day_text,
    fullest_day,
    local_date,
    slot_starts_shown,
)
from tests.support import api
from tests.support.system import http, wait_until

pytestmark = pytest.mark.e2e


def test_a_client_for_whom_no_time_suits_leaves_a_contact_request_and_is_told_what_happens_next(
        site, page_factory):
    clinician = bookable_clinician(site, name="Dr June Evening", modalities=["abft"], populations=["families"])
    page, step = page_factory(zone="America/Chicago")
    page.goto(site.url("booking", "/"))
    page.get_by_label("Kind of help").select_option("abft")
    page.get_by_role("button", name="Show clinicians").click()
    page.get_by_role("button", name="See open times with Dr June Evening").click()
    page.get_by_role("link", name="Tell us when suits you").last.click()
    expect(page.get_by_role("heading", name="Tell us when suits you")).to_be_focused()
    expect(page.get_by_label("Who would you like to talk to?")).to_have_value(clinician["id"])
    step("contact-form")

    page.get_by_role("button", name="Send my request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#cr-name-error")).to_contain_text("Please tell us your name")
    expect(page.get_by_label("Your name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cr-days-error")).to_contain_text("Please choose at least one day")
    expect(page.locator("#cr-consent-error")).to_be_visible()
    step("contact-form-needs-more")

    page.get_by_label("Your name").fill("Alex Family")
    page.get_by_role("checkbox", name="Tuesday").check()
    page.get_by_role("checkbox", name="Thursday").check()
    page.get_by_label("From", exact=True).fill("17:00")
    page.get_by_label("To", exact=True).fill("19:30")
    page.get_by_role("checkbox", name=re.compile("may contact me")).check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#cr-email-error")).to_contain_text("email address or a phone number")
    expect(page.get_by_label("Your name")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_label("Email").fill("alex.family@client.test")
    page.get_by_label("Anything you'd like us to know?").fill("Evenings are easier with school runs.")
    page.get_by_role("button", name="Send my request").click()
    done = page.get_by_role("heading", name="Thank you, your request is with us")
    expect(done).to_be_focused()
    expect(page.locator(".next-steps")).to_contain_text("we'll let you know by email")
    expect(page.get_by_role("status").filter(has_text="check your email")).to_contain_text("alex.family@client.test")
    reference = page.locator(".mono").inner_text()
    step("contact-request-sent")

    st, body, _ = http("GET", site.url("booking", "/v1/contact-requests"), token=site.token)
    assert st == 200, body
    mine = [r for r in body["contact_requests"] if r["id"] == reference]
    assert len(mine) == 1, body
    request = mine[0]
    assert request["time_zone"] == "America/Chicago"
    assert request["clinician_id"] == clinician["id"] and request["modality"] == "abft"
    assert sorted((p["weekday"], p["start"], p["end"]) for p in request["preferred_times"]) == [
        ("thu", "17:00", "19:30"), ("tue", "17:00", "19:30")]


def _links_in_mail(smtp, email: str) -> dict[str, str]:
    """The confirmation mail's manage links by their action (reschedule, cancel)."""
    mails = wait_until(lambda: smtp.to(email), 30)
    assert mails, f"no confirmation mail reached {email}"
    for part in mails[0].walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            links = re.findall(r"https?://\S+#/manage/[^\s\"'<>]+", text)
            return {re.search(r"action=(\w+)", link).group(1): link for link in links if "action=" in link}
    raise AssertionError("the confirmation mail has no text part")


def test_a_client_moves_and_then_cancels_their_call_through_the_links_in_their_email(site, smtp, page_factory):
    clinician = bookable_clinician(site, name="Dr Lee Flexible", weekly=api.ALL_WEEK)
    starts = sorted(api.slot_starts(site, clinician_id=clinician["id"]))
    booking = book_by_api(site, clinician["id"], starts[1], "lee.client@client.test")
    links = _links_in_mail(smtp, "lee.client@client.test")
    assert {"reschedule", "cancel"} <= set(links), links
    assert links["reschedule"].startswith(site.url("booking", f"/#/manage/{booking['id']}?token=")), links
    zone = "Europe/Paris"
    page, step = page_factory(zone=zone)
    page.goto(links["reschedule"].replace("action=reschedule", "action=none"))
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Confirmed")
    expect(page.locator("[data-when]")).to_contain_text(day_text(starts[1], zone))
    expect(page.locator(".summary")).to_contain_text("Dr Lee Flexible")
    assert "action=" not in page.url, "the email's one-off action leaves the address bar"
    assert "token=" in page.url.split("#", 1)[1], "the token stays in the fragment only (a bookmark keeps it)"
    step("booking-from-the-email-link")

    page.goto(links["reschedule"])
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    expect(page.locator("button.slot").first).to_be_visible()
    page.locator(f'button.day-btn[data-day="{local_date(starts[1], zone)}"]').click()
    shown = slot_starts_shown(page)
    same_day = {s for s in starts[2:] if local_date(s, zone) == local_date(starts[1], zone)}
    assert starts[1] not in shown, "the current time is not offered as a new one"
    assert same_day <= set(shown), "the other open times of that day are"
    step("choose-a-new-time")

    fullest_day(page).click()
    target = page.locator("button.slot").nth(2)
    new_start = target.get_attribute("data-start")
    target.click()
    expect(page.get_by_role("heading", name="Move your call?")).to_be_focused()
    step("confirm-the-move")
    page.get_by_role("button", name="Yes, move my call").click()
    expect(page.get_by_role("heading", name="Your call has moved")).to_be_focused()
    assert booking_state(site, booking["id"], booking["manage_token"])["start"] == new_start
    step("moved")

    page.reload()
    expect(page.locator(".badge")).to_have_text("Confirmed")
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    page.get_by_role("button", name="Cancel this call").click()
    expect(page.get_by_role("heading", name="Cancel your call?")).to_be_focused()
    page.goto(links["cancel"])
    expect(page.get_by_role("heading", name="Cancel your call?")).to_be_visible()
    page.get_by_label("Anything you'd like us to know?").fill("Something came up at work.")
    step("confirm-the-cancellation")
    page.get_by_role("button", name="Yes, cancel my call").click()
    expect(page.get_by_role("heading", name="Your call is cancelled")).to_be_focused()
    expect(page.locator(".badge")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Move to another time")).to_have_count(0)
    state = booking_state(site, booking["id"], booking["manage_token"])
    assert (state["status"], state["cancel_reason"]) == ("cancelled", "Something came up at work.")
    step("cancelled")
    assert api.wait_for_slots(site, clinician["id"], present={new_start}), "the freed time is open again"


def test_a_link_with_a_wrong_key_opens_nothing_and_says_what_to_do(site, page_factory):
    clinician = bookable_clinician(site, name="Dr Kay Guarded")
    later = sorted(api.slot_starts(site, clinician_id=clinician["id"]))[4]
    booking = book_by_api(site, clinician["id"], later, "kay.client@client.test")
    page, step = page_factory()
    page.goto(site.url("booking", f"/#/manage/{booking['id']}?token=not-the-key"))
    expect(page.get_by_role("heading", name="We couldn't open this booking")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("link from your confirmation email")
    expect(page.locator(".summary")).to_have_count(0)
    step("wrong-key")
    assert booking_state(site, booking["id"], booking["manage_token"])["status"] == "confirmed"
