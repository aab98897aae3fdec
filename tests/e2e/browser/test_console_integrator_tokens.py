"""Integrator tokens in the practice console (Chromium, the four services as real processes): an admin
creates one (shown once), the shown token reads the booking feed, then the admin revokes it and the
feed refuses it within 5 s; axe-core and screenshots at 1280 and 390 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.consoleutil import ZONE, account, both_widths, sign_in, view
from tests.support.system import http, wait_until

pytestmark = pytest.mark.e2e


def feed(system, token: str) -> int:
    return http("GET", system.url("booking", "/v1/events?after=0"), token=token)[0]


def test_an_admin_creates_a_token_that_reads_the_feed_then_revokes_it(practice, page_factory):
    admin = account(practice, "admin", name="Ida Integrations")
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, admin["email"])
    view(page, "Integrations", "Integrations")
    section = page.get_by_role("region", name="Integrator tokens")
    expect(section.get_by_text("No integrator tokens yet.")).to_be_visible()

    section.get_by_role("button", name="Create token").click()
    expect(section.get_by_role("alert")).to_be_visible()
    expect(section.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    section.get_by_label("Name").fill("CRM sync")
    section.get_by_role("button", name="Create token").click()
    shown = section.get_by_label("New token for CRM sync")
    expect(shown).to_be_visible()
    token = shown.input_value()
    assert token.count(".") == 2, "a signed token"
    section.get_by_role("button", name="Copy the token for CRM sync").click()
    expect(page.locator("#announcer")).to_contain_text("Token")
    card = section.locator("li[data-token]").filter(has_text="CRM sync")
    expect(card.locator(".badge")).to_have_text("active")
    expect(card).to_contain_text(f"…{token[-4:]}")
    listed = http("GET", practice.url("staff", "/v1/integrator-tokens"), token=practice.token)[1]["integrator_tokens"]
    expires = next(t["expires_at"] for t in listed if t["name"] == "CRM sync")
    expect(card).to_contain_text(f", {expires[:4]}")  # a year ahead, so the year is shown
    assert token not in section.get_by_role("list", name="Integrator tokens").inner_text()
    assert feed(practice, token) == 200, "the token shown reads the feed"
    both_widths(page, step, "integrator-token-created")

    card.get_by_role("button", name="Revoke CRM sync").click()
    confirm = card.get_by_role("group", name="Confirm revoking CRM sync")
    expect(confirm).to_be_visible()
    page.wait_for_timeout(4500)  # a poll meanwhile leaves the open confirmation alone
    expect(confirm).to_be_visible()
    both_widths(page, step, "integrator-token-confirm")
    confirm.get_by_role("button", name="Yes, revoke CRM sync").click()
    expect(card.locator(".badge")).to_have_text("revoked")
    expect(page.get_by_role("main").get_by_text("CRM sync: revoked")).to_be_visible()
    expect(card.get_by_role("button", name="Revoke CRM sync")).to_have_count(0)
    assert wait_until(lambda: feed(practice, token) == 401, 5, 0.1), "the feed still took the revoked token after 5 s"
    page.reload()
    view(page, "Integrations", "Integrations")
    expect(page.locator("li[data-token]").filter(has_text="CRM sync").locator(".badge")).to_have_text("revoked")
    assert token not in page.get_by_role("main").inner_text(), "shown once: never again"
