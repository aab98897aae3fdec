"""Which slots suit a contact request: the client's weekdays and times, read in the client's zone."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.booking.domain.contact import ContactRequest
from services.booking.domain.errors import Conflict
from services.booking.domain.model import Client
from services.booking.domain.rules import Clinician


def request(**over) -> ContactRequest:
    fields = {"id": "r1", "client": Client("Sam", "sam@example.org"), "time_zone": "Australia/Sydney",
              "preferred_times": [{"weekday": "tue", "start": "18:00", "end": "24:00"}], **over}
    return ContactRequest.create(**fields)


def test_a_slot_suits_when_it_lies_wholly_inside_a_preferred_range_in_the_clients_zone():
    r = request()

    assert r.suits(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))  # Tue 18:00 in Sydney (UTC+11)
    assert r.suits(datetime(2026, 3, 3, 12, 45, tzinfo=UTC))  # Tue 23:45, ends at midnight
    assert not r.suits(datetime(2026, 3, 3, 6, 45, tzinfo=UTC))  # 17:45
    assert not r.suits(datetime(2026, 3, 3, 13, 0, tzinfo=UTC))  # Wed 00:00


def test_a_range_ending_mid_slot_does_not_suit_that_slot():
    r = request(preferred_times=[{"weekday": "tue", "start": "18:00", "end": "18:10"}])

    assert not r.suits(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))


@pytest.mark.parametrize("over, concerned", [
    ({"clinician_id": "c1"}, True),
    ({"clinician_id": "c2"}, False),
    ({"modality": "eft", "population": "couples"}, True),
    ({"modality": "ddp"}, False),
    ({"population": "children"}, False),
    ({}, True),
])
def test_a_request_concerns_the_clinician_it_names_or_any_who_offers_what_it_asks(over, concerned):
    c = Clinician("c1", modalities=["eft"], populations=["couples", "adults"])

    assert request(**over).concerns(c) is concerned


def test_creation_and_matches_are_recorded_and_a_closed_request_takes_no_match():
    r = request()
    start = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    assert r.status == "unverified" and r.verify() and not r.verify()  # its email confirmed, once

    r.match("c1", start, start)
    [created, matched] = r.pull_events()
    r.close()

    assert created[0] == "contact_request.created" and created[1]["client"]["email"] == "sam@example.org"
    assert matched == ("contact_request.matched", {"contact_request_id": "r1", "clinician_id": "c1",
                                                   "start": start, "end": start})
    with pytest.raises(Conflict):
        r.match("c1", start, start)
