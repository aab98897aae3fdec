"""A new contact request with an email gets one confirmation email, its link built from the sealed token."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.notifications.adapters.orm import emails
from shared import sealed
from tests.conftest import TEST_SECRET_KEY
from tests.integration.notifications.conftest import apply

pytestmark = pytest.mark.integration


def test_the_client_is_mailed_a_confirmation_link_only_the_sealed_token_opens(notifications, events):
    request = events.contact_request(email_address="sam@client.test")
    rid = request["data"]["contact_request_id"]
    request["data"]["verification"] = sealed.seal(TEST_SECRET_KEY, "contact-verify", "tok-123")
    forged = events.contact_request(email_address="kim@client.test")
    forged["data"]["verification"] = sealed.seal("another-key-" + "x" * 32, "contact-verify", "tok-456")

    apply(notifications, request)
    apply(notifications, request)  # redelivered
    apply(notifications, forged)

    with notifications.db.read() as s:
        rows = s.execute(select(emails.c.recipient, emails.c.kind, emails.c.text_body)).all()
    to_clients = [r for r in rows if r.kind == "contact_request_verify_client"]
    assert [r.recipient for r in to_clients] == ["sam@client.test"]
    assert f"/v1/contact-requests/{rid}/verify?token=tok-123" in to_clients[0].text_body
    assert sum(1 for r in rows if r.kind.startswith("contact_request_practice")) == 2
