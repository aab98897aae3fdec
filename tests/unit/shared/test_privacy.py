"""The one privacy policy: every event field classified, and each outlet sees only what its class allows."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from shared import privacy
from shared.events import DATA_SCHEMAS, new_event

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIRMED = new_event("booking.confirmed", "/attune/booking", "bk_1", 2, {
    "booking_id": "bk_1", "clinician_id": "cl_1", "start": AT, "end": AT + timedelta(minutes=15),
    "status": "confirmed", "notes": "we keep arguing", "sealed_manage_token": "gAAAAA-sealed",
    "client": {"name": "Alex Example", "email": "alex@example.org", "phone": "+1 555 0100"}}, AT)
CONTACT = new_event("contact_request.created", "/attune/booking", "cr_1", 1, {
    "contact_request_id": "cr_1", "time_zone": "UTC", "message": "my son self-harms",
    "preferred_times": [{"weekday": "mon", "start": "09:00", "end": "10:00"}],
    "client": {"name": "Sam", "email": "sam@example.org"}}, AT)
CANCELLED = new_event("booking.cancelled", "/attune/booking", "bk_1", 3, {
    "booking_id": "bk_1", "clinician_id": "cl_1", "start": AT, "end": AT + timedelta(minutes=15),
    "status": "cancelled", "reason": "my partner found out", "cancelled_by": "client"}, AT)
PERSONAL = ("Alex", "alex@example.org", "555 0100", "arguing", "self-harms", "Sam", "partner found out")


def test_every_data_field_of_every_event_type_is_classified_so_a_new_one_needs_a_decision():
    unclassified = {f"{type_}.{name}" for type_, schema in DATA_SCHEMAS.items()
                    for name in schema().fields if privacy.classify(name) == "unknown"}

    assert unclassified == set()


@pytest.mark.parametrize("outlet", ["feed", "log", "trace", "audit"])
def test_no_outlet_but_an_opted_in_webhook_carries_client_details_or_free_text(outlet):
    for event in (CONFIRMED, CONTACT, CANCELLED):
        view = privacy.for_outlet(event, outlet, include_client_details=True)
        assert not any(p in str(view) for p in PERSONAL), (outlet, view)
        assert "gAAAAA" not in str(view)
        assert {k: v for k, v in view.items() if k != "data"} == {k: v for k, v in event.items() if k != "data"}


def test_the_feed_keeps_what_identifies_things_not_people():
    view = privacy.for_outlet(CONFIRMED, "feed")["data"]

    assert view == {"booking_id": "bk_1", "clinician_id": "cl_1", "start": "2026-03-02T09:00:00Z",
                    "end": "2026-03-02T09:15:00Z", "status": "confirmed"}


def test_a_webhook_that_asked_gets_client_details_but_never_a_secret_even_nested():
    event = {**CONFIRMED, "data": {**CONFIRMED["data"], "manage_url": "https://x/#/manage/bk_1?token=t",
                                   "client": {**CONFIRMED["data"]["client"], "manage_token": "t"}}}

    data = privacy.for_outlet(event, "webhook", include_client_details=True)["data"]
    without = privacy.for_outlet(event, "webhook")["data"]

    assert data["client"] == {"name": "Alex Example", "email": "alex@example.org", "phone": "+1 555 0100"}
    assert data["notes"] == "we keep arguing"
    assert not {"manage_url", "sealed_manage_token"} & data.keys()
    assert "client" not in without and "notes" not in without
    assert "manage_token" in event["data"]["client"], "the event itself is left alone"


@pytest.mark.parametrize("key", ["manage_token", "verify_token", "sealed_anything", "webhook_secret", "password"])
def test_anything_named_like_a_secret_is_one(key):
    assert privacy.classify(key) == "secret"


def test_an_unclassified_field_reaches_no_outlet():
    event = {**CONFIRMED, "data": {**CONFIRMED["data"], "new_free_text": "oops"}}

    for outlet in privacy.OUTLETS:
        assert "new_free_text" not in privacy.for_outlet(event, outlet, include_client_details=True)["data"]


def test_an_unknown_outlet_is_refused():
    with pytest.raises(ValueError, match="outlet"):
        privacy.for_outlet(CONFIRMED, "email")


def test_logs_redact_by_the_same_policy():
    from shared.logging import ContextFilter

    record = logging.LogRecord("attune.test", logging.INFO, __file__, 1, "x", (), None)
    for key, value in {"reason": "partner found out", "message_text": "ok", "verify_token": "vt",
                       "sealed_manage_token": "gAAAAA", "booking_id": "bk_1"}.items():
        setattr(record, key, value)

    ContextFilter().filter(record)

    assert record.reason == record.verify_token == record.sealed_manage_token == "[redacted]"
    assert record.booking_id == "bk_1" and record.message_text == "ok"
    assert privacy.redact({"notes": "n", "booking_id": "b"}) == {"notes": "[redacted]", "booking_id": "b"}


def test_the_audit_trail_keeps_whether_the_owner_token_acted_a_flag_not_a_secret():
    audit = new_event("audit.recorded", "/attune/booking", "audit-1", 1, {
        "account_id": "owner", "role": "admin", "owner_token": True, "action": "booking.read", "service": "booking",
        "subject": "bk_1", "at": AT}, AT)

    assert privacy.for_outlet(audit, "audit")["data"] == audit["data"]


def test_trace_attributes_follow_the_same_policy():
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from shared import tracing

    exporter = InMemorySpanExporter()
    tracing.init("booking", exporter)
    try:
        with tracing.span("confirm", attributes={"booking_id": "bk_1", "email": "alex@example.org",
                                                 "manage_token": "mt", "notes": "anxious"}):
            pass
    finally:
        tracing.disable()

    [span] = exporter.get_finished_spans()
    assert dict(span.attributes) == {"booking_id": "bk_1", "email": "[redacted]", "manage_token": "[redacted]",
                                     "notes": "[redacted]"}
