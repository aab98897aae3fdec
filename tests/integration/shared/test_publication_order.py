"""The outbox's publication numbers under concurrency: two relays and writers whose transactions commit
out of id order; a reader paging by number while it happens sees every event exactly once."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest
from sqlalchemy import select

from services.booking.adapters.event_log import page
from tests.integration.shared.conftest import NOW, booking_data
from tests.support.system import wait_until

pytestmark = pytest.mark.integration
WRITERS, EACH = 3, 30


def test_a_reader_paging_by_publication_number_never_skips_an_event_committed_late(bus):
    written, seen, cursor = [], [], [0]
    lock = threading.Lock()

    def writer(n: int) -> None:
        rnd = random.Random(n)
        for i in range(EACH):
            with bus.db.write() as s:
                event = bus.outbox.add(s, "booking.held", f"w{n}-{i}", booking_data(f"w{n}-{i}"), NOW)
                time.sleep(rnd.random() * (0.1 if n == 0 else 0.01))  # ids held uncommitted while later ones commit
            with lock:
                written.append(event["id"])

    def read_more() -> bool:
        with bus.db.read() as s:
            rows = page(s, bus.tables["outbox"], cursor[0], [], 7)
        if rows:
            cursor[0] = rows[-1][0]
            seen.extend(json.loads(body)["id"] for _, body in rows)
        return len(seen) >= WRITERS * EACH

    bus.start_relay()
    bus.start_relay()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    done = wait_until(read_more, 30, 0.005)
    for t in threads:
        t.join()

    assert done, f"the reader saw {len(seen)} of {WRITERS * EACH}"
    assert len(seen) == len(set(seen)) and set(seen) == set(written)
    t = bus.tables["outbox"]
    with bus.db.read() as s:
        numbers = sorted(s.scalars(select(t.c.published_seq)))
    assert numbers == list(range(1, WRITERS * EACH + 1)), "numbered without gaps or repeats"
