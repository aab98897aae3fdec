"""PostgreSQL-only mechanics: the migrated outbox trigger wakes the relay on commit (one NOTIFY naming
the service's schema, none before or on rollback), and only a rate-limit count committed on its own
skips the WAL flush."""
from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.messaging.tables import NOTIFY_CHANNEL
from tests.integration.shared.conftest import booking_data

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_outbox_write_notifies_its_relay_on_commit_only(make_container, pg_url):
    booking = make_container("booking", db_url=pg_url)
    with booking.db.engine.connect() as c:
        schema = c.exec_driver_sql("SELECT current_schema()").scalar()
    listener = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
    outbox = booking.extra["uow"].outbox

    def ours(timeout: float) -> list[str]:
        """This schema's wake-ups (other test runs on this database notify the same channel)."""
        return [n.payload for n in listener.notifies(timeout=timeout) if n.payload == schema]

    def write(commit: bool) -> None:
        with booking.db.engine.connect() as conn, Session(bind=conn) as session:
            for n in range(3):
                outbox.add(session, "booking.held", f"b-{commit}-{n}", booking_data(f"b-{commit}-{n}"), NOW)
            assert not ours(0.3), "nothing before the commit"
            session.commit() if commit else session.rollback()

    try:
        write(commit=False)
        assert not ours(0.5), "a rolled-back write wakes no one"
        write(commit=True)
        woken = ours(2)
    finally:
        listener.close()

    assert woken == [schema], "one wake-up per transaction, naming the writer's schema"


def test_only_a_rate_limit_count_of_its_own_gives_up_the_wal_flush_never_a_bookings_transaction(
        make_container, pg_url):
    from services.booking.adapters import requests_log

    uow = make_container("booking", db_url=pg_url).extra["uow"]
    with uow.apart() as tx:
        assert requests_log.hit(tx.session, "203.0.113.9", NOW) == 1
    with uow.write() as tx:
        assert requests_log.hit(tx.session, "203.0.113.9", NOW) == 2
        setting = tx.session.execute(text("SHOW synchronous_commit")).scalar()

    assert setting == "on", "the booking's own commit still waits for the flush"


def test_each_process_pools_as_many_connections_as_it_is_told(make_container, pg_url):
    booking = make_container("booking", db_url=pg_url, DB_POOL_SIZE="3")

    assert booking.db.engine.pool.size() == 3
