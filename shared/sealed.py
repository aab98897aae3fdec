"""Secrets sealed for Attune's own services: Fernet keys derived from ATTUNE_SECRET_KEY, one per purpose.

Integrators bound to the exchange never hold ATTUNE_SECRET_KEY, so a value sealed here may travel in
an event (a manage link's token for the notifications service) or rest in a table (calendar
passwords) without being readable by whoever sees the message or the row.
"""
from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MANAGE_LINK", "InvalidToken", "derive_key", "seal", "unseal"]
MANAGE_LINK = "manage-link"  # booking seals a booking's manage token for the notifications service's links


def derive_key(secret_key: str, purpose: str, length: int = 32) -> bytes:
    """A key for one purpose (HKDF-SHA256): a leak of one purpose's key opens nothing else."""
    if not secret_key:
        raise ValueError("ATTUNE_SECRET_KEY is not set")
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"attune/v1",
                info=purpose.encode()).derive(secret_key.encode())


@functools.lru_cache(maxsize=32)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(secret_key, purpose)))


def seal(secret_key: str, purpose: str, plaintext: str) -> str:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode()


def unseal(secret_key: str, purpose: str, token: str, ttl: int | None = None) -> str:
    """The plaintext, or InvalidToken when it was sealed with another key or purpose, or altered."""
    return _fernet(secret_key, purpose).decrypt(token.encode(), ttl=ttl).decode()
