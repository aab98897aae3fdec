"""Issue 15's slot arithmetic: a clinician's daily cap (in their local day) and the buffer around consultations."""
from datetime import UTC, datetime, timedelta

import pytest

from services.availability.domain.model import Clinician
from services.availability.domain.slots import within_rules
from services.booking.domain.errors import SlotTaken
from services.booking.domain.rules import Clinician as Projected
from services.booking.domain.rules import check_rules
from shared.schedule import closed_by_rules, epoch_seconds


def t(text: str) -> int:
    return epoch_seconds(datetime.fromisoformat(text))


def consult(text: str) -> tuple[int, int]:
    return t(text), t(text) + 900


def quarter_hours(first: str, count: int) -> list[int]:
    return [t(first) + i * 900 for i in range(count)]


def test_nothing_is_closed_without_a_cap_or_buffer():
    starts = quarter_hours("2026-03-03T09:00:00+01:00", 8)
    assert closed_by_rules(starts, [consult("2026-03-03T10:00:00+01:00")], "Europe/Berlin") == set()


def test_a_full_day_closes_every_slot_of_that_local_day_and_no_other():
    today = quarter_hours("2026-03-03T09:00:00+01:00", 8)
    tomorrow = quarter_hours("2026-03-04T09:00:00+01:00", 8)
    booked = [consult("2026-03-03T09:00:00+01:00"), consult("2026-03-03T11:00:00+01:00")]

    assert closed_by_rules(today + tomorrow, booked, "Europe/Berlin", max_per_day=2) == set(today)
    assert closed_by_rules(today + tomorrow, booked, "Europe/Berlin", max_per_day=3) == set()


def test_the_day_is_the_clinicians_local_day_not_the_utc_one():
    # 23:30 UTC on the 3rd is 00:30 on the 4th in Berlin: it fills the 4th, not the 3rd.
    booked = [consult("2026-03-03T23:30:00+00:00")]
    third, fourth = t("2026-03-03T10:00:00+01:00"), t("2026-03-04T10:00:00+01:00")

    assert closed_by_rules([third, fourth], booked, "Europe/Berlin", max_per_day=1) == {fourth}
    assert closed_by_rules([third, fourth], booked, "UTC", max_per_day=1) == {third}


def test_on_a_dst_day_the_local_day_still_counts_once():
    # New York springs forward on 8 March 2026: the day has 23 hours, its consultations one count.
    booked = [consult("2026-03-08T09:00:00-04:00"), consult("2026-03-08T01:00:00-05:00")]
    same_day = t("2026-03-08T23:00:00-04:00")
    next_day = t("2026-03-09T00:00:00-04:00")
    assert closed_by_rules([same_day, next_day], booked, "America/New_York", max_per_day=2) == {same_day}


def test_a_buffer_keeps_minutes_free_before_and_after_each_consultation():
    starts = quarter_hours("2026-03-03T09:00:00+01:00", 10)  # 09:00 ... 11:15
    booked = [consult("2026-03-03T10:00:00+01:00")]

    closed = closed_by_rules(starts, booked, "Europe/Berlin", buffer_minutes=15)
    assert closed == {t("2026-03-03T09:45:00+01:00"), t("2026-03-03T10:00:00+01:00"),
                      t("2026-03-03T10:15:00+01:00")}
    wider = closed_by_rules(starts, booked, "Europe/Berlin", buffer_minutes=30)
    assert t("2026-03-03T09:30:00+01:00") in wider and t("2026-03-03T10:30:00+01:00") in wider
    assert t("2026-03-03T09:15:00+01:00") not in wider and t("2026-03-03T10:45:00+01:00") not in wider


def test_a_buffer_reaches_across_midnight():
    booked = [consult("2026-03-03T23:45:00+01:00")]
    after_midnight = t("2026-03-04T00:00:00+01:00")
    assert closed_by_rules([after_midnight], booked, "Europe/Berlin", buffer_minutes=5) == {after_midnight}


def test_the_availability_domain_leaves_out_closed_slots_only_for_clinicians_with_rules():
    starts = quarter_hours("2026-03-03T09:00:00+01:00", 4)
    booked = [consult("2026-03-03T09:00:00+01:00")]
    free = Clinician("c", "Ada", "a@example.org", "Europe/Berlin")
    capped = Clinician("c", "Ada", "a@example.org", "Europe/Berlin", max_per_day=1)

    assert within_rules(starts, free, booked) == starts
    assert within_rules(starts, capped, booked) == []


def test_the_booking_check_refuses_a_full_day_and_a_slot_inside_the_buffer_with_their_reasons():
    at = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    booked = [(at - timedelta(hours=1), at - timedelta(minutes=45))]
    capped = Projected("c", time_zone="Europe/Berlin", max_per_day=1)
    buffered = Projected("c", time_zone="Europe/Berlin", buffer_minutes=60)

    with pytest.raises(SlotTaken, match="all taken"):
        check_rules(capped, at, booked)
    with pytest.raises(SlotTaken, match="too close"):
        check_rules(buffered, at, booked)
    check_rules(Projected("c", time_zone="Europe/Berlin", buffer_minutes=45), at, booked)  # 45 min apart: fine
