"""Where the notifications service sends: webhook targets judged by any IPv4 address inside an IPv6 one,
and mail written with valid `To:` headers (internationalised ones included) or recorded failed, never sent."""
from __future__ import annotations

import contextlib
import email
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select

from services.notifications.adapters.orm import emails
from services.notifications.service_layer import email_outbox
from tests.integration.notifications.conftest import NOW, PRACTICE, apply
from tests.support.system import free_port

pytestmark = pytest.mark.integration
START = NOW + timedelta(days=2)
LOOPBACK_IN_DISGUISE = ["64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:7f00:1::",
                        "2002:a9fe:a9fe::1", "::7f00:1", "::ffff:7f00:1", "2001:0:4136:e378:8000:63bf:80ff:fffe"]


@pytest.mark.parametrize("address", LOOPBACK_IN_DISGUISE)
def test_a_webhook_to_an_ipv6_address_embedding_a_private_ipv4_one_is_refused(make_container, address):
    from services.notifications.entrypoints.flask_app import create_app

    container = make_container("notifications", WEBHOOK_ALLOWED_HOSTS="")
    api = create_app(container).test_client()

    res = api.post("/v1/webhooks", json={"url": f"http://[{address}]:8080/hook", "events": ["booking.*"]},
                   headers={"Authorization": "Bearer test-admin-Vq8xK2pLm9RzW4nY7c"})

    assert res.status_code == 422, res.get_json()
    assert "private, loopback or reserved" in res.get_json()["errors"]["url"][0]


def setup_booking(container, events, email_address: str):
    clinician = events.clinician(email=None)
    apply(container, clinician)
    apply(container, events.confirmed(clinician["data"]["clinician_id"], START,
                                      client={"name": "Jörg Müller", "email": email_address, "phone": None}))


def rows(container) -> list:
    with container.db.read() as s:
        return list(s.execute(select(emails).order_by(emails.c.created_at)))


def test_an_internationalised_address_is_written_to_the_eml_file_as_a_valid_utf8_header(make_container, clock,
                                                                                          events):
    container = make_container("notifications", clock=clock, PRACTICE_INBOX=PRACTICE)  # no SMTP_URL: .eml files
    setup_booking(container, events, "jörg@bücher.de")

    email_outbox.send_due(container)

    [row] = rows(container)
    assert row.status == "sent"
    [eml] = list(container.settings.mail_dir.glob("*.eml"))
    raw = eml.read_bytes()
    [to_line] = [line for line in raw.split(b"\n") if line.startswith(b"To:")]
    assert to_line.rstrip() == "To: jörg@xn--bcher-kva.de".encode()
    assert b"=?utf-8?" not in to_line
    parsed = email.message_from_bytes(raw, policy=policy.SMTPUTF8)
    assert parsed["To"].addresses[0].domain == "xn--bcher-kva.de"
    assert "Jörg Müller" in parsed.get_body(("plain",)).get_content()


@contextlib.contextmanager
def smtp_server(smtputf8: bool):
    """A real SMTP server (aiosmtpd) that does or does not offer SMTPUTF8; yields its URL and what it took."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.smtp_utf8, envelope.original_content or envelope.content))
            return "250 OK"

    port = free_port()
    server = Controller(Handler(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    server.start()
    try:
        yield f"smtp://127.0.0.1:{port}", received
    finally:
        server.stop()


def send_to(make_container, clock, events, smtp_url: str, address: str):
    container = make_container("notifications", clock=clock, SMTP_URL=smtp_url, PRACTICE_INBOX=PRACTICE)
    setup_booking(container, events, address)
    email_outbox.send_due(container)
    return container


def test_an_internationalised_address_goes_out_by_smtputf8_to_a_server_that_takes_it(make_container, clock,
                                                                                     events):
    with smtp_server(smtputf8=True) as (url, received):
        container = send_to(make_container, clock, events, url, "用户@例子.广告")

    [(rcpts, smtp_utf8, content)] = received
    assert rcpts == ["用户@xn--fsqu00a.xn--4rr70v"] and smtp_utf8
    assert "To: 用户@xn--fsqu00a.xn--4rr70v".encode() in content
    assert [r.status for r in rows(container)] == ["sent"]


def test_a_server_without_smtputf8_fails_an_internationalised_mail_for_good_instead_of_retrying(
        make_container, clock, events):
    with smtp_server(smtputf8=False) as (url, received):
        container = send_to(make_container, clock, events, url, "jörg@bücher.de")

    [row] = rows(container)
    assert received == []
    assert row.status == "failed" and row.sent_at is None and "SMTPNotSupportedError" in row.last_error
    failed = [e for e in container_events(container) if e["type"] == "notification.failed"]
    assert len(failed) == 1 and not [e for e in container_events(container) if e["type"] == "notification.sent"]


def test_a_recipient_the_mailer_cannot_write_is_recorded_failed_and_never_sent(make_container, clock):
    container = make_container("notifications", clock=clock, PRACTICE_INBOX=PRACTICE)
    with container.db.write() as s:
        email_outbox.enqueue(s, clock.now(), dedup_key="k1", kind="booking_confirmed", role="client",
                             recipient='"a\u000bb"@example.org', content={"subject": "s", "text": "t", "html": "h"})

    email_outbox.send_due(container)

    [row] = rows(container)
    assert row.status == "failed" and row.sent_at is None and "unbuildable" in row.last_error
    assert not list(container.settings.mail_dir.glob("*.eml"))


def container_events(container) -> list[dict]:
    import json

    t = container.tables["outbox"]
    with container.db.read() as s:
        return [json.loads(b) for b in s.scalars(select(t.c.body).order_by(t.c.id))]


def test_a_delivery_connects_only_to_the_address_it_judged_so_a_rebinding_dns_answer_cannot_redirect_it(
        monkeypatch, receiver):
    """A host that resolves to a public address when judged and to 127.0.0.1 right after (DNS
    rebinding): the delivery goes to the judged address or nowhere, never to the loopback receiver."""
    import socket

    from services.notifications.adapters import webhook_sender

    answers = iter(["203.0.113.7", "127.0.0.1", "127.0.0.1", "127.0.0.1"])  # judged public (below), then local
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(webhook_sender, "refusal", lambda host, addresses, allowlist: None
                        if addresses == ["203.0.113.7"] else "private")
    port = receiver.server.server_address[1]

    outcome = webhook_sender.send(f"http://rebind.example:{port}/hook", "whsec_" + "A" * 32, "msg_1", "{}",
                                  timeout=0.5, allowlist=())

    assert receiver.requests == []
    assert not outcome.ok and (outcome.error == "timed out" or outcome.error.startswith("connection failed"))


def test_a_delivery_to_an_allowed_host_still_reaches_it_with_its_host_name(receiver):
    from services.notifications.adapters import webhook_sender

    outcome = webhook_sender.send(receiver.url("/hook?x=1"), "whsec_" + "A" * 32, "msg_2", '{"a":1}', timeout=5,
                                  allowlist=("127.0.0.1",))

    [request] = receiver.requests
    assert outcome.ok and request["path"] == "/hook?x=1" and request["body"] == b'{"a":1}'
    assert request["headers"]["Host"] == f"127.0.0.1:{receiver.server.server_address[1]}"
    assert request["headers"]["webhook-id"] == "msg_2"
