"""One free consultation per person: who counts as the same person (normalised email, E.164 phone), keyed."""
from services.booking.domain.persons import key, keys, normal_email, normal_phone


def test_emails_are_the_same_person_whatever_their_case_and_surrounding_space():
    assert normal_email("  Ada.Client@Example.ORG ") == normal_email("ada.client@example.org")
    assert normal_email("ada.client@example.org") != normal_email("adaclient@example.org")  # no provider rules
    assert normal_email("   ") is None and normal_email(None) is None


def test_phones_are_compared_in_e164_however_they_were_typed():
    assert normal_phone("+49 30 1234567") == normal_phone("+49 (0)30 123-4567") == "+49301234567"
    assert normal_phone("+1 (202) 555-0100") == "+12025550100"
    assert normal_phone("030 1234567") == "d:0301234567"  # no country: its digits, never a guess
    assert normal_phone("") is None and normal_phone("call me") is None


def test_keys_are_keyed_hashes_that_reveal_nothing_without_the_secret():
    email_key, phone_key = keys("k" * 32, "Ada@Example.org", "+49 30 1234567")
    assert email_key == key("k" * 32, "email", "ada@example.org") and len(email_key) == 64
    assert "ada" not in email_key and phone_key != email_key
    assert keys("other" * 8, "ada@example.org", None)[0] != email_key
    assert keys("k" * 32, None, None) == (None, None)
