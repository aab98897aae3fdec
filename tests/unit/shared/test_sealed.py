"""Values sealed for Attune's own services open only with the same secret and purpose."""
from __future__ import annotations

import pytest

from shared import sealed


def test_a_sealed_value_opens_with_the_same_secret_and_purpose():
    box = sealed.seal("s" * 40, "manage-link", "tok_123")

    assert "tok_123" not in box
    assert sealed.unseal("s" * 40, "manage-link", box) == "tok_123"


@pytest.mark.parametrize("secret,purpose", [("t" * 40, "manage-link"), ("s" * 40, "caldav-credentials")])
def test_another_secret_or_another_purpose_cannot_open_it(secret, purpose):
    box = sealed.seal("s" * 40, "manage-link", "tok_123")

    with pytest.raises(sealed.InvalidToken):
        sealed.unseal(secret, purpose, box)


def test_nothing_is_sealed_without_a_secret():
    with pytest.raises(ValueError):
        sealed.seal("", "manage-link", "tok")
