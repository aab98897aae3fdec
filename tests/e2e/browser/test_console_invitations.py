"""Invitations in the practice console (Chromium, the four services as real processes, mail caught by the
SMTP sink): an admin invites a clinician, resends the invitation, the email's link opens the console where
the person chooses a password and sees their own agenda; the link then no longer works; a revoked
invitation leaves the list. axe-core on every step."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.consoleutil import ZONE, account, both_widths, sign_in, view
from tests.support import api, infra
from tests.support.system import wait_until

pytestmark = pytest.mark.e2e
CHOSEN = "a willow by the quiet river 8"


def links(smtp, address: str, count: int) -> list[str]:
    """The invitation links mailed to `address`, once `count` of them arrived (15 s at most)."""
    assert wait_until(lambda: len(smtp.to(address)) >= count, 15, 0.2), f"{count} invitation(s) to {address}"
    texts = [next(p for p in m.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
             for m in smtp.to(address)]
    return [re.search(r"(http\S+/#/invite/\S+)", t).group(1) for t in texts]


def choose(page, password: str, again: str | None = None) -> None:
    page.get_by_label("New password").fill(password)
    page.get_by_label("The same password again").fill(password if again is None else again)
    page.get_by_role("button", name="Set my password and sign in").click()


def test_an_admin_invites_a_clinician_who_chooses_a_password_on_the_emailed_link_once(practice, page_factory, smtp):
    clinician = api.make_clinician(practice, tz=ZONE, name=f"Dr Wren {infra.rand(4).title()}")
    admin = account(practice, "admin", name="Ines Inviter")
    address = f"wren-{infra.rand(5)}@console.test"
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, admin["email"])
    view(page, "Accounts", "Accounts")
    invite = page.get_by_role("region", name="Invite someone")
    expect(invite.get_by_label("First password")).to_have_count(0)

    invite.get_by_label("Role").select_option("clinician")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(invite.get_by_role("alert")).to_be_visible()
    expect(invite.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    step("invite-errors")
    invite.get_by_label("Name").fill("Wren Newcomer")
    invite.get_by_label("Email").fill(address)
    invite.get_by_label("Clinician (for a clinician account)").select_option(label=clinician["name"])
    invite.get_by_role("button", name="Send the invitation").click()
    expect(invite.get_by_text(f"Invitation sent to {address}")).to_be_visible()
    row = page.locator("tr[data-account]").filter(has_text=address)
    expect(row.locator(".badge")).to_have_text("invited")
    expect(row).to_contain_text(clinician["name"])
    both_widths(page, step, "invited")

    row.get_by_role("button", name="Resend the invitation to Wren Newcomer").click()
    expect(page.get_by_text(f"A new invitation went to {address}")).to_be_visible()
    first, latest = links(smtp, address, 2)
    assert first != latest and latest.startswith(practice.url("staff", "/#/invite/"))

    person, person_step = page_factory(zone=ZONE)
    person.goto(first)
    choose(person, CHOSEN)
    expect(person.get_by_role("alert")).to_contain_text("not valid")
    person_step("old-link")
    person.goto(latest)
    person.reload()  # a hash-only navigation does not reload the page; the link opened from an email does
    expect(person.get_by_role("heading", level=1, name="Choose your password")).to_be_visible()
    expect(person.get_by_label("New password")).to_be_focused()
    person_step("choose-password")
    choose(person, "short")
    expect(person.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    expect(person.locator("[data-field=password] .error-text")).to_contain_text("12 characters")
    person_step("weak-password")
    choose(person, CHOSEN, "a willow by the quiet river 9")
    expect(person.get_by_label("The same password again")).to_have_attribute("aria-invalid", "true")
    choose(person, CHOSEN)
    expect(person.get_by_role("heading", level=1, name="My agenda")).to_be_visible()
    expect(person.get_by_text("Wren Newcomer · clinician")).to_be_visible()
    assert "#/invite/" not in person.url
    both_widths(person, person_step, "signed-in")

    again, again_step = page_factory(zone=ZONE)
    again.goto(latest)
    choose(again, "another long passphrase 4")
    expect(again.get_by_role("alert")).to_contain_text("already used")
    expect(again.get_by_role("button", name="Set my password and sign in")).to_have_count(0)
    again_step("used-link")
    again.get_by_role("button", name="Go to sign-in").click()
    expect(again.get_by_role("heading", name="Sign in")).to_be_visible()

    expect(row.locator(".badge")).to_have_text("active", timeout=10000)  # the console's poll
    other = f"later-{infra.rand(5)}@console.test"
    invite.get_by_label("Name").fill("Lou Later")
    invite.get_by_label("Email").fill(other)
    invite.get_by_label("Role").select_option("staff")
    invite.get_by_role("button", name="Send the invitation").click()
    later = page.locator("tr[data-account]").filter(has_text=other)
    later.get_by_role("button", name="Revoke the invitation to Lou Later").click()
    expect(page.get_by_text(f"The invitation to {other} is revoked")).to_be_visible()
    expect(later).to_have_count(0)
    step("revoked")
