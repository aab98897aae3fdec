"""RFC 6238 codes (pyotp): enrolment secrets, their otpauth URI, and one-time acceptance of a code."""
from __future__ import annotations

from datetime import datetime

import pyotp
from pyotp.exceptions import OTPVerificationError

VALID_WINDOW = 1  # one 30-second step either side, for clocks a little off


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def accepted_step(secret: str, code: str | None, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to, if it is valid now and newer than the last one used (no replay)."""
    code = (code or "").replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    try:
        step = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=VALID_WINDOW)
    except OTPVerificationError:
        return None
    return step if last_step is None or step > last_step else None
