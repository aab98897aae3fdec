"""Clinicians and schedules as aggregates, and the events they carry."""
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.availability.domain.model import Clinician, Schedule, speaks
from services.availability.domain.slots import epoch
from services.availability.entrypoints.slots_api import SlotRenderer
from shared.events import new_event, parse


def ada(**fields) -> Clinician:
    return Clinician(**{"id": "cln_1", "name": "Ada", "email": "ada@example.org", "time_zone": "Europe/London",
                        "modalities": ["eft", "mbt"], "populations": ["couples"], "languages": ["en-GB", "fr"],
                        **fields})


def test_a_change_reports_only_the_fields_whose_value_changed():
    clinician = ada()
    assert clinician.change({"name": "Ada", "accepting_new_clients": False, "id": "other"}) == {"accepting_new_clients"}
    assert clinician.accepting_new_clients is False and clinician.id == "cln_1"


def test_matching_filters_combine_and_a_language_matches_its_regional_variants():
    clinician = ada()
    assert clinician.matches(modality="mbt", population="couples", language="en", accepting=True)
    assert not clinician.matches(modality="abft")
    assert not clinician.matches(accepting=False)
    assert speaks(["en-GB"], "EN") and speaks(["en-GB"], "en-gb") and not speaks(["en-GB"], "en-US")
    assert not speaks(["eng"], "en")


def test_clinician_events_carry_the_email_for_the_other_services():
    event = new_event("clinician.created", "/attune/availability", "cln_1", 1, ada().event_data(),
                      datetime(2026, 3, 4, tzinfo=UTC))
    _, data = parse(json.dumps(event))
    assert data["clinician_id"] == "cln_1" and data["email"] == "ada@example.org" and data["active"] is True


def test_a_new_schedule_gets_the_next_version_and_its_event_the_whole_schedule():
    stored = {"weekly": [{"weekday": "mon", "start": "09:00", "end": "12:00"}],
              "overrides": [{"date": "2026-03-10", "windows": []}],
              "time_off": [{"start": "2026-03-11T00:00:00Z", "end": "2026-03-12T00:00:00Z"}]}
    schedule = Schedule("cln_1", 3).replaced(**stored)
    event = new_event("availability.changed", "/attune/availability", "cln_1", 5,
                      schedule.event_data("Europe/London"), datetime(2026, 3, 4, tzinfo=UTC))
    _, data = parse(json.dumps(event))
    assert schedule.version == 4 and schedule.bumped().version == 5
    assert data["version"] == 4 and data["time_zone"] == "Europe/London"
    assert data["overrides"][0]["date"] == date(2026, 3, 10)
    assert event["data"]["time_off"][0]["start"].startswith("2026-03-11T00:00:00")


def test_rendered_slots_show_utc_and_the_clients_local_time():
    at = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 in New York (EDT since the 8th)
    body = json.loads(SlotRenderer().render([(epoch(at), "cln_1")], "Europe/London"))
    assert body["slots"] == [{"clinician_id": "cln_1", "start": "2026-03-09T13:00:00Z", "end": "2026-03-09T13:15:00Z",
                              "local_start": "2026-03-09T13:00:00+00:00", "local_end": "2026-03-09T13:15:00+00:00"}]
    sydney = json.loads(SlotRenderer().render([(epoch(at), "cln_1")], "Australia/Sydney"))["slots"][0]
    assert sydney["local_start"] == "2026-03-10T00:00:00+11:00"
    assert datetime.fromisoformat(sydney["local_start"]) == at.astimezone(ZoneInfo("Australia/Sydney"))
