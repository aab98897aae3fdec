"""Issue 15's clarity in the booking service: each booking says how its call happens; the practice's taxonomy,
contact and locale reach the booking page; a verified contact request is announced for its acknowledgement."""
from __future__ import annotations

import json
import re

import pytest
from booking_support import at, bearer
from test_booking_contact_verification import ask, verify_link

from shared import call
from tests.conftest import TEST_SECRET_KEY

pytestmark = pytest.mark.integration


def with_call(booking, cid: str, how: dict) -> None:
    booking.feed("clinician.created", {
        "clinician_id": cid, "name": "Dr Test", "email": "dr@example.org", "time_zone": "Europe/Berlin",
        "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True,
        "active": True, "call": how})


def test_a_booking_says_how_its_call_happens_at_confirmation_and_through_its_manage_link(booking):
    phone, video, own = (booking.clinician() for _ in range(3))
    with_call(booking, phone, {"method": "phone"})
    with_call(booking, own, {"method": "video", "video_url": "https://meet.example.org/dr-test"})

    by_phone = booking.book(phone, at(1, "10:00"))
    by_video = booking.book(video, at(1, "10:00"))
    by_own_link = booking.book(own, at(1, "10:00"))

    assert by_phone["call"] == {"method": "phone"}
    made = call.for_booking("video", None, by_video["id"], booking.container.settings.call_video_url_template,
                            TEST_SECRET_KEY)
    assert by_video["call"] == made and made["video_url"].startswith("https://meet.jit.si/attune-")
    assert by_own_link["call"] == {"method": "video", "video_url": "https://meet.example.org/dr-test"}
    read = booking.http.get(f"/v1/bookings/{by_video['id']}", headers=bearer(by_video["manage_token"]))
    assert read.json["call"] == made, "the manage page shows the same link as the confirmation"
    other = booking.book(video, at(1, "10:15"))
    assert other["call"]["video_url"] != made["video_url"], "each booking its own room"


def page_config(booking) -> dict:
    html = booking.http.get("/").get_data(as_text=True)
    return json.loads(re.search(r'<script type="application/json" id="attune-config">(.*?)</script>', html).group(1))


def test_the_booking_page_carries_the_practices_taxonomy_contact_and_locale(make_booking, tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps({"modalities": [{"code": "cbt", "label": "Cognitive Behavioural Therapy (CBT)"}],
                                "populations": [{"code": "individuals", "label": "Individuals"}]}))
    booking = make_booking(ATTUNE_TAXONOMY=str(path), PRACTICE_PHONE="+1 206 555 0142",
                           PRACTICE_EMAIL="hello@practice.test", PRACTICE_LOCALE="en-GB")

    config = page_config(booking)
    html = booking.http.get("/").get_data(as_text=True)

    assert config["taxonomy"]["modalities"] == [{"code": "cbt", "label": "Cognitive Behavioural Therapy (CBT)"}]
    assert (config["practicePhone"], config["practiceEmail"], config["locale"]) == \
        ("+1 206 555 0142", "hello@practice.test", "en-GB")
    assert 'href="tel:+12065550142"' in html and 'href="mailto:hello@practice.test"' in html
    assert ask(booking, modality="cbt", population="individuals").status_code == 201
    refused = ask(booking, modality="eft")
    assert refused.status_code == 422 and "modality" in refused.json["errors"]


def test_a_verified_contact_request_is_announced_without_client_details(booking):
    rid = ask(booking).json["id"]
    assert booking.events("contact_request.verified") == []

    booking.http.post(verify_link(booking, rid), headers={"Accept": "application/json"})
    booking.http.post(verify_link(booking, rid), headers={"Accept": "application/json"})  # again: nothing new

    [verified] = booking.events("contact_request.verified")
    assert verified["subject"] == rid and verified["data"] == {"contact_request_id": rid, "status": "open"}
