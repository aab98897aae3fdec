"""Accounts as the practice sees them: roles, the clinician a clinician account acts for, email form."""
from __future__ import annotations

import re
import unicodedata

from shared.auth import ROLES

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """One spelling per address: NFKC, trimmed, lower case (so `Ada@Clinic.test ` signs in as ada@clinic.test)."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def role_errors(role: str | None, clinician_id: str | None) -> dict[str, list[str]]:
    """What is wrong with a role and clinician pairing ({} when it is right)."""
    if role not in ROLES:
        return {"role": [f"Must be one of: {', '.join(ROLES)}."]}
    if role == "clinician" and not clinician_id:
        return {"clinician_id": ["A clinician account names its clinician (clinician_id)."]}
    if role != "clinician" and clinician_id:
        return {"clinician_id": ["Only a clinician account names a clinician."]}
    return {}


def email_errors(email: str) -> dict[str, list[str]]:
    if not _EMAIL.match(email) or len(email) > 320:
        return {"email": ["Not a valid email address."]}
    return {}
