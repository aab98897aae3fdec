"""Issue 15 in notifications: client_data.erased forgets a booking's mail, projection, reminders and .eml
files; booking.duplicate_requested mails the existing booking's manage link to that booking's own client."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.orm import metadata
from tests.integration.notifications.conftest import NOW, PRACTICE, apply

pytestmark = pytest.mark.integration


def count(container, table: str, **where) -> int:
    t = metadata.tables[table]
    q = select(func.count()).select_from(t)
    for name, value in where.items():
        q = q.where(t.c[name] == value)
    with container.db.read() as s:
        return s.execute(q).scalar()


def erased(events, booking_ids=(), request_ids=(), basis="request") -> dict:
    return events.make("client_data.erased", "erasure-er_1", {
        "erasure_id": "er_1", "basis": basis, "booking_ids": list(booking_ids),
        "contact_request_ids": list(request_ids)})


def test_an_erasure_forgets_the_bookings_mail_reminders_and_client_and_keeps_the_others(notifications, events):
    clin = events.clinician()
    apply(notifications, clin)
    gone = events.confirmed(clin["subject"], NOW + timedelta(days=3))
    kept = events.confirmed(clin["subject"], NOW + timedelta(days=4))
    request = events.contact_request()
    for event in (gone, kept, request):
        apply(notifications, event)
    assert count(notifications, "emails", booking_id=gone["subject"]) == 2
    assert count(notifications, "reminders", booking_id=gone["subject"]) > 0

    apply(notifications, erased(events, [gone["subject"]], [request["subject"]]))

    assert count(notifications, "emails", booking_id=gone["subject"]) == 0
    assert count(notifications, "emails", contact_request_id=request["subject"]) == 0
    assert count(notifications, "reminders", booking_id=gone["subject"]) == 0
    assert count(notifications, "contact_requests") == 0
    t = metadata.tables["bookings"]
    with notifications.db.read() as s:
        row = s.execute(select(t).where(t.c.booking_id == gone["subject"])).one()
    assert (row.client_name, row.client_email, row.client_phone, row.manage_token) == (None,) * 4
    assert count(notifications, "emails", booking_id=kept["subject"]) == 2  # someone else's stays


def test_the_file_mailers_eml_files_of_erased_mail_are_deleted(make_container, clock, events, tmp_path):
    from services.notifications.entrypoints.jobs import send_emails

    container = make_container("notifications", clock=clock, PRACTICE_INBOX=PRACTICE, ATTUNE_VAR_DIR=str(tmp_path))
    try:
        clin = events.clinician()
        apply(container, clin)
        booked = events.confirmed(clin["subject"], NOW + timedelta(days=3))
        apply(container, booked)
        send_emails(container)
        mail_dir = container.settings.mail_dir
        assert len(list(mail_dir.glob("*.eml"))) == 2

        apply(container, erased(events, [booked["subject"]]))

        assert list(mail_dir.glob("*.eml")) == []
    finally:
        container.extra["dispatcher"].close()


def test_a_second_free_consultation_mails_the_existing_link_to_that_bookings_client_once_a_day(
        notifications, events):
    clin = events.clinician()
    apply(notifications, clin)
    booked = events.confirmed(clin["subject"], NOW + timedelta(days=3),
                              client={"name": "Robin Example", "email": "robin@client.test", "phone": None})
    apply(notifications, booked)
    again = events._booking(booked["subject"], clin["subject"], NOW + timedelta(days=3), "confirmed")

    apply(notifications, events.make("booking.duplicate_requested", booked["subject"], again))
    apply(notifications, events.make("booking.duplicate_requested", booked["subject"], again))

    t = metadata.tables["emails"]
    with notifications.db.read() as s:
        rows = s.execute(select(t).where(t.c.kind == "booking_duplicate_client")).all()
    assert len(rows) == 1
    [row] = rows
    assert row.recipient == "robin@client.test" and row.booking_id == booked["subject"]
    assert "/#/manage/" in row.text_body and "{sealed:" in row.text_body  # the link, sealed until it is sent
    assert "one free consultation" in row.text_body


def test_the_clinician_projection_keeps_how_the_call_happens(notifications, events):
    phone = events.clinician(call={"method": "phone"}, max_per_day=3)
    video = events.clinician(call={"method": "video", "video_url": "https://meet.example.org/dr"})
    plain = events.clinician()
    for event in (phone, video, plain):
        apply(notifications, event)

    t = metadata.tables["clinicians"]
    with notifications.db.read() as s:
        found = {r.clinician_id: (r.call_method, r.video_url) for r in s.execute(select(t))}
    assert found[phone["subject"]] == ("phone", None)
    assert found[video["subject"]] == ("video", "https://meet.example.org/dr")
    assert found[plain["subject"]] == ("video", None)
