"""The outbox relay: the only publisher. Reads unsent rows in order, publishes with confirms,
marks them sent after the broker confirmed.

Crash between confirm and mark: the rows go out again and consumers drop them by event id
(at-least-once). On PostgreSQL the rows stay locked `FOR UPDATE SKIP LOCKED` while they are
published, so several relays share the work and never publish one row twice; SQLite runs one
worker per service and reads, publishes, then marks.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Table, select, update

from shared.clock import SystemClock
from shared.db import Database

log = logging.getLogger("attune.relay")


class OutboxRelay:
    def __init__(self, db: Database, table: Table, publisher, batch_size: int = 500,
                 idle_sleep: float = 0.03, clock=None):
        self.db, self.table, self.publisher = db, table, publisher
        self.batch_size, self.idle_sleep = batch_size, idle_sleep
        self.clock = clock or SystemClock()

    def _unsent(self):
        t = self.table
        return select(t.c.id, t.c.body).where(t.c.published_at.is_(None)).order_by(t.c.id).limit(self.batch_size)

    def _mark(self, session, ids: list[int]) -> None:
        now = self.clock.now().replace(tzinfo=None)
        session.execute(update(self.table).where(self.table.c.id.in_(ids)).values(published_at=now))

    def relay_once(self) -> int:
        """Publishes one batch; returns how many rows went out."""
        if self.db.sqlite:
            with self.db.read() as s:
                rows = list(s.execute(self._unsent()))
            if rows:
                self.publisher.publish([r.body for r in rows])
                with self.db.write() as s:
                    self._mark(s, [r.id for r in rows])
            return len(rows)
        with self.db.write() as s:
            rows = list(s.execute(self._unsent().with_for_update(skip_locked=True)))
            if rows:
                self.publisher.publish([r.body for r in rows])
                self._mark(s, [r.id for r in rows])
        return len(rows)

    def run(self, stop: threading.Event) -> None:
        """Relays until `stop`; backs off while the broker or database is away, then sweeps up."""
        backoff = 0.5
        while not stop.is_set():
            try:
                sent = self.relay_once()
                backoff = 0.5
            except Exception as e:  # noqa: BLE001 - broker or database away: retry, never die
                log.warning("relay failed, retrying", extra={"error": type(e).__name__, "retry_in": backoff})
                self.publisher.close()
                stop.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if sent < self.batch_size:
                stop.wait(self.idle_sleep)
        self.publisher.close()


def drain(relay: OutboxRelay, timeout: float = 10) -> int:
    """Publishes until the outbox is empty (tests and tools)."""
    total, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = relay.relay_once()
        total += n
        if n == 0:
            return total
    return total
