"""Proof-of-work challenges (ALTCHA v1: find the number whose SHA-256 with the salt is the challenge).

Stateless: the challenge is signed (HMAC, a key derived from ATTUNE_SECRET_KEY) and carries its
expiry in the salt; the server keeps only the signatures of solved ones until they lapse (single
use). No third-party service, no cookie, nothing about the client in it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import urllib.parse
from datetime import datetime, timedelta

import altcha

HEADER = "X-Proof-Of-Work"
TTL = timedelta(minutes=5)
_PROCESS_KEY = secrets.token_hex(32)  # without ATTUNE_SECRET_KEY (unit tests): good for this process


def _key(secret_key: str | None) -> str:
    base = (secret_key or _PROCESS_KEY).encode()
    return hmac.new(base, b"attune:hold-challenge", hashlib.sha256).hexdigest()


def new(secret_key: str | None, now: datetime, max_number: int) -> dict:
    """A challenge for the client to solve, as the ALTCHA widget and our booking page read it."""
    made = altcha.create_challenge_v1(altcha.ChallengeOptionsV1(
        algorithm="SHA-256", max_number=max_number, hmac_key=_key(secret_key),
        params={"expires": str(int((now + TTL).timestamp()))}))
    return {"algorithm": made.algorithm, "challenge": made.challenge, "maxnumber": made.max_number,
            "salt": made.salt, "signature": made.signature, "header": HEADER}


def verified(secret_key: str | None, payload: str | None, now: datetime) -> tuple[str, datetime] | None:
    """The signature and expiry of a correctly solved, unexpired challenge (base64 JSON of
    algorithm, challenge, number, salt, signature); None for anything else."""
    if not payload or len(payload) > 2000:
        return None
    try:
        doc = json.loads(base64.b64decode(payload, validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("salt"), str) or not isinstance(doc.get("number"), int):
        return None
    expires = _expires(doc["salt"])
    if expires is None or expires <= now.timestamp():
        return None
    ok, _ = altcha.verify_solution_v1(doc, _key(secret_key), check_expires=False)  # our clock, not the host's
    if not ok:
        return None
    return str(doc["signature"]), datetime.fromtimestamp(expires, now.tzinfo)


def _expires(salt: str) -> int | None:
    query = salt.split("?", 1)[1] if "?" in salt else ""
    values = urllib.parse.parse_qs(query).get("expires") or []
    if len(values) != 1 or not values[0].isdigit():  # one expiry, or none trusted
        return None
    return int(values[0])


def solve(challenge: dict) -> str:
    """What a client sends back (the booking page does the same in JavaScript); for tests and tools."""
    found = altcha.solve_challenge_v1(challenge["challenge"], challenge["salt"], "SHA-256", challenge["maxnumber"])
    payload = {"algorithm": "SHA-256", "challenge": challenge["challenge"], "number": found.number,
               "salt": challenge["salt"], "signature": challenge["signature"]}
    return base64.b64encode(json.dumps(payload).encode()).decode()
