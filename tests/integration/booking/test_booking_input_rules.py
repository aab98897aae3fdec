"""What a newcomer met at the booking service's door: blank names, unmailable addresses, missing consent,
a repeated confirm with other details, an unknown event type or a cursor that is no cursor."""
from __future__ import annotations

import pytest
from booking_support import at
from test_booking_events_api import ADMIN

from shared.validation import NAME_ERROR, ZONE_ERROR

pytestmark = pytest.mark.integration
TIMES = [{"weekday": "mon", "start": "09:00", "end": "10:00"}]


def contact(booking, **over):
    body = {"name": "Sam", "email": "sam@example.org", "time_zone": "UTC", "preferred_times": TIMES, "consent": True,
            **over}
    return booking.http.post("/v1/contact-requests", json={k: v for k, v in body.items() if v is not ...})


@pytest.mark.parametrize("name", ["   ", "\t \u00a0", ""])
def test_a_name_of_only_spaces_is_refused_naming_the_field_at_confirm_and_in_contact_requests(booking, name):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    confirmed = booking.confirm(hold, client={"name": name, "email": "ada@example.org"})
    asked = contact(booking, name=name)

    assert confirmed.status_code == 422 and "client.name" in confirmed.json["errors"]
    assert asked.status_code == 422 and "name" in asked.json["errors"]
    assert not booking.events("booking.confirmed") and not booking.events("contact_request.created")


def test_a_name_is_stored_without_its_surrounding_and_repeated_spaces(booking):
    cid = booking.clinician()
    made = booking.confirm(booking.hold(cid, at(0, "10:00")).json, client={"name": "  Ada   Lovelace ",
                                                                          "email": "ada@example.org"})

    assert made.status_code == 201
    assert booking.events("booking.confirmed")[0]["data"]["client"]["name"] == "Ada Lovelace"


@pytest.mark.parametrize("address", ['"a\u000bb"@example.org', '"a b"@example.org', "a\u200b@example.org",
                                     "ada@exa mple.org", "ada@-bad-.example", "ada@nodot", "x" * 65 + "@example.org"])
def test_an_address_the_mailer_could_not_write_is_refused_at_confirm_and_in_contact_requests(booking, address):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json

    confirmed = booking.confirm(hold, client={"name": "Ada", "email": address})
    asked = contact(booking, email=address)

    assert confirmed.status_code == 422 and "client.email" in confirmed.json["errors"], confirmed.json
    assert asked.status_code == 422 and "email" in asked.json["errors"]


@pytest.mark.parametrize("address", ["jörg@bücher.de", "用户@例子.广告", "o'brien+tag@example.co.uk"])
def test_internationalised_and_unusual_but_valid_addresses_are_taken(booking, address):
    cid = booking.clinician()

    made = booking.confirm(booking.hold(cid, at(0, "10:00")).json, client={"name": "Jörg", "email": address})

    assert made.status_code == 201, made.json


def test_a_contact_request_needs_consent_as_a_booking_does(booking):
    missing, refused = contact(booking, consent=...), contact(booking, consent=False)

    assert missing.status_code == 422 and "consent" in missing.json["errors"]
    assert refused.status_code == 422 and "consent" in refused.json["errors"]
    assert contact(booking).status_code == 201


def test_the_time_zone_error_reads_the_same_as_in_every_service(booking):
    asked = contact(booking, time_zone="America")  # a tzdata folder, not a zone

    assert asked.status_code == 422 and asked.json["errors"]["time_zone"] == [ZONE_ERROR]
    assert contact(booking, name=" ").json["errors"]["name"] == [NAME_ERROR]


def test_a_repeated_confirm_with_other_details_is_a_conflict_not_a_silent_success(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(0, "10:00")).json
    first = booking.confirm(hold)

    same = booking.confirm(hold)
    other = booking.confirm(hold, client={"name": "Eve Other", "email": "eve@example.org"})
    other_notes = booking.confirm(hold, notes="something else")

    assert first.status_code == same.status_code == 201 and same.json["manage_token"] == first.json["manage_token"]
    for answer in (other, other_notes):
        assert answer.status_code == 409 and "already confirmed with other details" in answer.json["detail"]
        assert answer.json["type"] == "https://attune.dev/problems/conflict"
    assert len(booking.events("booking.confirmed")) == 1
    assert booking.events("booking.confirmed")[0]["data"]["client"]["name"] == "Ada Client"


@pytest.mark.parametrize("query, field", [("type=bogus.type", "type"), ("type=booking.*,nope.*", "type"),
                                          ("type=booking", "type"), ("after=%C2%B2", "after"),
                                          ("after=9223372036854775808", "after"), ("after=-1", "after"),
                                          ("after=99999999999999999999999", "after")])
def test_the_feed_refuses_an_unknown_type_or_a_cursor_that_is_none_naming_the_parameter(booking, query, field):
    res = booking.http.get(f"/v1/events?{query}", headers=ADMIN)

    assert res.status_code == 422 and field in res.json["errors"], res.json
    assert res.json["type"] == "https://attune.dev/problems/invalid-input"


def test_the_feed_still_takes_known_types_families_and_the_largest_cursor(booking):
    for query in ("type=booking.confirmed", "type=booking.*,contact_request.created", "after=9223372036854775807"):
        assert booking.http.get(f"/v1/events?{query}", headers=ADMIN).status_code == 200, query
