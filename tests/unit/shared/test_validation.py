"""Shared input rules: names, mailable addresses, time zones."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from shared import validation


class Person(Schema):
    name = validation.PersonName(required=True)
    email = validation.MailableEmail(required=True)


@pytest.mark.parametrize("address", ['"a\u000bb"@example.org', '"ab"@example.org', "a b@example.org",
                                     "a\u200b@example.org", "a@b@example.org", "@example.org", "ada@",
                                     "ada@-x-.org", "ada@nodot", "a" * 65 + "@example.org", "a..b@example.org",
                                     "ada@exa_mple.org", "ada\r\nBcc: x@example.org"])
def test_addresses_no_mailer_could_write_are_refused_with_a_reason(address):
    with pytest.raises(ValueError):
        validation.mailbox(address)
    with pytest.raises(ValidationError):
        Person().load({"name": "Ada", "email": address})


@pytest.mark.parametrize("address, local, domain, international", [
    ("ada@example.org", "ada", "example.org", False), ("Sam@Client.test", "Sam", "Client.test", False),
    ("jörg@bücher.de", "jörg", "xn--bcher-kva.de", True), ("ada@例子.广告", "ada", "xn--fsqu00a.xn--4rr70v", False),
    ("o'brien+x@example.co.uk", "o'brien+x", "example.co.uk", False), ("practice@localhost", "practice", "localhost",
                                                                      False)])
def test_mailable_addresses_give_the_form_the_mailer_writes(address, local, domain, international):
    box = validation.mailbox(address)
    assert (box.local, box.domain, box.international) == (local, domain, international)


@pytest.mark.parametrize("name", ["", " ", "\u00a0\t ", "\n"])
def test_a_blank_name_is_refused(name):
    with pytest.raises(ValidationError) as e:
        Person().load({"name": name, "email": "a@example.org"})
    assert e.value.messages == {"name": [validation.NAME_ERROR]}


def test_a_name_is_kept_with_single_spaces_and_control_characters_are_refused():
    assert Person().load({"name": "  Ada \t Lovelace ", "email": "a@example.org"})["name"] == "Ada Lovelace"
    with pytest.raises(ValidationError):
        Person().load({"name": "Ada\x00", "email": "a@example.org"})


@pytest.mark.parametrize("zone, ok", [("Europe/Berlin", True), ("UTC", True), ("America", False), ("EST", False),
                                      ("Europe", False), ("../etc/passwd", False), ("", False)])
def test_time_zones_are_iana_names_never_folders_or_abbreviations(zone, ok):
    assert validation.is_zone(zone) is ok
