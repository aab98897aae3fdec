"""TOTP codes: RFC 6238 by pyotp, one step of slack either side, each code accepted once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp

from services.staff.domain.totp import accepted_step, new_secret, otpauth_uri

NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def test_the_current_code_is_accepted_with_its_step_and_the_same_code_is_refused_after_it_was_used():
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)

    step = accepted_step(secret, code, NOW, None)

    assert step == pyotp.TOTP(secret).timecode(NOW)
    assert accepted_step(secret, code, NOW + timedelta(seconds=5), step) is None


def test_a_code_of_the_previous_or_next_step_is_accepted_but_not_two_steps_away():
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    for offset, ok in ((-30, True), (30, True), (-60, False), (60, False)):
        assert (accepted_step(secret, totp.at(NOW + timedelta(seconds=offset)), NOW, None) is not None) is ok


def test_an_older_code_is_refused_once_a_newer_one_was_used():
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    newer = accepted_step(secret, totp.at(NOW), NOW, None)

    assert accepted_step(secret, totp.at(NOW - timedelta(seconds=30)), NOW, newer) is None


def test_wrong_malformed_and_missing_codes_are_refused():
    secret = new_secret()
    right = pyotp.TOTP(secret).at(NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for code in (wrong, "", None, "12345", "abcdef", right + "0"):
        assert accepted_step(secret, code, NOW, None) is None
    assert accepted_step(secret, f"{right[:3]} {right[3:]}", NOW, None) is not None  # as apps show it


def test_the_otpauth_uri_names_the_practice_and_the_account_and_carries_the_secret():
    secret = new_secret()
    uri = urlparse(otpauth_uri(secret, "ada@clinic.test", "Hill Street Practice"))

    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert "ada%40clinic.test" in uri.path or "ada@clinic.test" in uri.path
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Hill Street Practice"]
