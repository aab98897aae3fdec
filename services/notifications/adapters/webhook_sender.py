"""Sends one signed webhook (Standard Webhooks) over HTTP, after checking where the URL points."""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

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


def vet(url: str, allowlist: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """Why the URL may not be called (scheme, host, private address) or None, and the addresses its
    host resolved to: the ones judged, so the only ones a delivery may then connect to."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http or https URL with a host", []
    try:
        port = parts.port
    except ValueError:
        return "has an invalid port", []
    addresses = resolve(parts.hostname, port)
    return refusal(parts.hostname, addresses, allowlist), addresses


def target_refusal(url: str, allowlist: tuple[str, ...]) -> str | None:
    """Why the URL may not be called (scheme, host, private address), or None."""
    return vet(url, allowlist)[0]


def sign(secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt."""
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def send(url: str, secret: str, msg_id: str, body: str, timeout: float, allowlist: tuple[str, ...]) -> Outcome:
    """One attempt; never raises. Redirects are not followed (they could point anywhere). It connects
    only to an address it has just judged: resolving the host again to connect would let a DNS answer
    that changed in between (rebinding) point the delivery at a private address."""
    started = time.monotonic()
    refused, addresses = vet(url, allowlist)  # again at delivery: DNS may have changed since creation
    if refused:
        return Outcome(None, 0, f"refused: {refused}"[:300])
    # the signature's timestamp is the real time of sending: receivers compare it with their own clock
    headers = {"Content-Type": CONTENT_TYPE, "User-Agent": "Attune-Webhooks/1",
               **sign(secret, msg_id, body, datetime.now(UTC))}
    try:
        status = post_pinned(urlparse(url), addresses, body.encode(), headers, timeout)
    except TimeoutError:
        return Outcome(None, _ms(started), "timed out")
    except (OSError, http.client.HTTPException) as e:
        return Outcome(None, _ms(started), f"connection failed: {type(e).__name__}")
    return Outcome(status, _ms(started), None if 200 <= status < 300 else f"HTTP {status}")


def post_pinned(parts, addresses: list[str], data: bytes, headers: dict, timeout: float) -> int:
    """POSTs to the URL's host name (Host header, TLS server name and certificate check) over a
    connection to one of `addresses`; the status code (the answer's body is never read)."""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    conn = (http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=ssl.create_default_context())
            if https else http.client.HTTPConnection(parts.hostname, port, timeout=timeout))
    conn._create_connection = lambda _address, *_a, **_k: _connect_any(addresses, port, timeout)
    try:
        conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=data,
                     headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _connect_any(addresses: list[str], port: int, timeout: float) -> socket.socket:
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address.split("%", 1)[0], port), timeout)
        except TimeoutError:
            raise
        except OSError as e:
            error = e
    raise error


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
