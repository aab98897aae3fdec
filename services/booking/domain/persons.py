"""Who a client is, for the one-free-consultation rule: keyed hashes of their normalised email and phone."""
from __future__ import annotations

import hashlib
import hmac
import re

import phonenumbers


def normal_email(email: str | None) -> str | None:
    """The address as one person's: casefolded, without surrounding space (no provider-specific rewriting)."""
    text = (email or "").strip().casefold()
    return text or None


def normal_phone(phone: str | None, region: str | None = None) -> str | None:
    """The number in E.164 ("+4930123456"); a number that cannot be parsed, as its digits ("d:030123")."""
    text = (phone or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = re.sub(r"\D", "", text)
    return f"d:{digits}" if digits else None


def key(secret_key: str | None, kind: str, normal: str | None) -> str | None:
    """A keyed hash (HMAC-SHA256 under ATTUNE_SECRET_KEY) of a normalised email or phone: stored and
    looked up instead of the plaintext, so the index tells nothing to a reader without the key."""
    if not normal:
        return None
    return hmac.new((secret_key or "").encode(), f"person-{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def keys(secret_key: str | None, email: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """(email key, phone key) of a client."""
    return key(secret_key, "email", normal_email(email)), key(secret_key, "phone", normal_phone(phone))
