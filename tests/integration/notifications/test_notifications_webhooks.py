"""Webhooks for integrators: signed (Standard Webhooks), retried, ordered, disabled when dead."""
from __future__ import annotations

import dataclasses
import itertools
import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifications.adapters.orm import webhook_deliveries, webhook_subscriptions
from services.notifications.service_layer import email_outbox
from tests.integration.notifications.conftest import NOW, PRACTICE, apply, subject
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
START = NOW + timedelta(days=2)


@pytest.fixture
def api(notifications):
    from services.notifications.entrypoints.flask_app import create_app

    return create_app(notifications).test_client()


def subscribe(api, headers, url: str, events=("booking.*",), **extra) -> dict:
    r = api.post("/v1/webhooks", json={"url": url, "events": list(events), **extra}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def dispatch(container) -> int:
    return container.extra["dispatcher"].dispatch_once(wait_for_answers=True)


def retry_due(container, clock) -> int:
    """Moves the clock to the next retry and dispatches; 0 when no delivery waits for a retry."""
    with container.db.read() as s:
        due = s.execute(select(webhook_deliveries.c.next_attempt_at)
                        .where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.attempts > 0)
                        .order_by(webhook_deliveries.c.next_attempt_at)).scalar()
    if due is None:
        return 0
    clock.at = max(clock.at, due.replace(tzinfo=NOW.tzinfo))
    return dispatch(container)


def booking_flow(container, events):
    clinician = events.clinician()
    confirmed = events.confirmed(clinician["subject"], START)
    for event in (clinician, confirmed):
        apply(container, event)
    return confirmed


def test_a_webhook_is_created_with_its_secret_shown_once_then_listed_changed_and_deleted(
        api, admin_headers, receiver):
    created = subscribe(api, admin_headers, receiver.url(), description="CRM sync")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 6 + 32
    assert created["events"] == ["booking.*"] and created["include_client_details"] is False

    listed = api.get("/v1/webhooks", headers=admin_headers).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    paused = api.patch(f"/v1/webhooks/{created['id']}", json={"status": "paused", "events": ["booking.confirmed"]},
                       headers=admin_headers)
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    assert paused.get_json()["events"] == ["booking.confirmed"]
    assert api.delete(f"/v1/webhooks/{created['id']}", headers=admin_headers).status_code == 204
    missing = api.get(f"/v1/webhooks/{created['id']}", headers=admin_headers)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


def test_webhook_calls_need_the_admin_credential_and_valid_input(api, admin_headers, receiver):
    assert api.get("/v1/webhooks").status_code == 401
    assert api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["booking.*"]}).status_code == 401
    bad = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["bookings.*"]}, headers=admin_headers)
    assert bad.status_code == 422 and "events.0" in bad.get_json()["errors"]
    unknown = api.post("/v1/webhooks", json={"url": receiver.url(), "events": ["*"], "colour": "red"},
                       headers=admin_headers)
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
    assert api.get("/v1/webhooks", headers=admin_headers).get_json()["webhooks"] == []


@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]:8080/hook", "http://192.168.0.10/hook", "http://0.0.0.0/hook"])
def test_private_and_loopback_targets_are_refused(api, admin_headers, url):
    r = api.post("/v1/webhooks", json={"url": url, "events": ["booking.*"]}, headers=admin_headers)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["url"]


def test_loopback_is_refused_without_the_allowlist_and_checked_again_at_delivery(
        make_container, api, admin_headers, notifications, events, receiver, clock):
    strict = make_container("notifications", clock=clock, WEBHOOK_ALLOWED_HOSTS="")
    from services.notifications.entrypoints.flask_app import create_app

    refused = create_app(strict).test_client().post("/v1/webhooks", json={"url": receiver.url(), "events": ["*"]},
                                                    headers=admin_headers)
    assert refused.status_code == 422 and "WEBHOOK_ALLOWED_HOSTS" in refused.get_json()["errors"]["url"][0]

    sub = subscribe(api, admin_headers, receiver.url())
    notifications.settings = dataclasses.replace(notifications.settings, webhook_allowed_hosts=())
    booking_flow(notifications, events)
    dispatch(notifications)
    assert receiver.requests == []
    [delivery] = api.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=admin_headers).get_json()["deliveries"]
    assert delivery["status"] == "pending" and delivery["attempts"][0]["error"].startswith("refused")


def test_a_delivery_is_signed_so_the_standardwebhooks_library_verifies_it(
        api, admin_headers, notifications, events, receiver):
    sub = subscribe(api, admin_headers, receiver.url())
    confirmed = booking_flow(notifications, events)
    assert dispatch(notifications) == 1

    [request] = receiver.requests
    payload = Webhook(sub["secret"]).verify(request["body"], request["headers"])
    assert request["headers"]["webhook-id"] == confirmed["id"]
    assert request["headers"]["Content-Type"] == "application/cloudevents+json"
    assert request["headers"]["webhook-signature"].startswith("v1,")
    assert payload["type"] == "booking.confirmed" and payload["specversion"] == "1.0"
    assert payload["subject"] == confirmed["subject"] and payload["sequence"] == confirmed["sequence"]
    assert payload["data"]["booking_id"] == confirmed["subject"]
    assert "client" not in payload["data"] and "notes" not in payload["data"]
    for secret_or_personal in (b"mt_secret-token", b"Robin", b"client.test", b"arguing"):
        assert secret_or_personal not in request["body"]
    with pytest.raises(WebhookVerificationError):
        Webhook(subscribe(api, admin_headers, receiver.url())["secret"]).verify(request["body"], request["headers"])


def test_client_details_go_only_to_subscriptions_that_asked_and_never_the_manage_token(
        api, admin_headers, notifications, events, receiver):
    subscribe(api, admin_headers, receiver.url("/with"), events=["booking.confirmed"], include_client_details=True)
    subscribe(api, admin_headers, receiver.url("/without"), events=["booking.confirmed"])
    confirmed = booking_flow(notifications, events)
    dispatch(notifications)

    bodies = {r["path"]: json.loads(r["body"]) for r in receiver.requests}
    assert bodies["/with"]["data"]["client"] == {k: v for k, v in confirmed["data"]["client"].items()
                                                 if k != "manage_token"}
    assert bodies["/with"]["data"]["notes"] == "We keep arguing."
    assert "client" not in bodies["/without"]["data"]
    assert all(b"mt_secret-token" not in r["body"] for r in receiver.requests)


def test_only_matching_event_types_are_delivered(api, admin_headers, notifications, events, receiver):
    subscribe(api, admin_headers, receiver.url("/clinicians"), events=["clinician.*"])
    subscribe(api, admin_headers, receiver.url("/cancellations"), events=["booking.cancelled"])
    booking_flow(notifications, events)
    dispatch(notifications)
    assert [(r["path"], json.loads(r["body"])["type"]) for r in receiver.requests] == [
        ("/clinicians", "clinician.created")]


def test_a_500_is_retried_with_backoff_and_a_success_ends_the_delivery(
        api, admin_headers, notifications, events, receiver, clock):
    sub = subscribe(api, admin_headers, receiver.url())
    receiver.script = [500]
    booking_flow(notifications, events)

    assert dispatch(notifications) == 1
    assert dispatch(notifications) == 0, "the retry waits for its backoff"
    clock.advance(seconds=2)
    assert dispatch(notifications) == 0, "at least half the 5 s first delay"
    assert retry_due(notifications, clock) == 1
    clock.advance(days=2)
    assert dispatch(notifications) == 0 and retry_due(notifications, clock) == 0

    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert first["body"] == second["body"]
    Webhook(sub["secret"]).verify(second["body"], second["headers"])
    [delivery] = api.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=admin_headers).get_json()["deliveries"]
    assert delivery["status"] == "succeeded" and delivery["attempt_count"] == 2
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
    assert all(isinstance(a["latency_ms"], int) and a["latency_ms"] >= 0 for a in delivery["attempts"])


def test_a_delivered_event_can_be_resent_with_the_same_webhook_id(api, admin_headers, notifications, events,
                                                                  receiver):
    sub = subscribe(api, admin_headers, receiver.url())
    booking_flow(notifications, events)
    dispatch(notifications)
    [delivery] = api.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=admin_headers).get_json()["deliveries"]

    r = api.post(f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}/resend", headers=admin_headers)
    assert r.status_code == 202 and r.get_json()["status"] == "pending"
    dispatch(notifications)
    assert [q["headers"]["webhook-id"] for q in receiver.requests] == [delivery["event_id"]] * 2
    assert api.post(f"/v1/webhooks/{sub['id']}/deliveries/nope/resend", headers=admin_headers).status_code == 404


def test_a_410_disables_the_subscription_and_the_practice_inbox_is_told(
        api, admin_headers, notifications, events, receiver, mailbox):
    sub = subscribe(api, admin_headers, receiver.url())
    receiver.default = 410
    confirmed = booking_flow(notifications, events)
    dispatch(notifications)
    apply(notifications, events.cancelled(confirmed, START))
    dispatch(notifications)
    email_outbox.send_due(notifications)

    assert len(receiver.requests) == 1
    state = api.get(f"/v1/webhooks/{sub['id']}", headers=admin_headers).get_json()
    assert state["status"] == "disabled" and "410" in state["disabled_reason"]
    [told] = mailbox.to(PRACTICE)
    assert subject(told).startswith("Webhook disabled") and sub["id"] in told.get_payload(0).get_payload(decode=True).decode()


def test_a_dead_endpoint_is_retried_for_a_day_then_disabled_and_the_practice_inbox_is_told(
        api, admin_headers, notifications, events, receiver, mailbox, clock):
    sub = subscribe(api, admin_headers, receiver.url())
    receiver.default = 503
    booking_flow(notifications, events)
    dispatch(notifications)
    while retry_due(notifications, clock):
        pass

    assert len(receiver.requests) >= 15, "many attempts before giving up"
    assert clock.now() - NOW >= timedelta(hours=24), "retried for at least a day"
    state = api.get(f"/v1/webhooks/{sub['id']}", headers=admin_headers).get_json()
    assert state["status"] == "disabled" and state["consecutive_failures"] == len(receiver.requests)
    [delivery] = api.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=admin_headers).get_json()["deliveries"]
    assert delivery["status"] == "failed" and {a["status_code"] for a in delivery["attempts"]} == {503}
    times = [datetime.fromisoformat(a["attempted_at"]) for a in delivery["attempts"]]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[0] >= timedelta(seconds=2.5) and gaps[1] > gaps[0], "backoff grows from a few seconds"
    assert max(gaps) <= timedelta(hours=1) and gaps[-1] >= timedelta(minutes=30), "capped at an hour"
    email_outbox.send_due(notifications)
    assert [subject(m).split(":")[0] for m in mailbox.to(PRACTICE)] == ["Webhook disabled"]

    resumed = api.patch(f"/v1/webhooks/{sub['id']}", json={"status": "active"}, headers=admin_headers).get_json()
    assert resumed["status"] == "active" and resumed["consecutive_failures"] == 0


def test_a_slow_integrator_does_not_hold_up_another_one(api, admin_headers, notifications, events, receiver):
    from tests.integration.notifications.conftest import Receiver

    fast = Receiver()
    try:
        receiver.gate = threading.Event()  # the slow one answers only when released
        subscribe(api, admin_headers, receiver.url("/slow"))
        subscribe(api, admin_headers, fast.url("/fast"))
        booking_flow(notifications, events)

        notifications.extra["dispatcher"].dispatch_once()
        assert wait_until(lambda: fast.requests, 10), "the fast integrator got its event"
        # the slow one's request is in flight too (it may arrive after the fast one) and is still held
        assert wait_until(lambda: len(receiver.requests) == 1, 10) and not receiver.gate.is_set()
        receiver.gate.set()
        assert wait_until(lambda: _statuses(notifications) == {"succeeded"}, 10)
    finally:
        fast.stop()


def _statuses(container) -> set[str]:
    with container.db.read() as s:
        return set(s.execute(select(webhook_deliveries.c.status)).scalars())


def test_a_subjects_later_event_waits_until_the_earlier_one_is_delivered(
        api, admin_headers, notifications, events, receiver, clock):
    subscribe(api, admin_headers, receiver.url())
    receiver.script = [500]
    confirmed = booking_flow(notifications, events)
    apply(notifications, events.cancelled(confirmed, START))

    dispatch(notifications)
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["booking.confirmed"]
    retry_due(notifications, clock)
    dispatch(notifications)
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == [
        "booking.confirmed", "booking.confirmed", "booking.cancelled"]


def test_a_paused_subscription_gets_nothing_until_resumed(api, admin_headers, notifications, events, receiver):
    sub = subscribe(api, admin_headers, receiver.url())
    api.patch(f"/v1/webhooks/{sub['id']}", json={"status": "paused"}, headers=admin_headers)
    confirmed = booking_flow(notifications, events)
    dispatch(notifications)
    assert receiver.requests == []

    api.patch(f"/v1/webhooks/{sub['id']}", json={"status": "active"}, headers=admin_headers)
    apply(notifications, events.cancelled(confirmed, START))
    dispatch(notifications)
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["booking.cancelled"]
    with notifications.db.read() as s:
        assert s.execute(select(webhook_subscriptions.c.status)).scalar() == "active"


def test_an_endpoint_that_does_not_answer_in_time_counts_as_a_failed_attempt(
        api, admin_headers, notifications, events, receiver):
    policy = notifications.extra["webhook_policy"]
    notifications.extra["webhook_policy"] = dataclasses.replace(policy, timeout_seconds=0.3)
    receiver.gate = threading.Event()  # never answers while the test waits
    sub = subscribe(api, admin_headers, receiver.url())
    booking_flow(notifications, events)

    dispatch(notifications)
    [delivery] = api.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=admin_headers).get_json()["deliveries"]
    assert delivery["status"] == "pending" and delivery["attempts"][0]["error"] == "timed out"
    assert delivery["attempts"][0]["status_code"] is None and delivery["attempts"][0]["latency_ms"] >= 300


@pytest.mark.parametrize("method, path", [("get", "/v1/webhooks/%00"), ("delete", "/v1/webhooks/a%00"),
                                          ("get", "/v1/webhooks/%00/deliveries")])
def test_a_nul_character_in_an_id_is_the_clients_error_on_every_database(api, admin_headers, method, path):
    resp = getattr(api, method)(path, headers=admin_headers)

    assert resp.status_code in (404, 422) and resp.mimetype == "application/problem+json", resp.data
