"""What the emails and the invite say about how the call happens, how to reach the practice, and the clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from icalendar import Calendar

from services.notifications.service_layer import compose
from shared import call
from shared.config import load

KEY = "k" * 40
START = datetime(2026, 3, 30, 16, tzinfo=UTC)  # 12:00 in New York (EDT)
NOW = datetime(2026, 3, 27, 12, tzinfo=UTC)


def settings(**env):
    return load("notifications", {"ATTUNE_SECRET_KEY": KEY, "PRACTICE_PHONE": "+1 206 555 0142",
                                  "PRACTICE_EMAIL": "hello@practice.test", "BOOKING_PUBLIC_URL": "https://book.test",
                                  **env})


def view(method=None, video_url=None, phone="+1 212 555 0199"):
    return {"booking_id": "bk-1", "start": START, "end": START + timedelta(minutes=15), "client_name": "Robin Example",
            "client_email": "robin@client.test", "client_phone": phone, "client_zone": "America/New_York",
            "sealed_manage_token": None, "clinician_name": "Dr Ada Winter", "clinician_email": "ada@clinic.test",
            "clinician_zone": "America/New_York", "ics_sequence": 0, "clinician_call_method": method,
            "clinician_video_url": video_url}


def vevent(content: dict):
    return next(c for c in Calendar.from_ical(content["ics"]).walk() if c.name == "VEVENT")


def test_a_phone_call_is_said_plainly_to_both_parties_and_in_the_invite():
    s = settings()
    mail = compose.for_client(s, view("phone"), "booking_confirmed", NOW)
    assert "How: Dr Ada Winter will call you at +1 212 555 0199." in mail["text"]
    assert "Dr Ada Winter will call you at +1 212 555 0199." in mail["html"]
    event = vevent(mail)
    assert str(event["location"]) == "Phone call: Dr Ada Winter calls you at +1 212 555 0199"
    assert str(event["url"]) == "https://book.test/"
    assert "Dr Ada Winter will call you at +1 212 555 0199." in str(event["description"])
    to_clinician = compose.for_clinician(s, view("phone"), "booking_confirmed")
    assert "How: Please call Robin Example at +1 212 555 0199." in to_clinician["text"]


def test_a_video_call_without_a_standing_link_gets_the_bookings_own_link_everywhere():
    s = settings()
    link = call.for_booking("video", None, "bk-1", s.call_video_url_template, KEY)["video_url"]
    assert link.startswith("https://meet.jit.si/attune-")
    client = compose.for_client(s, view("video"), "booking_confirmed", NOW)
    clinician = compose.for_clinician(s, view("video"), "booking_confirmed")
    for body in (client["text"], clinician["text"]):
        assert f"How: Join by video: {link}" in body
    assert f'href="{link}"' in client["html"] and f'href="{link}"' in clinician["html"]
    event = vevent(client)
    assert str(event["location"]) == link and str(event["url"]) == link
    assert f"Join by video: {link}" in str(event["description"])


def test_a_clinicians_standing_video_link_is_used_and_reminders_repeat_it():
    s = settings()
    mail = compose.for_client(s, view("video", "https://meet.example.org/dr-winter"), "reminder_1h", NOW)
    assert "How: Join by video: https://meet.example.org/dr-winter" in mail["text"]


def test_every_email_names_the_practices_phone_and_email():
    s = settings()
    request = SimpleNamespace(client_name="Sam Seeker", client_phone="+1 212 555 0199", time_zone="America/New_York",
                              contact_request_id="cr-1")
    mails = [compose.for_client(s, view("phone"), "booking_cancelled", NOW),
             compose.for_clinician(s, view("video"), "booking_confirmed"),
             compose.contact_request_ack(s, request, "Dr Ada Winter"),
             compose.slot_offer(s, request, None, {"clinician_id": "c-1", "start": START}, for_practice=False)]
    for mail in mails:
        assert "call +1 206 555 0142 or email hello@practice.test" in mail["text"], mail["subject"]
        assert "mailto:hello@practice.test" in mail["html"] and "tel:+12065550142" in mail["html"]


def test_without_practice_contact_settings_no_empty_contact_line_is_written():
    s = load("notifications", {"ATTUNE_SECRET_KEY": KEY})
    mail = compose.for_client(s, view("phone"), "booking_confirmed", NOW)
    assert "To reach" not in mail["text"] and "data-practice-contact" not in mail["html"]


def test_times_follow_the_practice_locales_clock_in_the_clients_zone():
    us = compose.for_client(settings(), view("phone"), "booking_confirmed", NOW)
    assert "When: Monday, March 30, 2026, 12:00–12:15 PM EDT (America/New_York)" in us["text"]
    assert "Mon Mar 30 12:00 PM EDT" in us["subject"]
    gb = compose.for_client(settings(PRACTICE_LOCALE="en-GB"), view("phone"), "booking_confirmed", NOW)
    assert "When: Monday 30 March 2026, 12:00–12:15 EDT (America/New_York)" in gb["text"]
    assert "Mon 30 Mar 12:00 EDT" in gb["subject"]


def test_the_acknowledgement_of_a_contact_request_says_what_happens_next():
    request = SimpleNamespace(client_name="Sam Seeker", time_zone="America/New_York", contact_request_id="cr-1")
    mail = compose.contact_request_ack(settings(), request, "Dr Ada Winter")
    assert "has your request to talk with Dr Ada Winter" in mail["text"]
    assert "What happens next" in mail["text"] and "https://book.test/" in mail["text"]


def test_contact_requests_reach_the_practice_with_the_taxonomys_labels(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"modalities": {"cbt": "Cognitive Behavioural Therapy (CBT)"}, "populations": {"ind": "Individuals"}}')
    s = settings(ATTUNE_TAXONOMY=str(path))
    data = {"contact_request_id": "cr-1", "client": {"name": "Sam"}, "time_zone": "UTC", "modality": "cbt",
            "population": "ind", "preferred_times": []}
    mail = compose.contact_request_for_practice(s, data, None)
    assert "Modality: Cognitive Behavioural Therapy (CBT)" in mail["text"] and "For: Individuals" in mail["text"]
