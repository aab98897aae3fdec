"""Password rules (length, not common, not the account's own name) and argon2id hashing."""
from __future__ import annotations

import functools
import re
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.staff.domain.common_passwords import COMMON

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a megabyte "password" would only cost us CPU
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba", "qwertyuiopasdfghjklzxcvbnm",
              "mnbvcxzlkjhgfdsapoiuytrewq", "0123456789", "9876543210")
_EDGES = string.digits + string.punctuation + " "


def weakness(password: str, email: str | None = None, name: str | None = None) -> str | None:
    """Why a password is refused, or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lower = password.lower()
    stem = lower.strip(_EDGES)
    words = re.findall(r"[a-z]+", lower)
    if lower in COMMON or stem in COMMON or _repeats(stem or lower) in COMMON or (
            words and all(w in COMMON for w in words)):
        return "This password is on lists of common passwords; choose a less guessable one."
    if len(set(lower)) < 5 or _repeats(lower) != lower or _in_sequence(lower):
        return "This password is a repetition or a sequence; choose a less guessable one."
    for own in _own_words(email, name):
        if own in lower:
            return "A password must not contain your name or email address."
    return None


def _repeats(text: str) -> str:
    """The shortest unit a text repeats ("abcabcabc" -> "abc"), else the text itself."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _in_sequence(text: str) -> bool:
    compact = re.sub(r"[\W_]", "", text)
    return any(compact and compact in seq * 3 for seq in _SEQUENCES)


def _own_words(email: str | None, name: str | None) -> list[str]:
    words = [(email or "").split("@")[0]] + (name or "").split()
    return [w.lower() for w in words if len(w) >= 4]


class Passwords:
    """argon2id hashes; `check` costs the same for an unknown account (it checks a dummy hash)."""

    def __init__(self, hasher: PasswordHasher | None = None):
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    @functools.cached_property
    def _dummy(self) -> str:
        return self.hasher.hash("attune: no such account, same cost")

    def check(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)
