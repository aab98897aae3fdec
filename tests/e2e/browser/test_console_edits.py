"""The practice console's edits in Chromium against the real services: how a clinician's call happens and
their day's rules (errors from the API shown at their fields), and an account's role changed to a clinician's."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.consoleutil import ZONE, account, book, both_widths, fill_sign_in, sign_in, view, wall
from tests.support import api, infra
from tests.support.system import http

pytestmark = pytest.mark.e2e


def test_an_admin_sets_a_clinicians_video_call_and_day_limits_which_survive_a_reload(practice, page_factory):
    name = f"Dr Wren {infra.rand(4).title()}"
    wren = api.make_clinician(practice, tz=ZONE, name=name)
    admin = account(practice, "admin")
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, admin["email"])
    view(page, "Clinicians", "Clinicians")
    page.get_by_role("button", name=f"Edit profile: {name}").click()
    form = page.get_by_role("region", name=f"Profile: {name}")
    rules = form.get_by_role("group", name="How the call happens")
    rules.get_by_label("Call", exact=True).select_option("phone")
    expect(rules.get_by_label("Video link")).to_be_hidden()
    rules.get_by_label("Call", exact=True).select_option("video")
    rules.get_by_label("Video link").fill("http://meet.example.org/wren")
    rules.get_by_label("Consultations per day at most").fill("4")
    rules.get_by_label("Buffer (minutes)").fill("7")
    form.get_by_role("button", name="Save profile").click()

    expect(rules.get_by_label("Video link")).to_have_accessible_description(re.compile("https://"))
    expect(rules.get_by_label("Buffer (minutes)")).to_have_accessible_description(re.compile("steps of 5"))
    expect(rules.get_by_label("Video link")).to_be_focused()
    expect(form.get_by_role("alert")).to_be_visible()
    both_widths(page, step, "clinician-call-errors")
    unchanged = http("GET", practice.url("availability", f"/v1/clinicians/{wren['id']}"), token=practice.token)[1]
    assert (unchanged["max_per_day"], unchanged["buffer_minutes"]) == (None, None), "nothing was saved"

    rules.get_by_label("Video link").fill("https://meet.example.org/wren")
    rules.get_by_label("Buffer (minutes)").fill("10")
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text(f"{name}'s profile is saved.")).to_be_visible()

    page.reload()
    card = page.locator("li[data-clinician]").filter(has_text=name)
    expect(card).to_contain_text("video call")
    expect(card).to_contain_text("at most 4 consultations; 10 minutes free before and after each")
    page.get_by_role("button", name=f"Edit profile: {name}").click()
    rules = page.get_by_role("region", name=f"Profile: {name}").get_by_role("group", name="How the call happens")
    expect(rules.get_by_label("Call", exact=True)).to_have_value("video")
    expect(rules.get_by_label("Video link")).to_have_value("https://meet.example.org/wren")
    expect(rules.get_by_label("Consultations per day at most")).to_have_value("4")
    expect(rules.get_by_label("Buffer (minutes)")).to_have_value("10")
    both_widths(page, step, "clinician-call-saved")
    saved = http("GET", practice.url("availability", f"/v1/clinicians/{wren['id']}"), token=practice.token)[1]
    assert saved["call"] == {"method": "video", "video_url": "https://meet.example.org/wren"}
    assert (saved["max_per_day"], saved["buffer_minutes"]) == (4, 10)


def test_an_admin_makes_a_staff_account_a_clinicians_and_that_person_then_sees_only_that_agenda(
        practice, page_factory):
    tag = infra.rand(4).title()
    mine = api.make_clinician(practice, tz=ZONE, name=f"Dr Yara {tag}")
    other = api.make_clinician(practice, tz=ZONE, name=f"Dr Zeke {tag}")
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date().isoformat()
    book(practice, mine["id"], wall(f"{tomorrow}T10:00"), f"Mina Mine {tag}")
    book(practice, other["id"], wall(f"{tomorrow}T11:00"), f"Otto Other {tag}")
    person = account(practice, "staff", name=f"Casey {tag}")
    admin = account(practice, "admin")
    casey, _ = page_factory(zone=ZONE)
    sign_in(casey, practice, person["email"])
    expect(casey.get_by_text(f"Otto Other {tag}")).to_be_visible()  # as staff: every clinician's agenda

    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, admin["email"])
    view(page, "Accounts", "Accounts")
    page.get_by_role("button", name=f"Change role of Casey {tag}").click()
    editor = page.get_by_role("region", name=f"Role of Casey {tag}")
    expect(editor.get_by_label("Clinician", exact=True)).to_be_hidden()
    editor.get_by_label("Role", exact=True).select_option("clinician")
    editor.get_by_role("button", name="Save the role").click()
    expect(editor.get_by_label("Clinician", exact=True)).to_have_accessible_description(re.compile("names its clinician"))
    both_widths(page, step, "accounts-role-error")
    editor.get_by_label("Clinician", exact=True).select_option(label=f"Dr Yara {tag}")
    editor.get_by_role("button", name="Save the role").click()
    expect(page.get_by_text(f"Casey {tag}: now clinician of Dr Yara {tag}")).to_be_visible()
    expect(page.locator("tr[data-account]").filter(has_text=f"Casey {tag}")).to_contain_text(f"clinician (Dr Yara {tag})")
    both_widths(page, step, "accounts-role-changed")
    changed = http("GET", practice.url("staff", f"/v1/accounts/{person['id']}"), token=practice.token)[1]
    assert (changed["role"], changed["clinician_id"]) == ("clinician", mine["id"])

    expect(casey.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10000)  # the role change ended it
    expect(casey.get_by_text(re.compile("Your session has ended"))).to_be_visible()
    fill_sign_in(casey, person["email"])
    expect(casey.get_by_role("heading", level=1, name="My agenda")).to_be_visible()
    expect(casey.get_by_text(f"Mina Mine {tag}")).to_be_visible()
    expect(casey.get_by_text(f"Otto Other {tag}")).to_have_count(0)
    expect(casey.get_by_role("link", name="Accounts")).to_be_hidden()
