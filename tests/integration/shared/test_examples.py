"""The integrator examples work: the pika subscriber prints relayed events, the webhook receiver
accepts only correctly signed deliveries."""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from kombu import Connection
from standardwebhooks.webhooks import Webhook

from shared.asyncapi import example
from shared.messaging.relay import drain
from tests.integration.shared.conftest import booking_data
from tests.support.system import ROOT, free_port, wait_until
from tests.support.tcp_proxy import TcpProxy

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


def test_the_subscriber_example_reconnects_after_the_broker_goes_away_and_resumes_its_durable_queue(bus):
    target = urlparse(bus.settings.amqp_url)
    proxy = TcpProxy(target.hostname, target.port or 5672)
    queue = f"test-subscriber-{secrets.token_hex(4)}"
    url = bus.settings.amqp_url.replace(f"{target.hostname}:{target.port or 5672}", f"127.0.0.1:{proxy.port}", 1)
    proc = start(["examples/subscriber.py", "booking.held", "--queue", queue, "--count", "3"],
                 {"AMQP_URL": url, "ATTUNE_EXCHANGE": bus.settings.exchange})
    try:
        assert proc.stdout.readline().startswith(f"listening on {bus.settings.exchange}")
        first = bus.write("booking.held", "bk_before", booking_data("bk_before"))
        drain(bus.relay())
        assert "bk_before" in proc.stdout.readline()

        proxy.cut()  # as a broker restart looks to the subscriber: connection dropped, then refused
        during = [bus.write("booking.held", f"bk_during{i}", booking_data(f"bk_during{i}")) for i in (1, 2)]
        drain(bus.relay())  # straight to the real broker: kept in the subscriber's durable queue
        wait_until(lambda: bus.depth(queue) == 2, 10)
        time.sleep(1.5)  # the subscriber tries (and is refused) while the "broker" is away
        proxy.restore()

        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    finally:
        proc.kill()
        proxy.cut()
        with Connection(bus.settings.amqp_url) as conn:
            conn.channel().queue_delete(queue)

    assert proc.returncode == 0, (out, err)
    lines = out.strip().splitlines()
    assert lines[0].startswith("reconnected, listening") and queue in lines[0]
    assert [line.split()[2] for line in lines[1:]] == [e["subject"] for e in during]
    assert "reconnecting in" in err
    assert first["subject"] not in out, "the event shown before the cut is not shown again"
    assert proxy.accepted >= 2
