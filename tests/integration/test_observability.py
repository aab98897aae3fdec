"""Metrics and traces agree with what happened: a booking's request, its events through the real broker,
the notifications worker's consumer and its email, a poison message, an expired hold."""
from __future__ import annotations

import json
import threading

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from services.booking.service_layer import holds
from services.notifications.entrypoints.jobs import send_emails
from shared import tracing
from shared.clock import FrozenClock
from shared.events import new_event
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.relay import OutboxRelay, drain
from shared.runtime import declare_queues, run_worker
from tests.integration.booking.booking_support import NOW, Booking, at
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
BOOKING_ENV = {"HOLDS_PER_MINUTE_PER_ADDRESS": "1000", "HOLD_MAX_LIVE_PER_ADDRESS": "1000",
               "HOLD_CHALLENGE_AFTER": "0", "HOLD_TTL_SECONDS": "600"}


def value(text: str, name: str, **labels) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def scrape(app_client) -> str:
    resp = app_client.get("/metrics")
    assert resp.status_code == 200 and resp.content_type.startswith("text/plain")
    return resp.get_data(as_text=True)


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.init("test", exporter=exporter)
    yield exporter
    tracing.disable()


def _clinician_event(cid: str, clock) -> dict:
    return new_event("clinician.created", "/attune/availability", cid, 1, {
        "clinician_id": cid, "name": "Dr Test", "email": "dr@example.org", "time_zone": "Europe/Berlin",
        "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": True,
        "active": True}, clock.now())


def test_one_trace_links_the_request_its_event_the_consumer_and_the_email_and_the_counters_agree(
        make_container, amqp_url, exchange_name, spans):
    clock = FrozenClock(NOW)
    booking = Booking(make_container("booking", clock=clock, **BOOKING_ENV), clock)
    notifications = make_container("notifications", clock=FrozenClock(NOW))
    from services.notifications.entrypoints.flask_app import create_app

    notes_client = create_app(notifications).test_client()
    before_b, before_n = scrape(booking.http), scrape(notes_client)
    cid = booking.clinician()
    stop = threading.Event()
    declare_queues(notifications)
    notifications.jobs = []  # run by hand below: scheduled from a frozen past clock they would first catch up
    worker = threading.Thread(target=run_worker, args=(notifications, stop), daemon=True)
    worker.start()
    try:
        ConfirmingPublisher(amqp_url, exchange_name).publish([json.dumps(_clinician_event(cid, clock))])
        confirmed = booking.book(cid, at(1, "10:00"))
        backlog = scrape(booking.http)
        assert value(backlog, "attune_outbox_backlog", service="booking") == len(booking.events())
        clock.advance(seconds=90)
        assert value(scrape(booking.http), "attune_outbox_oldest_unpublished_age_seconds", service="booking") == 90
        drain(OutboxRelay(booking.container.db, booking.container.tables["outbox"],
                          ConfirmingPublisher(amqp_url, exchange_name), clock=clock))
        assert value(scrape(booking.http), "attune_outbox_backlog", service="booking") == 0

        mail_dir = notifications.settings.mail_dir
        assert wait_until(lambda: _pending_emails(notifications) == 2, 30), "client and clinician mails queued"
        send_emails(notifications)  # the worker's job, run now (its schedule follows the real clock)
        assert len(list(mail_dir.glob("*.eml"))) == 2
        assert wait_until(lambda: any(s.name == "send email" for s in spans.get_finished_spans()), 10)

        poison_queue = f"{notifications.settings.queue_prefix}notifications.booking-events"
        _publish_raw(amqp_url, poison_queue)
        assert wait_until(lambda: value(scrape(notes_client), "attune_dead_letter_messages",
                                        queue=poison_queue) == 1, 20)
    finally:
        stop.set()
        worker.join(15)

    [event] = [e for e in booking.events("booking.confirmed") if e["subject"] == confirmed["id"]]
    trace_id = event["traceparent"].split("-")[1]
    finished = spans.get_finished_spans()
    [request] = [s for s in finished if s.name == "POST /v1/holds/<hold_id>/confirm"]
    assert f"{request.context.trace_id:032x}" == trace_id, "the event carries the request's trace"
    consumers = [s for s in finished if s.name == "consume booking.confirmed"]
    assert {s.attributes["messaging.destination.name"].rsplit(".", 1)[1] for s in consumers} == {
        "booking-events", "webhook-events"}, "each queue's consumer joins the trace"
    for consumer in consumers:
        assert consumer.context.trace_id == request.context.trace_id
        assert f"{consumer.parent.span_id:016x}" == event["traceparent"].split("-")[2], "as a child of the event"
    [consumed] = [s for s in consumers if s.attributes["messaging.destination.name"] == poison_queue]
    sends = [s for s in finished if s.name == "send email"]
    assert {s.context.trace_id for s in sends} == {request.context.trace_id}, "each email joins the trace"
    assert {s.parent.span_id for s in sends} == {consumed.context.span_id}

    after_b, after_n = scrape(booking.http), scrape(notes_client)
    rule = {"service": "booking", "endpoint": "/v1/holds/<hold_id>/confirm", "method": "POST"}
    assert value(after_b, "attune_http_requests_total", status="201", **rule) - value(
        before_b, "attune_http_requests_total", status="201", **rule) == 1
    assert value(after_b, "attune_http_request_duration_seconds_count", **rule) - value(
        before_b, "attune_http_request_duration_seconds_count", **rule) == 1
    assert confirmed["id"] not in after_b and "ada@example.org" not in after_b, "no ids or client data in labels"
    mails = len(list(notifications.settings.mail_dir.glob("*.eml")))
    sent = value(after_n, "attune_emails_total", service="notifications", outcome="sent") - value(
        before_n, "attune_emails_total", service="notifications", outcome="sent")
    assert sent == mails
    queue = poison_queue
    applied = value(after_n, "attune_events_consumed_total", queue=queue, outcome="applied") - value(
        before_n, "attune_events_consumed_total", queue=queue, outcome="applied")
    assert applied == len([e for e in booking.events() if e["type"].startswith("booking.")])
    assert value(after_n, "attune_events_dead_lettered_total", queue=queue) - value(
        before_n, "attune_events_dead_lettered_total", queue=queue) == 1


def _pending_emails(container) -> int:
    from sqlalchemy import func, select

    from services.notifications.adapters.orm import emails

    with container.db.read() as session:
        return session.execute(select(func.count()).select_from(emails).where(emails.c.status == "pending")).scalar()


def _publish_raw(amqp_url: str, queue: str) -> None:
    from kombu import Connection

    with Connection(amqp_url) as conn:
        conn.Producer().publish(b"not json", routing_key=queue, exchange="", retry=True)


def test_an_expired_hold_is_counted_once_with_its_lag(make_container):
    clock = FrozenClock(NOW)
    booking = Booking(make_container("booking", clock=clock, **{**BOOKING_ENV, "HOLD_TTL_SECONDS": "60"}), clock)
    cid = booking.clinician()
    assert booking.hold(cid, at(1, "11:00")).status_code == 201
    before = scrape(booking.http)
    clock.advance(seconds=65)

    holds.sweep(booking.container.extra["uow"])
    holds.sweep(booking.container.extra["uow"])

    after = scrape(booking.http)
    assert value(after, "attune_holds_expired_total", service="booking") - value(
        before, "attune_holds_expired_total", service="booking") == 1
    lag = value(after, "attune_hold_expiry_lag_seconds_sum") - value(before, "attune_hold_expiry_lag_seconds_sum")
    assert lag == pytest.approx(5)
    assert len(booking.events("booking.hold_expired")) == 1, "expired once, counted once"


def test_without_an_exporter_a_request_still_gives_its_events_a_traceparent_and_keeps_the_callers_trace(
        make_container):
    clock = FrozenClock(NOW)
    booking = Booking(make_container("booking", clock=clock, **BOOKING_ENV), clock)
    cid = booking.clinician()
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert not tracing.enabled()

    hold = booking.hold(cid, at(1, "12:00"), headers={"traceparent": caller})
    other = booking.hold(cid, at(1, "12:15"))

    assert hold.status_code == 201 and other.status_code == 201
    [mine, theirs] = booking.events("booking.held")
    assert tracing.valid(mine["traceparent"]) and tracing.valid(theirs["traceparent"])
    assert mine["traceparent"].split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736", "the caller's trace id is kept"
    assert mine["traceparent"] != caller, "as a new span of it"
    assert theirs["traceparent"].split("-")[1] != mine["traceparent"].split("-")[1], "a new trace per request"


def test_a_malformed_traceparent_header_starts_a_new_trace():
    assert tracing.valid("00-abc") is None
    assert tracing.valid("00-" + "0" * 32 + "-00f067aa0ba902b7-01") is None
    assert tracing.valid("x" * 7000) is None
    assert tracing.valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
