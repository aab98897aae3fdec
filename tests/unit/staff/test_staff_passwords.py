"""Password rules and hashing of staff accounts."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from services.staff.domain.passwords import MIN_LENGTH, Passwords, weakness


@pytest.mark.parametrize("password", ["a tidy orchard 42", "Tr0ub4dor&3xyz", "839201746253", "fern-lantern-quay"])
def test_a_long_uncommon_password_is_accepted(password):
    assert weakness(password, "ada@clinic.test", "Ada Winter") is None


def test_a_password_shorter_than_twelve_characters_is_refused_by_its_length():
    assert MIN_LENGTH == 12
    assert "12 characters" in weakness("orchard-tid")
    assert weakness("orchard-tidy") is None


@pytest.mark.parametrize("password", ["password1234", "Password2024!", "iloveyou12345", "!!qwerty123!!",
                                      "passwordpassword", "therapist2026", "Welcome123456", "ATTUNE-attune"])
def test_a_common_password_or_a_common_word_with_digits_and_symbols_around_it_is_refused(password):
    assert "common passwords" in weakness(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaa", "abcdefghijklmn", "123456789012", "qwertyuiopasdf",
                                      "abcabcabcabc", "0987654321098"])
def test_repetitions_and_keyboard_or_alphabet_sequences_are_refused(password):
    assert "repetition or a sequence" in weakness(password)


def test_a_password_containing_the_accounts_own_name_or_email_is_refused():
    assert "name or email" in weakness("winter-garden-77", "ada@clinic.test", "Ada Winter")
    assert "name or email" in weakness("lovelace.orchard", "lovelace@clinic.test", None)


def test_a_hash_is_argon2id_verifies_only_its_password_and_an_unknown_account_never_verifies():
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    stored = passwords.hash("a tidy orchard 42")

    assert stored.startswith("$argon2id$")
    assert passwords.check(stored, "a tidy orchard 42")
    assert not passwords.check(stored, "a tidy orchard 43")
    assert not passwords.check(None, "a tidy orchard 42")  # checked against the dummy hash, still refused
    assert not passwords.check("not a hash", "a tidy orchard 42")
