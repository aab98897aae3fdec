"""A clinician edits their own profile in the console (Chromium, the real services): only the self-service
fields are offered, the API's refusals show at their fields, and the change survives a reload."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.consoleutil import ZONE, account, both_widths, sign_in, view
from tests.support import api, infra
from tests.support.system import http

pytestmark = pytest.mark.e2e
BIO = "Couples therapy in English and Spanish; evenings on Thursdays."


def test_a_clinician_edits_their_own_bio_and_call_and_sees_them_after_a_reload(practice, page_factory):
    name = f"Dr Nia {infra.rand(4).title()}"
    nia = api.make_clinician(practice, tz=ZONE, name=name, max_per_day=6)
    clinician = account(practice, "clinician", nia["id"], name=name.removeprefix("Dr "))
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, clinician["email"])
    view(page, "Clinicians", "My profile and schedule")

    page.get_by_role("button", name=f"Edit profile: {name}").click()
    form = page.get_by_role("region", name=f"Profile: {name}")
    for practice_set in ("Name", "Email (for notifications)", "Time zone", "Consultations per day at most",
                         "Buffer (minutes)"):
        expect(form.get_by_label(practice_set, exact=True)).to_have_count(0)
    expect(form.get_by_role("group", name="Approaches (modalities)")).to_have_count(0)
    expect(form.locator("dl")).to_contain_text(nia["email"])  # what the practice sets, shown as text
    expect(form.get_by_label("Credentials")).to_be_focused()
    both_widths(page, step, "own-profile-form")

    rules = form.get_by_role("group", name="How the call happens")
    rules.get_by_label("Video link").fill("http://meet.example.org/nia")
    form.get_by_role("button", name="Save profile").click()
    expect(rules.get_by_label("Video link")).to_have_attribute("aria-invalid", "true")
    expect(rules.get_by_label("Video link")).to_have_accessible_description(re.compile("https://"))
    step("own-profile-error")

    form.get_by_label("Bio").fill(BIO)
    rules.get_by_label("Call", exact=True).select_option("phone")
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.reload()
    card = page.locator("li[data-clinician]").filter(has_text=name)
    expect(card).to_contain_text(BIO)
    expect(card).to_contain_text("phone call")
    page.get_by_role("button", name=f"Edit profile: {name}").click()
    form = page.get_by_role("region", name=f"Profile: {name}")
    expect(form.get_by_label("Bio")).to_have_value(BIO)
    expect(form.get_by_label("Call", exact=True)).to_have_value("phone")
    both_widths(page, step, "own-profile-saved")
    saved = http("GET", practice.url("availability", f"/v1/clinicians/{nia['id']}"), token=practice.token)[1]
    assert (saved["bio"], saved["call"]["method"]) == (BIO, "phone")
    assert (saved["name"], saved["max_per_day"], saved["time_zone"]) == (name, 6, ZONE), "the practice's fields stand"
