"""The outbox relay: the only publisher. Reads unsent rows in order, publishes them with confirms,
marks them sent only after the broker confirmed.

A crash between confirm and mark publishes those rows again and consumers drop them by event id
(at-least-once). Several relays never publish one row twice: on PostgreSQL each batch stays locked
`FOR UPDATE SKIP LOCKED` while it is published, so relays share the work; on SQLite, where readers
cannot lock rows, a relay holds an exclusive file lock beside the database for the whole
read-publish-mark round, so a second relay waits its turn.

Wake-up: on PostgreSQL a trigger on the outbox sends a NOTIFY that is delivered when the writer
commits (see `tables.create_outbox_notify`), and the relay LISTENs, so an event goes out within milliseconds of its commit; a one-second sweep
catches anything left over (a missed notification, rows from before a crash or a broker outage).
SQLite has no notifications: the relay polls every 30 ms, a cheap indexed read.

Replays: a consumer that finds its queue gone (deleted while events flowed: what was in it and what
was published meanwhile is lost for it) re-declares it and asks every publishing service, through the
fanout `<exchange>.replay`, for the events published since shortly before the last one it saw. The relay
checks its replay queue once a second and sends the matching published rows straight into that queue;
the consumer drops those it already applied by event id. So an internal consumer gets every event at
least once even across a queue's deletion.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import threading
import time
from datetime import datetime

from sqlalchemy import Table, func, select, text, update

from shared import metrics
from shared.clock import SystemClock, naive_utc
from shared.db import Database
from shared.messaging.tables import NOTIFY_CHANNEL
from shared.messaging.topology import topic_matches

log = logging.getLogger("attune.relay")
BACKOFF_START, BACKOFF_MAX = 0.25, 2.0  # at most 2 s between tries: publishing resumes soon after the broker returns
COALESCE_SECONDS = 0.005  # gathering a burst of wake-ups into one batch, when traffic is light
COALESCE_BUSY_SECONDS = 0.025  # ... and while events keep coming (the last batch carried several)
QUIET_GAP_SECONDS = 0.002  # a burst has ended when no commit follows within this: gather no longer
REPLAY_EVERY_SECONDS = 1.0
REPLAY_LIMIT = 20_000  # rows one replay request may send
PUBLICATION_LOCK = 7301  # advisory lock class: numbering published rows, one relay of a schema at a time


class OutboxRelay:
    def __init__(self, db: Database, table: Table, publisher, batch_size: int = 500,
                 idle_sleep: float = 0.03, clock=None, listen: bool = True, sweep_every: float = 1.0):
        self.db, self.table, self.publisher = db, table, publisher
        self.batch_size, self.idle_sleep, self.sweep_every = batch_size, idle_sleep, sweep_every
        self.clock = clock or SystemClock()
        self._lock = _FileLock(db.engine.url.database) if db.sqlite else None
        self._waker = _Listener(db) if listen and not db.sqlite else None
        self.replayed, self._replay_due = 0, 0.0  # events sent again on consumers' requests

    @property
    def unroutable(self) -> int:
        """Messages no queue took (basic.return) since start: a rising count means events go nowhere."""
        return getattr(self.publisher, "unroutable", 0)

    @property
    def last_unroutable_at(self) -> float | None:
        """time.time() of the last message no queue took, or None."""
        return getattr(self.publisher, "last_unroutable_at", None)

    def serve_replays(self) -> int:
        """Answers the waiting replay requests; returns how many events went out again."""
        take = getattr(self.publisher, "take_replay_request", None)
        sent = 0
        while take is not None and (request := take()) is not None:
            tag, body = request
            try:
                ask = json.loads(body)
                queue, keys = str(ask["queue"]), [str(k) for k in ask["routing_keys"]]
                since = datetime.fromisoformat(ask["since"])
            except (ValueError, KeyError, TypeError) as e:
                log.warning("replay request unreadable, dropped", extra={"error": type(e).__name__})
                self.publisher.settle_replay_request(tag)
                continue
            bodies = self._published_since(since, keys)
            self.publisher.publish_to_queue(queue, bodies)
            self.publisher.settle_replay_request(tag)
            metrics.replayed(queue, len(bodies))
            log.info("events replayed", extra={"queue": queue, "count": len(bodies), "since": ask["since"]})
            sent += len(bodies)
        self.replayed += sent
        return sent

    def _published_since(self, since: datetime, keys: list[str]) -> list[str]:
        t = self.table
        q = (select(t.c.type, t.c.body).where(t.c.published_seq.is_not(None), t.c.published_at >= naive_utc(since))
             .order_by(t.c.published_seq).limit(REPLAY_LIMIT))
        with self.db.read() as s:
            return [r.body for r in s.execute(q) if any(topic_matches(k, r.type) for k in keys)]

    def _unsent(self):
        t = self.table
        return select(t.c.id, t.c.body).where(t.c.published_at.is_(None)).order_by(t.c.id).limit(self.batch_size)

    def _mark(self, session, ids: list[int]) -> None:
        """Marks rows sent and numbers them after the last number given (`published_seq`, the feed's
        cursor). On PostgreSQL relays take turns on a transaction lock for this last step, so numbers
        rise in commit order: a reader that saw number n has seen every number below it."""
        t, now = self.table, naive_utc(self.clock.now())
        if not self.db.sqlite:  # SQLite's write lock already serialises relays
            session.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"),
                            {"k": PUBLICATION_LOCK})
        last = select(func.coalesce(func.max(t.c.published_seq), 0)).scalar_subquery()
        numbered = select(t.c.id, (last + func.row_number().over(order_by=t.c.id)).label("seq")) \
            .where(t.c.id.in_(ids)).subquery()
        session.execute(update(t).where(t.c.id == numbered.c.id)
                        .values(published_at=now, published_seq=numbered.c.seq))

    def relay_once(self) -> int:
        """Publishes one batch; returns how many rows went out."""
        if self.db.sqlite:
            return self._relay_sqlite()
        with self.db.write() as s:
            rows = list(s.execute(self._unsent().with_for_update(skip_locked=True)))
            if rows:
                self.publisher.publish([r.body for r in rows])
                self._mark(s, [r.id for r in rows])
        return len(rows)

    def _relay_sqlite(self) -> int:
        with self._lock.held() as mine:
            if not mine:
                return 0
            with self.db.read() as s:
                rows = list(s.execute(self._unsent()))
            if rows:
                self.publisher.publish([r.body for r in rows])
                with self.db.write() as s:
                    self._mark(s, [r.id for r in rows])
            return len(rows)

    def run(self, stop: threading.Event) -> None:
        """Relays until `stop`; backs off while the broker or database is away, then sweeps up."""
        backoff = BACKOFF_START
        while not stop.is_set():
            try:
                sent = self.relay_once()
            except Exception as e:  # noqa: BLE001 - broker or database away: retry, never die
                log.warning("relay failed, retrying", extra={"error": type(e).__name__, "retry_in": backoff})
                _call(self.publisher, "drop", "close")
                stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            if time.monotonic() >= self._replay_due:
                self._replay_due = time.monotonic() + REPLAY_EVERY_SECONDS
                try:
                    self.serve_replays()
                except Exception as e:  # noqa: BLE001 - the request stays queued; retried next round
                    log.warning("replay failed, retrying", extra={"error": type(e).__name__})
                    _call(self.publisher, "drop", "close")
            backoff = BACKOFF_START
            if sent:
                metrics.published(sent)
                log.debug("relayed", extra={"count": sent})
            if sent < self.batch_size:
                self._idle(stop, busy=sent > 1)
        self.close()

    def _idle(self, stop: threading.Event, busy: bool = False) -> None:
        """Waits for the next commit's notification. Under load, each round's fixed cost (a
        transaction, a confirm round trip) is what limits the relay, so it then gathers longer; either
        way it publishes as soon as a burst of commits ends (the integrator's latency)."""
        _call(self.publisher, "keepalive")
        gather = COALESCE_BUSY_SECONDS if busy else COALESCE_SECONDS
        if self._waker is not None and self._waker.wait(self.sweep_every, gather):
            return
        if self._waker is None or not self._waker.healthy:
            stop.wait(self.idle_sleep)

    def close(self) -> None:
        _call(self.publisher, "close")
        if self._waker is not None:
            self._waker.close()
        if self._lock is not None:
            self._lock.close()


def _call(obj, *names: str) -> None:
    """Calls the first of `names` the publisher has (test fakes need only publish and close)."""
    for name in names:
        if hasattr(obj, name):
            getattr(obj, name)()
            return


class _FileLock:
    """An exclusive flock beside a SQLite file, taken without waiting (two relays take turns)."""

    def __init__(self, database: str | None):
        self.path = f"{database}.relay-lock" if database and database != ":memory:" else None
        self._file = None

    @contextlib.contextmanager
    def held(self):
        if self.path is None:
            yield True
            return
        if self._file is None:
            self._file = open(self.path, "a")  # noqa: SIM115 - kept open for the relay's life
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _Listener:
    """LISTEN on a connection of its own; `wait` returns True when this schema's outbox got rows."""

    def __init__(self, db: Database):
        self.db, self._conn, self._schema, self._retry_at = db, None, None, 0.0

    @property
    def healthy(self) -> bool:
        return self._conn is not None

    def _connect(self) -> None:
        proxy = self.db.engine.raw_connection()
        proxy.detach()  # ours for good: it must not go back to the pool with LISTEN active
        conn = proxy.dbapi_connection
        conn.rollback()
        conn.autocommit = True
        self._schema = conn.execute("SELECT current_schema()").fetchone()[0]
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._conn = conn

    def wait(self, timeout: float, gather: float = COALESCE_SECONDS, quiet_gap: float = QUIET_GAP_SECONDS) -> bool:
        if self._conn is None:
            if time.monotonic() < self._retry_at:
                return False
            try:
                self._connect()
            except Exception as e:  # noqa: BLE001 - the database is away: poll until it returns
                log.warning("relay cannot listen, polling", extra={"error": type(e).__name__})
                self._retry_at = time.monotonic() + 5
                return False
            return True  # sweep once: rows may have come in before LISTEN
        try:
            if not any(n.payload == self._schema for n in self._conn.notifies(timeout=timeout, stop_after=1)):
                return False
            # Commits come in bursts: gather what follows (up to `gather`) so one batch carries them,
            # draining the queued notifications so they cause no empty rounds after it. A burst has
            # ended when no commit follows within `quiet_gap`: a lone commit waits 2 ms, not the window.
            deadline = time.monotonic() + gather
            while (left := deadline - time.monotonic()) > 0 and \
                    list(self._conn.notifies(timeout=min(quiet_gap, left), stop_after=1)):
                pass
            return True
        except Exception as e:  # noqa: BLE001 - lost the connection: sweep now, reconnect next time
            log.warning("relay listener lost", extra={"error": type(e).__name__})
            self.close()
            return True

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def drain(relay: OutboxRelay, timeout: float = 10) -> int:
    """Publishes until the outbox is empty (tests and tools)."""
    total, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = relay.relay_once()
        total += n
        if n == 0:
            return total
    return total
