"""The admin token is the owner's credential: short, well-known or repetitive strings are refused at load."""
from __future__ import annotations

import pytest

from shared.config import ConfigError, load


@pytest.mark.parametrize("token, says", [
    ("x", "at least 24 characters"),
    ("s3cret-but-only-23-char", "at least 24 characters"),
    ("changeme", "well-known"),
    ("change-me-admin-token", "well-known"),  # the old docker-compose.yml default
    ("ADMIN", "well-known"),
    ("a" * 40, "repetitive"),
    ("abababababababababababababab", "repetitive"),
])
def test_a_short_well_known_or_repetitive_admin_token_stops_the_service(token, says):
    with pytest.raises(ConfigError) as caught:
        load("booking", {"ATTUNE_ADMIN_TOKEN": token})

    assert caught.value.variable == "ATTUNE_ADMIN_TOKEN"
    assert says in str(caught.value.code)
    assert token not in str(caught.value.code).replace("ATTUNE_ADMIN_TOKEN", "").replace("x", ""), \
        "the message never repeats the token"


def test_a_long_random_admin_token_is_accepted_and_none_means_no_owner_token():
    token = "adm_Xk2v9QpL7rT4mZ8wN3bY6cJ1"

    assert load("booking", {"ATTUNE_ADMIN_TOKEN": token}).admin_token == token
    assert load("booking", {}).admin_token is None
