"""Tokens and stored idempotent answers: secrets are random, hashed, and never kept in the clear."""
from __future__ import annotations

import json

from services.booking.domain import tokens
from services.booking.service_layer.idempotency import seal, unseal


def test_tokens_are_long_random_and_checked_against_their_hash_only():
    a, b = tokens.new(), tokens.new()

    assert a != b and len(a) >= 40
    assert tokens.matches(a, tokens.digest(a))
    assert not tokens.matches(b, tokens.digest(a))
    assert not tokens.matches(None, tokens.digest(a)) and not tokens.matches(a, None)


def test_the_manage_token_follows_from_the_hold_token_and_the_booking_only():
    hold_token = tokens.new()

    assert tokens.manage_token_for(hold_token, "b1") == tokens.manage_token_for(hold_token, "b1")
    assert tokens.manage_token_for(hold_token, "b1") != tokens.manage_token_for(hold_token, "b2")
    assert tokens.manage_token_for(tokens.new(), "b1") != tokens.manage_token_for(hold_token, "b1")


def test_a_sealed_answer_hides_its_tokens_and_opens_only_with_the_same_key():
    body = json.dumps({"id": "b1", "token": "secret-hold", "manage_token": "secret-manage"})

    sealed = seal("key-1", body)

    assert "secret-hold" not in sealed and "secret-manage" not in sealed and '"b1"' in sealed
    assert json.loads(unseal("key-1", sealed)) == json.loads(body)
    assert json.loads(unseal("key-2", sealed))["token"] != "secret-hold"


def test_answers_without_secrets_are_stored_as_they_are():
    body = '{"id": "r1", "status": "open"}'

    assert seal("k", body) == body and unseal("k", body) == body
