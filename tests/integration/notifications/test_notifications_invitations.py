"""`account.invited` from the staff service becomes one invitation email per event, its link to the console
opened from the sealed token only as the message is built; the link then lets the person choose a password."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from services.notifications.adapters.orm import emails
from services.notifications.service_layer import email_outbox
from services.staff.domain.passwords import Passwords
from shared import sealed
from tests.integration.notifications.conftest import apply
from tests.integration.notifications.test_notifications_email import html, text
from tests.integration.staff.conftest import outbox_events
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.integration
STAFF_URL = "https://console.practice.test"


@pytest.fixture
def sink():
    box = SmtpSink()
    yield box
    box.stop()


@pytest.fixture
def pair(make_container, clock, sink):
    """The staff service (its API) and the notifications service, on one secret key, mail to the sink."""
    from argon2 import PasswordHasher

    from services.staff.entrypoints.flask_app import create_app

    staff = make_container("staff", clock=clock)
    staff.extra["passwords"] = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    notifications = make_container("notifications", clock=clock, SMTP_URL=sink.url, STAFF_PUBLIC_URL=STAFF_URL,
                                   PRACTICE_NAME="Harbour Family Therapy")
    yield create_app(staff).test_client(), staff, notifications
    notifications.extra["dispatcher"].close()


def invited_events(staff) -> list[dict]:
    return outbox_events(staff, "account.invited")


def test_the_invited_person_gets_one_email_whose_link_lets_them_choose_a_password(pair, sink, admin_headers):
    api, staff, notifications = pair
    made = api.post("/v1/invitations", json={"email": "rosa@clinic.test", "name": "Rosa <b>Reyes</b>",
                                             "role": "clinician", "clinician_id": "cl-3"}, headers=admin_headers)
    assert made.status_code == 201
    [event] = invited_events(staff)

    apply(notifications, event)
    apply(notifications, event)  # redelivered: still one email
    email_outbox.send_due(notifications)

    [mail] = sink.to("rosa@clinic.test")
    assert "Harbour Family Therapy" in mail["Subject"]
    body, page = text(mail), html(mail)
    [link] = re.findall(rf"{re.escape(STAFF_URL)}/#/invite/(\S+)", body)
    assert f'href="{STAFF_URL}/#/invite/{link}"' in page
    assert "Rosa <b>Reyes</b>" in body and "Rosa &lt;b&gt;Reyes&lt;/b&gt;" in page and "a clinician" in body
    with notifications.db.read() as s:
        stored = " ".join(str(v) for row in s.execute(select(emails)) for v in row)
    assert link not in stored and "{sealed:staff-invitation:gAAAAA" in stored, "the stored mail keeps the token sealed"
    accepted = api.post("/v1/invitations/accept", json={"token": link, "password": "a lantern by the sea 5"})
    assert accepted.status_code == 201 and accepted.get_json()["account"]["role"] == "clinician"
    assert api.post("/v1/invitations/accept", json={"token": link, "password": "a lantern by the sea 5"}
                    ).status_code == 410


def test_a_resend_is_a_second_email_with_a_new_link_and_an_unreadable_token_sends_nothing(
        pair, sink, admin_headers):
    api, staff, notifications = pair
    made = api.post("/v1/invitations", json={"email": "tom@clinic.test", "role": "staff"}, headers=admin_headers)
    api.post(f"/v1/invitations/{made.get_json()['id']}/resend", headers=admin_headers)
    first, second = invited_events(staff)
    forged = {**second, "id": "forged-1", "data": {**second["data"], "sealed_invitation_token": sealed.seal(
        "another-key-" + "x" * 32, "staff-invitation", "tok")}}

    for event in (first, second, forged):
        apply(notifications, event)
    email_outbox.send_due(notifications)

    links = [re.search(r"/#/invite/(\S+)", text(m)).group(1) for m in sink.to("tom@clinic.test")]
    assert len(links) == 2 and links[0] != links[1]
    assert api.post("/v1/invitations/accept", json={"token": links[0], "password": "a lantern by the sea 5"}
                    ).status_code == 404, "the first link died with the resend"
