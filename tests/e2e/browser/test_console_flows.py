"""The practice console (staff service, `/`) in Chromium against the four services as real processes:
sign-in by role, a clinician and their schedule with the slot preview, agendas scoped to the clinician,
bookings appearing within seconds, a contact request booked outside hours, deactivation signing out;
axe-core and a screenshot of every view at 1280 and 390 px."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import ARTIFACTS
from tests.e2e.browser.consoleutil import PASSWORD, ZONE, account, book, both_widths, sign_in, view, wall
from tests.e2e.browser.pageutil import tab_to
from tests.support import api
from tests.support.system import http, wait_until

pytestmark = pytest.mark.e2e


def test_an_admin_adds_a_clinician_previews_their_schedule_before_saving_and_invites_them(practice, page_factory):
    admin = account(practice, "admin", name="Ada Admin")
    page, step = page_factory(zone=ZONE)
    page.goto(practice.url("staff", "/"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    both_widths(page, step, "sign-in")
    page.get_by_label("Email").fill(admin["email"])
    page.get_by_label("Password").fill("not-the-password-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Agenda")).to_be_visible()
    expect(page.get_by_text("Ada Admin · admin")).to_be_visible()

    view(page, "Clinicians", "Clinicians")
    page.get_by_role("button", name="Add a clinician").click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add the clinician"))
    form.get_by_label("Name").fill("Dr Iris Console")
    form.get_by_label("Credentials").fill("LMFT")
    form.get_by_label("Email (for notifications)").fill("iris@console.test")
    form.get_by_label("Time zone").select_option(ZONE)
    form.get_by_label("Emotionally Focused Therapy", exact=False).check()
    form.get_by_label("couples").check()
    form.get_by_role("button", name="Add the clinician").click()
    editor = page.get_by_role("region", name="Schedule: Dr Iris Console")
    expect(editor).to_be_visible()
    expect(editor.get_by_role("region", name="Own calendar")).to_contain_text("Not connected")
    expect(page.get_by_role("listitem").filter(has_text="Dr Iris Console")).to_be_visible()
    clinicians = http("GET", practice.url("availability", "/v1/clinicians"))[1]["clinicians"]
    iris = next(c for c in clinicians if c["name"] == "Dr Iris Console")
    assert (iris["modalities"], iris["populations"], iris["time_zone"]) == (["eft"], ["couples"], ZONE)

    for n, weekday in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        editor.get_by_role("button", name="Add weekly window").click()
        row = editor.locator("fieldset[data-field=weekly] .row").nth(n)
        row.get_by_label("Day").select_option(weekday)
        row.get_by_label("From").fill("08:00")
        row.get_by_label("To").fill("20:00")
    editor.get_by_role("button", name="Preview open slots").click()
    preview = editor.get_by_role("heading", name=re.compile(r"Preview: \d+ open slots"))
    expect(preview).to_be_visible()
    shown = int(re.search(r"(\d+) open slots", preview.inner_text()).group(1))
    assert shown > 48, "a week of 08:00-20:00 windows gives many slots"
    saved = http("GET", practice.url("availability", f"/v1/clinicians/{iris['id']}/schedule"))[1]
    assert saved["weekly"] == [], "the preview saved nothing"
    both_widths(page, step, "clinicians-schedule-preview")
    editor.get_by_role("button", name="Save schedule").click()
    expect(editor.get_by_text(re.compile(r"Schedule saved \(version \d+\)"))).to_be_visible()
    saved = http("GET", practice.url("availability", f"/v1/clinicians/{iris['id']}/schedule"))[1]
    assert len(saved["weekly"]) == 7 and saved["weekly"][0]["start"] == "08:00"
    assert len(api.slot_starts(practice, clinician_id=iris["id"])) == shown, "the preview showed what clients now see"

    view(page, "Accounts", "Accounts")
    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Name").fill("Iris Console")
    invite.get_by_label("Email").fill("iris.account@console.test")
    invite.get_by_label("Role").select_option("clinician")
    invite.get_by_label("Clinician (for a clinician account)").select_option(label="Dr Iris Console")
    invite.get_by_role("button", name="Send the invitation").click()  # the emailed link: test_console_invitations.py
    expect(invite.get_by_text("Invitation sent to iris.account@console.test")).to_be_visible()
    row = page.locator("tr[data-account]").filter(has_text="iris.account@console.test")
    expect(row).to_contain_text("Dr Iris Console")
    expect(row).to_contain_text("invited")
    expect(page.locator("table").last).to_contain_text("clinician.created")
    both_widths(page, step, "accounts")
    page.get_by_label("Client subject").fill(iris["id"])
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(2)  # created, schedule.changed

    view(page, "Integrations", "Integrations")
    page.get_by_label("Address (URL)").fill("http://127.0.0.1:9/hooks")
    page.get_by_role("button", name="Add the webhook").click()
    expect(page.get_by_text(re.compile("whsec_"))).to_be_visible()
    hook = page.locator("li[data-webhook]").filter(has_text="http://127.0.0.1:9/hooks")
    hook.get_by_role("button", name=re.compile("^Pause")).click()
    expect(hook.locator(".badge")).to_have_text("paused")
    hook.get_by_role("button", name=re.compile("^Resume")).click()
    expect(hook.locator(".badge")).to_have_text("active")
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date().isoformat()
    book(practice, iris["id"], wall(f"{tomorrow}T10:00"), "Nia Webhook")  # booking.confirmed: a delivery
    hook.get_by_role("button", name=re.compile("^Deliveries")).click()
    delivery = hook.locator("tr").filter(has_text="booking.confirmed")
    expect(delivery).to_be_visible(timeout=10000)
    delivery.get_by_role("button", name=re.compile("^Resend")).click()
    expect(page.get_by_role("main").get_by_text("Sent booking.confirmed to http://127.0.0.1:9/hooks again.")).to_be_visible()
    both_widths(page, step, "integrations")

    view(page, "Agenda", "Agenda")
    card = page.locator("li[data-booking]").filter(has_text="Nia Webhook")
    expect(card).to_contain_text("10:00 AM")
    expect(card).to_contain_text("With Dr Iris Console")
    both_widths(page, step, "agenda-admin")


def test_a_clinician_sees_only_their_own_agenda_and_a_booking_page_booking_appears_there_within_5_s(
        practice, page_factory):
    mine = api.make_clinician(practice, tz=ZONE, name="Dr Juno Own")
    other = api.make_clinician(practice, tz=ZONE, name="Dr Kai Other")
    clinician = account(practice, "clinician", mine["id"], name="Juno Own")
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date().isoformat()
    theirs = book(practice, other["id"], wall(f"{tomorrow}T10:00"), "Olive Other")
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, clinician["email"])

    expect(page.get_by_role("heading", level=1, name="My agenda")).to_be_visible()
    expect(page.get_by_role("link", name="Accounts")).to_be_hidden()
    expect(page.get_by_text("No consultations in these days.")).to_be_visible()
    assert theirs["status"] == "confirmed"
    expect(page.get_by_text("Olive Other")).to_have_count(0)

    client, _ = page_factory(zone=ZONE)
    start = wall(f"{tomorrow}T11:00")
    assert api.wait_for_slots(practice, mine["id"], present={start.replace("+00:00", "Z")})
    client.goto(practice.url("booking", f"/?clinician={mine['id']}&start={start.replace('+00:00', 'Z')}"))
    client.get_by_label("Your name").fill("Pat Booker")
    client.get_by_label("Email").fill("pat.booker@client.test")
    client.get_by_role("checkbox", name=re.compile("may contact me")).check()
    client.get_by_role("button", name="Confirm my booking").click()
    expect(client.get_by_role("heading", name="You're booked in")).to_be_visible()

    card = page.locator("li[data-booking]").filter(has_text="Pat Booker")
    expect(card).to_be_visible(timeout=5000)
    expect(card).to_contain_text("pat.booker@client.test")
    expect(card).to_contain_text("11:00 AM")
    expect(page.get_by_text("Olive Other")).to_have_count(0)
    both_widths(page, step, "agenda-clinician")

    view(page, "Clinicians", "My profile and schedule")
    expect(page.locator("li[data-clinician]")).to_have_count(1)
    page.get_by_role("button", name="Schedule: Dr Juno Own").click()
    expect(page.get_by_role("region", name="Schedule: Dr Juno Own")).to_be_visible()
    both_widths(page, step, "clinician-own-schedule")
    view(page, "Contact requests", "Contact requests")
    both_widths(page, step, "requests-clinician")


def test_staff_book_a_contact_request_outside_hours_and_the_client_gets_the_confirmation(
        practice, smtp, page_factory):
    juno = api.make_clinician(practice, tz=ZONE, name="Dr Lea Request", weekly=api.ALL_WEEK)  # 09:00-12:00
    staff = account(practice, "staff", name="Sam Staff")
    st, made, _ = http("POST", practice.url("booking", "/v1/contact-requests"), {
        "name": "Quinn Evening", "email": "quinn@client.test", "clinician_id": juno["id"], "time_zone": "America/Chicago",
        "preferred_times": [{"weekday": "tue", "start": "18:00", "end": "20:00"}], "message": "Only evenings work for me.",
        "consent": True})
    assert st == 201, made
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, staff["email"])
    expect(page.get_by_role("link", name="Integrations")).to_be_hidden()
    view(page, "Contact requests", "Contact requests")
    card = page.locator("li[data-request]").filter(has_text="Quinn Evening")
    expect(card).to_contain_text("Tuesday 7:00 PM – 9:00 PM")  # 18:00-20:00 Chicago on New York's clocks
    expect(card).to_contain_text("Only evenings work for me.")
    card.get_by_role("button", name="Mark in progress: Quinn Evening").click()
    expect(card.locator(".badge")).to_have_text("in progress")
    card.get_by_role("button", name="Staff note: Quinn Evening").click()
    card.get_by_label(re.compile("Staff note")).fill("Called back; agreed on an evening.")
    card.get_by_role("button", name="Save note").click()
    expect(card).to_contain_text("Called back; agreed on an evening.")
    both_widths(page, step, "requests")

    card.get_by_role("button", name="Book this request: Quinn Evening").click()
    form = page.get_by_role("region", name="Book a consultation")
    expect(form.get_by_label("Client's name")).to_have_value("Quinn Evening")
    expect(form.get_by_label("Client's email")).to_have_value("quinn@client.test")
    expect(form.get_by_label("Clinician", exact=True)).to_have_value(juno["id"])
    day = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=2)).date().isoformat()
    form.get_by_label("Date", exact=True).fill(day)
    form.get_by_label("Time", exact=True).fill("19:00")
    form.get_by_role("button", name="Book the consultation").click()
    expect(form.get_by_role("alert")).to_be_visible()  # outside the 09:00-12:00 windows without the box ticked
    form.get_by_label("Outside the clinician's hours (an agreed time)").check()
    form.get_by_role("button", name="Book the consultation").click()
    expect(page.get_by_role("main").get_by_text(re.compile("Booked: Quinn Evening with Dr Lea Request"))).to_be_visible()
    booked = page.locator("li[data-booking]").filter(has_text="Quinn Evening")
    expect(booked).to_contain_text("7:00 PM")
    both_widths(page, step, "agenda-staff")

    requests = http("GET", practice.url("booking", "/v1/contact-requests"), token=practice.token)[1]
    assert next(r for r in requests["contact_requests"] if r["id"] == made["id"])["status"] == "booked"

    def confirmation():
        subjects = [" ".join(str(m["Subject"]).split()) for m in smtp.to("quinn@client.test")]
        return [s for s in subjects if s.startswith("Booked: your consultation call with Dr Lea Request")]

    assert wait_until(confirmation, 20, 0.3), "the client got the confirmation email"
    listed = http("GET", practice.url("booking", f"/v1/bookings?clinician_id={juno['id']}"), token=practice.token)[1]
    [agreed] = [b for b in listed["bookings"] if b["client"]["name"] == "Quinn Evening"]
    assert datetime.fromisoformat(agreed["start"]) == datetime.fromisoformat(wall(f"{day}T19:00"))

    booked.get_by_role("button", name="Move Quinn Evening's consultation").click()
    booked.get_by_label("New time").select_option(index=1)
    booked.get_by_role("button", name="Move here").click()
    expect(page.get_by_role("main").get_by_text(re.compile("^Moved to"))).to_be_visible()
    moved = page.locator("li[data-booking]").filter(has_text="Quinn Evening")
    moved.get_by_role("button", name="Cancel Quinn Evening's consultation").click()
    moved.get_by_role("button", name="Cancel this consultation").click()
    expect(page.locator("li[data-booking]").filter(has_text="Quinn Evening")).to_have_count(0)


def test_deactivating_an_account_signs_its_open_console_out(practice, page_factory):
    admin = account(practice, "admin", name="Alex Admin")
    staff = account(practice, "staff", name="Robin Leaving")
    staff_page, _ = page_factory(zone=ZONE)
    staff_page.goto(practice.url("staff", "/"))  # by keyboard alone: the email field has the focus
    expect(staff_page.get_by_label("Email")).to_be_focused()
    staff_page.keyboard.type(staff["email"])
    staff_page.keyboard.press("Tab")
    staff_page.keyboard.type(PASSWORD)
    staff_page.keyboard.press("Enter")
    expect(staff_page.get_by_role("heading", level=1, name="Agenda")).to_be_focused()
    tab_to(staff_page, staff_page.get_by_role("link", name="Contact requests"), key="Shift+Tab")
    staff_page.keyboard.press("Enter")
    expect(staff_page.get_by_role("heading", level=1, name="Contact requests")).to_be_focused()
    page, _ = page_factory(zone=ZONE)
    sign_in(page, practice, admin["email"])
    view(page, "Accounts", "Accounts")
    page.get_by_role("button", name="Deactivate Robin Leaving").click()
    expect(page.get_by_text("Robin Leaving: deactivated")).to_be_visible()

    expect(staff_page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10000)
    expect(staff_page.get_by_text(re.compile("Your session has ended"))).to_be_visible()
    expect(staff_page.get_by_role("navigation", name="Console sections")).to_be_hidden()
    staff_page.get_by_label("Email").fill(staff["email"])
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    expect(staff_page.get_by_role("alert")).to_contain_text("not right")
    assert ARTIFACTS.exists()
