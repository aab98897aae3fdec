"""Sends one signed webhook (Standard Webhooks) over HTTP, after checking where the URL points."""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

import requests
from standardwebhooks.webhooks import Webhook

from services.notifications.domain.addresses import refusal

CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def resolve(host: str, port: int | None) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({info[4][0] for info in infos})


def target_refusal(url: str, allowlist: tuple[str, ...]) -> str | None:
    """Why the URL may not be called (scheme, host, private address), or None."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http or https URL with a host"
    try:
        port = parts.port
    except ValueError:
        return "has an invalid port"
    return refusal(parts.hostname, resolve(parts.hostname, port), allowlist)


def sign(secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def send(url: str, secret: str, msg_id: str, body: str, timeout: float, allowlist: tuple[str, ...]) -> Outcome:
    """One attempt; never raises. Redirects are not followed (they could point anywhere)."""
    started = time.monotonic()
    refused = target_refusal(url, allowlist)  # again at delivery: DNS may have changed since creation
    if refused:
        return Outcome(None, 0, f"refused: {refused}"[:300])
    # the signature's timestamp is the real time of sending: receivers compare it with their own clock
    headers = {"Content-Type": CONTENT_TYPE, "User-Agent": "Attune-Webhooks/1",
               **sign(secret, msg_id, body, datetime.now(UTC))}
    try:
        resp = requests.post(url, data=body.encode(), headers=headers, timeout=timeout, allow_redirects=False,
                             stream=True)  # the answer's body is never read
        resp.close()
    except requests.Timeout:
        return Outcome(None, _ms(started), "timed out")
    except requests.RequestException as e:
        return Outcome(None, _ms(started), f"connection failed: {type(e).__name__}")
    return Outcome(resp.status_code, _ms(started), None if 200 <= resp.status_code < 300 else f"HTTP {resp.status_code}")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
