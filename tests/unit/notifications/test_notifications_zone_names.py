"""A zone name from an event that is no zone (a tzdata folder, a path, nonsense) shows times in UTC."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.times import local_span, zone

START, END = datetime(2026, 3, 3, 10, tzinfo=UTC), datetime(2026, 3, 3, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("name", ["America", "Europe", "Pacific", "../etc/passwd", "Not/AZone", ""])
def test_a_name_that_is_no_zone_falls_back_to_utc_instead_of_failing(name):
    assert zone(name) is None
    assert local_span(START, END, name) == "Tuesday 3 March 2026, 10:00–10:15 UTC"


def test_a_real_zone_names_its_abbreviation():
    assert local_span(START, END, "Europe/Berlin") == "Tuesday 3 March 2026, 11:00–11:15 CET (Europe/Berlin)"
