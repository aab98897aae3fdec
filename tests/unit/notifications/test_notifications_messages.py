"""Building what goes out: calendar invites, MIME messages, .eml files, templates and links."""
from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from icalendar import Calendar

from services.notifications.adapters import calendar
from services.notifications.adapters.mailer import FileMailer, build_message
from services.notifications.adapters.templates import render
from services.notifications.service_layer.compose import manage_links, reveal
from shared import sealed
from shared.config import load

START = datetime(2026, 3, 30, 8, tzinfo=UTC)
NOW = datetime(2026, 3, 27, 12, tzinfo=UTC)


def invite_text(method="REQUEST", sequence=0) -> str:
    return calendar.invite(method=method, booking_id="b-1", sequence=sequence, start=START,
                           end=START + timedelta(minutes=15), now=NOW, summary="Consultation call with Dr Winter",
                           organizer=("Attune Practice", "practice@attune.test"),
                           attendee=("Robin Example", "robin@client.test"), description="Reschedule: https://x")


def test_an_invite_has_the_method_a_stable_uid_its_sequence_and_utc_times():
    cal = Calendar.from_ical(invite_text("CANCEL", 3))
    event = next(c for c in cal.walk() if c.name == "VEVENT")
    assert cal["method"] == "CANCEL" and str(event["uid"]) == "b-1@attune" and int(event["sequence"]) == 3
    assert event.decoded("dtstart") == START and event.decoded("dtstart").tzinfo is not None
    assert str(event["status"]) == "CANCELLED"
    assert str(event["attendee"]) == "mailto:robin@client.test" and event["attendee"].params["CN"] == "Robin Example"
    assert str(event["organizer"]) == "mailto:practice@attune.test"


def row(**over):
    values = {"id": "n-1", "subject": "Booked:\r\nBcc: evil@x.test", "recipient": "robin@client.test",
              "kind": "booking_confirmed_client", "text_body": "Hello Robin", "html_body": "<p>Hello Robin</p>",
              "ics": invite_text(), "ics_method": "REQUEST"}
    return SimpleNamespace(**{**values, **over})


def test_a_message_has_text_and_html_and_the_invite_as_text_calendar_with_its_method():
    msg = email.message_from_bytes(bytes(build_message(row(), ("Attune Practice", "practice@attune.test"), NOW)))
    types = [p.get_content_type() for p in msg.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert ics.get_param("method") == "REQUEST" and ics.get_filename() == "invite.ics"
    assert msg["Message-ID"] == "<n-1@attune>" and msg["X-Attune-Notification"] == "booking_confirmed_client"
    assert msg["Bcc"] is None and msg["Subject"] == "Booked: Bcc: evil@x.test"


def test_without_smtp_each_message_becomes_one_eml_file(tmp_path):
    mailer = FileMailer(tmp_path / "mail")
    with mailer.connection() as conn:
        conn.send(build_message(row(ics=None), ("Attune", "practice@attune.test"), NOW))
    [written] = list((tmp_path / "mail").iterdir())
    assert written.name == "n-1.eml"
    assert email.message_from_bytes(written.read_bytes())["To"] == "robin@client.test"


def test_html_bodies_are_autoescaped_and_text_bodies_are_not():
    text, html = render("slot_offer_client", subject="s", practice_name="P", brand_color="#000", crisis_notice="c",
                        client_name="<b>Sam</b>", client_phone=None, clinician_name=None, contact_request_id="r",
                        when="Monday", book_url="https://x/?a=1&b=2")
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html and "a=1&amp;b=2" in html
    assert "<b>Sam</b>" in text


def test_manage_links_carry_the_unsealed_token_in_the_url_fragment():
    key = "k" * 40
    settings = load("notifications", {"BOOKING_PUBLIC_URL": "https://book.example/", "ATTUNE_SECRET_KEY": key})
    links = manage_links(settings, {"booking_id": "b 1",
                                    "sealed_manage_token": sealed.seal(key, sealed.MANAGE_LINK, "t/k")})
    assert "t%2Fk" not in str(links), "stored mails keep the token sealed"
    assert reveal(settings, links["cancel_url"]) == "https://book.example/#/manage/b%201?token=t%2Fk&action=cancel"
    assert reveal(settings, links["reschedule_url"]) == ("https://book.example/#/manage/b%201?token=t%2Fk"
                                                         "&action=reschedule")
    assert manage_links(settings, {"booking_id": "b1", "sealed_manage_token": None})["manage_url"] is None


def test_a_manage_token_sealed_with_another_key_or_purpose_gives_no_link():
    key = "k" * 40
    settings = load("notifications", {"ATTUNE_SECRET_KEY": key})
    for foreign in (sealed.seal("o" * 40, sealed.MANAGE_LINK, "t"), sealed.seal(key, "calendar", "t")):
        assert manage_links(settings, {"booking_id": "b1", "sealed_manage_token": foreign})["manage_url"] is None
