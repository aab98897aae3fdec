"""The integrator examples work: the pika subscriber prints relayed events, the webhook receiver
accepts only correctly signed deliveries."""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from shared.asyncapi import example
from shared.messaging.relay import drain
from tests.integration.shared.conftest import booking_data
from tests.support.system import ROOT, free_port

pytestmark = pytest.mark.integration


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_subscriber_example_prints_the_events_it_bound_to_and_only_those(bus):
    proc = start(["examples/subscriber.py", "booking.held", "--count", "2"],
                 {"AMQP_URL": bus.settings.amqp_url, "ATTUNE_EXCHANGE": bus.settings.exchange})
    try:
        assert proc.stdout.readline().startswith(f"listening on {bus.settings.exchange}")
        held = bus.write("booking.held", "bk_sub", booking_data("bk_sub"))
        bus.write("booking.cancelled", "bk_sub", booking_data("bk_sub", "cancelled"))
        again = bus.write("booking.held", "bk_sub2", booking_data("bk_sub2"))
        drain(bus.relay())

        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()

    lines = out.strip().splitlines()
    assert len(lines) == 2, err
    assert "booking.held" in lines[0] and held["subject"] in lines[0] and "#1" in lines[0]
    assert again["subject"] in lines[1]
    assert "cancelled" not in out


def post(url: str, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_the_webhook_receiver_example_verifies_the_standard_webhooks_signature():
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    port = free_port()
    proc = start(["examples/webhook_receiver.py", "--port", str(port)], {"WEBHOOK_SECRET": secret})
    try:
        assert proc.stdout.readline().startswith("receiving webhooks")
        event = example("booking.confirmed")
        body = json.dumps(event).encode()
        now = datetime.now(UTC)
        headers = {"Content-Type": "application/cloudevents+json", "webhook-id": event["id"],
                   "webhook-timestamp": str(int(now.timestamp())),
                   "webhook-signature": Webhook(secret).sign(event["id"], now, body.decode())}
        url = f"http://127.0.0.1:{port}/"

        assert post(url, body, headers) == 204
        assert post(url, body, headers) == 204  # a retry: accepted, not printed twice
        assert post(url, body.replace(b"bk_7Yc2", b"bk_evil"), headers) == 400
        assert post(url, body, {**headers, "webhook-signature": "v1,AAAA"}) == 400
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)

    assert out.count("booking.confirmed") == 1
