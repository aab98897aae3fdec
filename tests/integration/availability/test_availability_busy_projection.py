"""The busy projection: booking.* events close and reopen slots, once each, in order per booking."""
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from kombu import Connection

from shared.events import new_event, parse
from shared.messaging.consumer import EventConsumer
from shared.messaging.publisher import ConfirmingPublisher
from shared.messaging.topology import declare, queues_for
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
SLOT = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 10:00 in New York, inside the 09:00-12:00 window
LATER = SLOT + timedelta(hours=1)
EXTRA = {"booking.confirmed": {"client": {"name": "A Client", "email": "client@example.org"}},
         "booking.cancelled": {"reason": "changed plans", "cancelled_by": "client"}}


def booking_event(type_, booking_id, sequence, clinician_id, start, status, **data):
    body = {"booking_id": booking_id, "clinician_id": clinician_id, "start": start,
            "end": start + timedelta(minutes=15), "status": status, **EXTRA.get(type_, {}), **data}
    if type_ == "booking.rescheduled":
        body.setdefault("previous_start", SLOT)
        body.setdefault("previous_end", SLOT + timedelta(minutes=15))
    return new_event(type_, "/attune/booking", booking_id, sequence, body, datetime(2026, 3, 4, tzinfo=UTC))


@pytest.fixture
def clinician_id(make_clinician, every_day):
    return make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York")


@pytest.fixture
def open_starts(client, clinician_id):
    def starts() -> set[str]:
        resp = client.get(f"/v1/slots?clinician_id={clinician_id}")
        assert resp.status_code == 200
        return {s["start"] for s in resp.json["slots"]}

    return starts


@pytest.fixture
def consumer(container):
    return EventConsumer(container.settings, container.db, container.tables, container.subscriptions,
                         container.clock)


@pytest.fixture
def apply(container, consumer):
    """Delivers an event as the consumer does after reading it from the queue (de-dup, order, handler)."""
    [subscription] = [s for s in container.subscriptions if s.purpose == "booking-events"]

    def deliver(event: dict) -> None:
        envelope, data = parse(json.dumps(event))
        assert consumer.apply(subscription, envelope, data, subscription.handlers[envelope["type"]]) is None

    return deliver


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_booking_events_from_rabbitmq_close_and_reopen_slots(container, consumer, clinician_id, open_starts,
                                                             amqp_url):
    settings = container.settings
    [subscription] = [s for s in container.subscriptions if s.purpose == "booking-events"]
    with Connection(amqp_url) as conn:  # the queue exists before anything is published to the exchange
        declare(conn.channel(), settings.exchange, list(queues_for(settings.exchange, settings.queue_prefix,
                                                                    settings.service, subscription)))
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    publisher = ConfirmingPublisher(amqp_url, settings.exchange)

    def publish(*events):
        """Publishes with confirms; tries again if the broker is restarting (a repeat is dropped by id)."""
        def sent():
            try:
                publisher.publish([json.dumps(e) for e in events])
                return True
            except Exception:  # noqa: BLE001 - broker away for a moment
                return False

        assert wait_until(sent, 30, 1)

    try:
        assert iso(SLOT) in open_starts() and iso(LATER) in open_starts()
        held = booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held",
                             expires_at=SLOT - timedelta(days=1))
        publish(held)
        assert wait_until(lambda: iso(SLOT) not in open_starts(), 30)

        publish(booking_event("booking.confirmed", "bk_1", 2, clinician_id, SLOT, "confirmed"),
                booking_event("booking.rescheduled", "bk_1", 3, clinician_id, LATER, "confirmed"),
                held)  # a redelivered duplicate of the first event changes nothing
        assert wait_until(lambda: iso(SLOT) in open_starts() and iso(LATER) not in open_starts(), 30)

        publish(booking_event("booking.cancelled", "bk_1", 4, clinician_id, LATER, "cancelled"))
        assert wait_until(lambda: iso(LATER) in open_starts(), 30)
        assert iso(SLOT) in open_starts()
    finally:
        consumer.should_stop = True
        publisher.close()
        thread.join(timeout=10)


def test_a_hold_closes_its_slot_until_it_is_released_or_expires(apply, clinician_id, open_starts):
    apply(booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held", expires_at=SLOT))
    apply(booking_event("booking.held", "bk_2", 1, clinician_id, LATER, "held", expires_at=SLOT))
    assert {iso(SLOT), iso(LATER)}.isdisjoint(open_starts())

    apply(booking_event("booking.hold_released", "bk_1", 2, clinician_id, SLOT, "released"))
    apply(booking_event("booking.hold_expired", "bk_2", 2, clinician_id, LATER, "expired"))

    assert {iso(SLOT), iso(LATER)} <= open_starts()


def test_a_confirmed_booking_stays_busy_until_cancelled(apply, clinician_id, open_starts):
    apply(booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held", expires_at=SLOT))
    apply(booking_event("booking.confirmed", "bk_1", 2, clinician_id, SLOT, "confirmed"))
    assert iso(SLOT) not in open_starts()

    apply(booking_event("booking.cancelled", "bk_1", 3, clinician_id, SLOT, "cancelled"))
    assert iso(SLOT) in open_starts()


def test_a_reschedule_frees_the_old_slot_and_takes_the_new_one(apply, clinician_id, open_starts):
    apply(booking_event("booking.confirmed", "bk_1", 2, clinician_id, SLOT, "confirmed"))
    apply(booking_event("booking.rescheduled", "bk_1", 3, clinician_id, LATER, "confirmed"))
    assert iso(SLOT) in open_starts() and iso(LATER) not in open_starts()


def test_a_duplicate_event_is_applied_once(apply, clinician_id, open_starts, row_count):
    held = booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held", expires_at=SLOT)
    apply(held)
    apply(booking_event("booking.hold_released", "bk_1", 2, clinician_id, SLOT, "released"))

    apply(held)

    assert iso(SLOT) in open_starts() and row_count("busy_slots") == 1


def test_an_event_older_than_the_one_applied_is_ignored(apply, clinician_id, open_starts):
    apply(booking_event("booking.hold_released", "bk_1", 2, clinician_id, SLOT, "released"))
    apply(booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held", expires_at=SLOT))
    assert iso(SLOT) in open_starts()


def test_a_hold_past_its_expiry_is_free_even_before_the_expiry_event(apply, clock, clinician_id, open_starts):
    apply(booking_event("booking.held", "bk_1", 1, clinician_id, SLOT, "held",
                        expires_at=clock.now() + timedelta(minutes=10)))
    assert iso(SLOT) not in open_starts()

    clock.advance(minutes=11)

    assert iso(SLOT) in open_starts()


def test_busy_slots_of_one_clinician_leave_the_others_open(apply, make_clinician, every_day, client, clinician_id):
    other = make_clinician(weekly=every_day("09:00", "12:00"), time_zone="America/New_York")
    apply(booking_event("booking.confirmed", "bk_1", 1, other, SLOT, "confirmed"))

    at_slot = [s["clinician_id"] for s in client.get("/v1/slots").json["slots"] if s["start"] == iso(SLOT)]

    assert at_slot == [clinician_id]


def test_a_booking_of_a_clinician_this_service_does_not_know_is_kept_harmlessly(apply, open_starts, row_count):
    apply(booking_event("booking.confirmed", "bk_9", 1, "cln_elsewhere", SLOT, "confirmed"))
    assert row_count("busy_slots") == 1 and iso(SLOT) in open_starts()


def test_the_directory_skips_busy_slots_for_next_available(apply, client, clinician_id):
    first = client.get(f"/v1/clinicians/{clinician_id}").json["next_available"]
    apply(booking_event("booking.confirmed", "bk_1", 1, clinician_id, datetime.fromisoformat(first), "confirmed"))

    after = client.get("/v1/clinicians").json["clinicians"][0]["next_available"]

    assert after == iso(datetime.fromisoformat(first) + timedelta(minutes=15))
