""""Your account" in Chromium: anyone signed in changes their own password and sets up two-step sign-in from
a QR code; where admins must use it (STAFF_REQUIRE_TOTP), an admin without it sets it up while signing in."""
from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import _start
from tests.e2e.browser.consoleutil import PASSWORD, ZONE, account, both_widths, session, sign_in
from tests.e2e.browser.pageutil import tab_to
from tests.support import api

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "copper-meadow-violin-87"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """Staff, availability and booking where every admin must sign in with a code."""
    system = _start(tmp_path_factory, "console-totp", {"STAFF_REQUIRE_TOTP": "true"},
                    services=("availability", "booking", "staff"))
    yield system
    system.stop()


def open_account(page) -> None:
    """By keyboard: Tab reaches the header's link and Enter follows it."""
    tab_to(page, page.get_by_role("link", name="Your account"), limit=40)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()


def sign_in_with(page, system, email: str, password: str) -> None:
    page.goto(system.url("staff", "/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def shown_key(page) -> pyotp.TOTP:
    """The key as the page writes it for typing by hand (groups of four), as an authenticator app takes it."""
    qr = page.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth > 0", qr.element_handle()), "the QR code's data: URI draws"
    return pyotp.TOTP(page.locator("code[data-secret]").inner_text().replace(" ", ""))


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 10**6:06d}"


def test_a_staff_member_changes_their_password_in_your_account_and_signs_in_with_the_new_one(practice, page_factory):
    person = account(practice, "staff", name="Pat Password")
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, person["email"])

    open_account(page)
    details = page.locator("dl")
    for text in ("Pat Password", person["email"], "Staff", "Off"):
        expect(details).to_contain_text(text)
    both_widths(page, step, "account")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("short one")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-field=password] .error-text")).to_have_text("Use at least 12 characters.")
    step("account-weak-password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()
    sign_out(page)

    sign_in_with(page, practice, person["email"], PASSWORD)
    expect(page.get_by_text("The email, password or code is not right.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Console sections")).to_be_visible()


def test_a_clinician_sets_up_two_step_sign_in_from_the_qr_code_then_signing_in_asks_for_the_code(
        practice, page_factory):
    clinician = api.make_clinician(practice, tz=ZONE, name="Dr Tove Twostep")
    person = account(practice, "clinician", clinician["id"], name="Tove Twostep")
    page, step = page_factory(zone=ZONE)
    sign_in(page, practice, person["email"])
    open_account(page)
    expect(page.locator("dl")).to_contain_text("Dr Tove Twostep")

    page.get_by_role("button", name="Set up two-step sign-in").click()
    key = shown_key(page)
    both_widths(page, step, "account-two-step")
    code = page.get_by_label("Code from the app")
    code.fill(wrong(key.now()))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("[data-field=otp] .error-text")).to_contain_text("Not the code your app shows now")
    code.fill(key.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("On")
    assert session(page)["account"]["totp"] is True
    sign_out(page)

    sign_in_with(page, practice, person["email"], PASSWORD)
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    step("sign-in-code")
    page.get_by_label("Code from your authenticator app").fill(wrong(key.now()))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email, password or code is not right.")).to_be_visible()
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    step("sign-in-wrong-code")
    page.get_by_label("Code from your authenticator app").fill(key.at(time.time() + 30))  # the next step's code:
    page.get_by_role("button", name="Sign in").click()  # the one that confirmed the key is used up
    expect(page.get_by_role("navigation", name="Console sections")).to_be_visible()


def test_an_admin_who_must_use_two_step_sign_in_sets_it_up_from_the_qr_code_while_signing_in(strict, page_factory):
    admin = account(strict, "admin", name="Ines Enrol")
    page, step = page_factory(zone=ZONE)

    sign_in_with(page, strict, admin["email"], PASSWORD)
    expect(page.get_by_text("Admins here sign in with two-step sign-in.")).to_be_visible()
    key = shown_key(page)
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    both_widths(page, step, "sign-in-enrolment")
    page.get_by_label("Code from your authenticator app").fill(wrong(key.now()))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email, password or code is not right.")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(key.now())
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("navigation", name="Console sections")).to_be_visible()
    assert session(page)["account"]["totp"] is True
    page.get_by_role("link", name="Your account").click()
    expect(page.locator("dl")).to_contain_text("On")
