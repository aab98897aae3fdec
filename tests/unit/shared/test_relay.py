"""The relay's bookkeeping with a recording publisher: sent only after publish returned, in order."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from shared.messaging.publisher import PublishNotConfirmed
from shared.messaging.relay import OutboxRelay, drain
from tests.support.system import wait_until
from tests.unit.shared.conftest import NOW, booking_data


class RecordingPublisher:
    def __init__(self, store, fail: Exception | None = None):
        self.store, self.fail, self.published, self.unsent_while_publishing = store, fail, [], []
        self.closed = 0

    def publish(self, bodies):
        t = self.store.tables["outbox"]
        with self.store.db.read() as s:
            self.unsent_while_publishing.append(len(s.execute(select(t.c.id).where(t.c.published_at.is_(None))).all()))
        if self.fail:
            raise self.fail
        self.published.extend(json.loads(b)["id"] for b in bodies)

    def close(self):
        self.closed += 1


def write(store, n: int) -> list[str]:
    with store.db.write() as s:
        return [store.outbox.add(s, "booking.held", f"bk_{i}", booking_data(f"bk_{i}"), NOW)["id"] for i in range(n)]


def unsent(store) -> int:
    t = store.tables["outbox"]
    with store.db.read() as s:
        return len(s.execute(select(t.c.id).where(t.c.published_at.is_(None))).all())


def test_rows_go_out_in_outbox_order_in_batches_and_are_marked_after_publish_returned(store):
    ids = write(store, 5)
    publisher = RecordingPublisher(store)

    assert drain(OutboxRelay(store.db, store.tables["outbox"], publisher, batch_size=2)) == 5

    assert publisher.published == ids
    assert publisher.unsent_while_publishing == [5, 3, 1]
    assert unsent(store) == 0


def test_an_unconfirmed_publish_leaves_every_row_unsent(store):
    write(store, 3)
    relay = OutboxRelay(store.db, store.tables["outbox"], RecordingPublisher(store, PublishNotConfirmed("nack")))

    with pytest.raises(PublishNotConfirmed):
        relay.relay_once()

    assert unsent(store) == 3


def test_on_sqlite_a_second_relay_waits_while_the_first_holds_the_turn(store):
    write(store, 2)
    entered, release = threading.Event(), threading.Event()

    class Slow(RecordingPublisher):
        def publish(self, bodies):
            entered.set()
            release.wait(5)
            super().publish(bodies)

    first = OutboxRelay(store.db, store.tables["outbox"], Slow(store))
    second_publisher = RecordingPublisher(store)
    second = OutboxRelay(store.db, store.tables["outbox"], second_publisher)
    thread = threading.Thread(target=first.relay_once)
    thread.start()
    entered.wait(5)

    assert second.relay_once() == 0
    release.set()
    thread.join()
    assert second.relay_once() == 0
    assert second_publisher.published == []
    assert unsent(store) == 0


def test_run_keeps_going_after_a_failure_and_closes_the_publisher_when_stopped(store):
    write(store, 1)
    publisher = RecordingPublisher(store, ConnectionError("broker away"))
    relay = OutboxRelay(store.db, store.tables["outbox"], publisher, idle_sleep=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()

    assert _wait(lambda: publisher.closed >= 1)
    publisher.fail = None
    assert _wait(lambda: unsent(store) == 0)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert len(publisher.published) == 1


def _wait(pred, timeout: float = 5) -> bool:
    return bool(wait_until(pred, timeout, 0.01))
