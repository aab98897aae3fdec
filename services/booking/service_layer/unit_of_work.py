"""The unit of work: where aggregates change and their events reach the outbox, together: in one
write transaction, or (PostgreSQL's hot path) in one statement that commits on its own."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from services.booking.adapters import write_gate
from services.booking.adapters.sql import Runner
from services.booking.domain.rules import Policy


@dataclass
class Tx:
    """One open transaction (or, apart, a connection whose statements each commit on their own):
    its connection, its single "now", and the outbox its events go to."""
    session: Runner
    now: datetime
    outbox: object
    policy: Policy
    secret_key: str | None = None  # ATTUNE_SECRET_KEY: seals what only Attune's own services may open
    freed: list[tuple[str, datetime]] = field(default_factory=list)
    offer_caps: tuple[int, int] | None = None  # slot offers per contact request, per recipient a day
    sequences: dict[str, int] = field(default_factory=dict)  # last sequence written per subject

    def record(self, *aggregates) -> None:
        """Writes the events the aggregates recorded, in order, with their per-subject sequence.

        An aggregate that counts its own events (`sequence`, stored with its row), one created in
        this transaction, or one already written to in it needs no lookup of its last sequence
        (the unique (subject, sequence) index still guards it)."""
        for aggregate in aggregates:
            if getattr(aggregate, "sequence", None) is not None:
                self.outbox.write(self.session, self.rows(aggregate))
                continue
            if getattr(aggregate, "new", False):
                self.sequences.setdefault(aggregate.subject, 0)
                aggregate.new = False  # from now on its events exist
            for type_, data in aggregate.pull_events():
                event = self.outbox.add(self.session, type_, aggregate.subject, data, self.now,
                                        after=self.sequences.get(aggregate.subject))
                self.sequences[aggregate.subject] = event["sequence"]

    def rows(self, aggregate) -> list[dict]:
        """The outbox rows of the events an aggregate that counts its own recorded, for a statement
        that writes them together with the aggregate's row."""
        events = aggregate.pull_events()
        first = aggregate.sequence - len(events) + 1
        return [self.outbox.row(type_, aggregate.subject, first + i, data, self.now)[1]
                for i, (type_, data) in enumerate(events)]


class UnitOfWork:
    def __init__(self, db, outbox, clock, policy: Policy, secret_key: str | None = None):
        self.db, self.outbox, self.clock, self.policy = db, outbox, clock, policy
        self.secret_key = secret_key
        self.gate = write_gate.for_database(db)
        self._reader = db.engine.execution_options(attune_readonly=True)

    @contextlib.contextmanager
    def write(self):
        """A write transaction. On a Core connection: the repositories run SQL statements only, so
        an ORM session's bookkeeping would be pure overhead on the hot path."""
        with self.gate.held(), self.db.engine.begin() as conn:
            yield self.within(conn)

    @contextlib.contextmanager
    def apart(self):
        """Statements each committed on its own: PostgreSQL autocommit, so a row lock lasts one
        statement, never a transaction. SQLite has no row locks: an ordinary write transaction."""
        if self.db.sqlite:
            with self.write() as tx:
                yield tx
            return
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield self.within(conn)

    @contextlib.contextmanager
    def read(self):
        with self._reader.connect() as conn:
            try:
                yield self.within(conn)
            finally:
                conn.rollback()

    def within(self, session: Runner) -> Tx:
        """A Tx over a transaction someone else opened (the event consumer's)."""
        return Tx(session, self.clock.now(), self.outbox, self.policy, self.secret_key,
                  offer_caps=getattr(self, "offer_caps", None))
