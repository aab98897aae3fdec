"""Input rules every service shares: people's names, mailable email addresses, IANA time zones.

One rule each, so what the booking page accepts is what staff screens accept and what the mailer can
actually write into a `To:` header.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

import idna
from marshmallow import ValidationError, fields

ZONE_ERROR = "Not a known IANA time zone name (e.g. Europe/Berlin)."
NAME_ERROR = "Give a name (not only spaces)."
# RFC 5322 dot-atom text, extended by RFC 6531 with any non-ASCII character (an internationalised
# local part). Quoted local parts ("a b"@x) are refused: few mail systems take them, none needs them.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+"
_LOCAL = re.compile(rf"{_ATEXT}(\.{_ATEXT})*")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str | None) -> bool:
    """An IANA zone name (tzdata), e.g. "Europe/London"; never a folder ("America"), a file path or an
    abbreviation like "EST"."""
    return bool(name) and (name == "UTC" or ("/" in name and name in _zones()))


def time_zone(value: str) -> None:
    """marshmallow validator: the one wording of every service."""
    if not is_zone(value):
        raise ValidationError(ZONE_ERROR)


@dataclass(frozen=True)
class Mailbox:
    local: str
    domain: str  # ASCII (IDNA A-labels), as the DNS and SMTP's RCPT TO need it

    @property
    def international(self) -> bool:
        """The local part is not ASCII: only an SMTPUTF8 server can take it (RFC 6531)."""
        return not self.local.isascii()

    def __str__(self) -> str:
        return f"{self.local}@{self.domain}"


def mailbox(address: str) -> Mailbox:
    """The address as the mailer writes it, or ValueError saying why no mail could go to it."""
    if not isinstance(address, str) or not 3 <= len(address) <= 320:
        raise ValueError("Not an email address of 3 to 320 characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch.isspace() for ch in address):
        raise ValueError("An email address may not contain spaces or control characters.")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("Not an email address (name@example.org).")
    if len(local.encode()) > 64 or not _LOCAL.fullmatch(local):
        raise ValueError("The part before @ is not one a mailer can write (letters, digits, dots, no quotes).")
    try:
        ascii_domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise ValueError("The part after @ is not a valid domain name.") from None
    if domain.isascii():  # valid; kept as given (case and all)
        ascii_domain = domain.rstrip(".")
    if len(ascii_domain) > 253 or ("." not in ascii_domain and ascii_domain != "localhost"):
        raise ValueError("The part after @ is not a valid domain name.")
    return Mailbox(unicodedata.normalize("NFC", local), ascii_domain)


class MailableEmail(fields.String):
    """An email address the mailer can build a message to; loads as given (stripped)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            mailbox(text)
        except ValueError as e:
            raise ValidationError(str(e)) from None
        return text


class PersonName(fields.String):
    """A person's name: stripped; blank (only spaces) refused; no control characters."""

    def __init__(self, *args, max_length: int = 200, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        text = " ".join(super()._deserialize(value, attr, data, **kwargs).split())
        if not text:
            raise ValidationError(NAME_ERROR)
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
            raise ValidationError("A name may not contain control characters.")
        return text
