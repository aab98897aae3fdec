"""Pure rules of the notifications service: patterns, privacy, addresses, backoff, reminders, times."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain import addresses, patterns, reminders, times
from services.notifications.domain.policy import RetryPolicy, WebhookPolicy
from services.notifications.domain.privacy import webhook_view


@pytest.mark.parametrize("pattern", ["*", "booking.*", "booking.confirmed", "notification.*"])
def test_known_types_families_and_the_star_are_valid_patterns(pattern):
    assert patterns.invalid(pattern) is None


@pytest.mark.parametrize("pattern", ["bookings.*", "booking.confirm", "booking.**", "#", "", "booking"])
def test_patterns_that_can_never_match_are_refused_with_a_reason(pattern):
    assert "unknown event type" in patterns.invalid(pattern)


def test_a_family_pattern_matches_its_types_only():
    assert patterns.matches(["booking.*"], "booking.cancelled")
    assert not patterns.matches(["booking.*"], "bookingx.cancelled")
    assert not patterns.matches(["clinician.created"], "clinician.updated")
    assert patterns.matches(["clinician.created", "*"], "availability.changed")


EVENT = {"id": "e1", "type": "booking.confirmed", "subject": "b1", "data": {
    "booking_id": "b1", "notes": "private", "manage_url": "https://x/#/manage/b1?token=t",
    "client": {"name": "Robin", "email": "r@x.test", "phone": "1", "manage_token": "t"}}}


def test_a_webhook_without_client_details_carries_no_client_no_free_text_and_no_secret():
    view = webhook_view(EVENT, include_client_details=False)
    assert view["data"] == {"booking_id": "b1"} and view["id"] == "e1"
    assert EVENT["data"]["client"]["manage_token"] == "t", "the event itself is left alone"


def test_a_webhook_with_client_details_still_never_carries_the_manage_token():
    data = webhook_view(EVENT, include_client_details=True)["data"]
    assert data["client"] == {"name": "Robin", "email": "r@x.test", "phone": "1"}
    assert data["notes"] == "private" and "manage_url" not in data


@pytest.mark.parametrize("address", ["10.0.0.1", "127.0.0.1", "::1", "169.254.169.254", "fe80::1", "224.0.0.1",
                                     "::ffff:127.0.0.1", "100.64.0.1", "0.0.0.0", "192.168.1.1", "fd00::1"])
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert "private, loopback or reserved" in addresses.refusal("internal.test", [address], ())


def test_public_addresses_pass_and_an_unresolvable_host_is_refused():
    assert addresses.refusal("example.com", ["93.184.216.34", "2606:2800:220:1::1"], ()) is None
    assert "does not resolve" in addresses.refusal("nowhere.invalid", [], ())
    assert addresses.refusal("mixed.test", ["93.184.216.34", "10.0.0.1"], ()) is not None


def test_the_allowlist_names_hosts_or_networks():
    assert addresses.refusal("localhost", ["127.0.0.1"], ("LOCALHOST",)) is None
    assert addresses.refusal("hooks.internal", ["10.2.3.4"], ("10.0.0.0/8",)) is None
    assert addresses.refusal("hooks.internal", ["10.2.3.4", "192.168.0.1"], ("10.0.0.0/8",)) is not None


def test_backoff_doubles_with_jitter_up_to_its_cap():
    policy = RetryPolicy(5, 3600, timedelta(hours=24))
    assert policy.delay(1, rand=lambda: 0.0) == timedelta(seconds=2.5)
    assert policy.delay(1, rand=lambda: 1.0) == timedelta(seconds=5)
    assert policy.delay(4, rand=lambda: 1.0) == timedelta(seconds=40)
    assert policy.delay(30, rand=lambda: 1.0) == timedelta(hours=1)
    assert policy.delay(30, rand=lambda: 0.0) == timedelta(minutes=30)
    assert not policy.gives_up(timedelta(hours=23, minutes=59)) and policy.gives_up(timedelta(hours=24))


def test_a_subscription_is_disabled_only_after_many_failures_over_a_day():
    policy = WebhookPolicy()
    assert not policy.should_disable(100, timedelta(hours=23))
    assert not policy.should_disable(14, timedelta(days=2))
    assert policy.should_disable(15, timedelta(hours=24))


def test_reminders_are_scheduled_only_while_their_moment_is_ahead():
    start, now = datetime(2026, 3, 30, 8, tzinfo=UTC), datetime(2026, 3, 27, 12, tzinfo=UTC)
    assert reminders.due_ahead(start, now) == {"reminder_24h": start - timedelta(hours=24),
                                               "reminder_1h": start - timedelta(hours=1)}
    assert list(reminders.due_ahead(start, start - timedelta(hours=5))) == ["reminder_1h"]
    assert reminders.due_ahead(start, start - timedelta(minutes=30)) == {}


def test_a_late_reminder_is_skipped_once_the_call_began_or_a_closer_one_is_due():
    start = datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert reminders.outcome("reminder_24h", start, start - timedelta(hours=20)) == "send"
    assert reminders.outcome("reminder_24h", start, start - timedelta(minutes=50)) == "skip"
    assert reminders.outcome("reminder_1h", start, start - timedelta(minutes=50)) == "send"
    assert reminders.outcome("reminder_1h", start, start) == "skip"


def test_times_read_in_the_zone_on_both_sides_of_a_dst_change():
    before, after = datetime(2026, 3, 28, 9, tzinfo=UTC), datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert times.local_span(before, before + timedelta(minutes=15), "Europe/Berlin") == \
        "Saturday 28 March 2026, 10:00–10:15 CET (Europe/Berlin)"
    assert times.local_span(after, after + timedelta(minutes=15), "Europe/Berlin") == \
        "Monday 30 March 2026, 11:00–11:15 CEST (Europe/Berlin)"


def test_an_unknown_reader_zone_shows_the_clinicians_zone_and_utc_both_labelled():
    start = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # New York leaves DST that morning
    text = times.describe(start, start + timedelta(minutes=15), None, "America/New_York")
    assert text == ("Sunday 1 November 2026, 01:30–01:45 EST (America/New_York), the clinician's time zone; "
                    "that is Sunday 1 November 2026, 06:30–06:45 UTC")
    assert times.describe(start, start, "Not/AZone", None).endswith("06:30–06:30 UTC")
