"""A consumer process that dies with exit code 17 inside its handler (before commit) or between
commit and ack (after commit): `crashing_consumer.py AMQP_URL EXCHANGE DB_URL SCHEMA WHEN`."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from sqlalchemy import insert

from shared import config
from shared.db import Database, make_engine
from shared.messaging.consumer import EventConsumer
from shared.messaging.topology import Subscription
from tests.integration.shared.conftest import messaging_tables


def main(amqp_url: str, exchange: str, db_url: str, schema: str, when: str) -> None:
    _, tables, effects = messaging_tables()
    db = Database(make_engine(db_url, None if schema == "-" else schema))

    def handler(session, event, data):
        session.execute(insert(effects).values(event_id=event["id"], subject=event["subject"], note=event["type"]))
        if when == "before_commit":
            session.flush()
            os._exit(17)

    class CrashAfterCommit(EventConsumer):
        def _apply_once(self, *args):
            super()._apply_once(*args)
            os._exit(17)

    settings = config.load("booking", {"AMQP_URL": amqp_url, "ATTUNE_EXCHANGE": exchange,
                                       "BOOKING_DATABASE_URL": db_url})
    sub = Subscription("crashy", ("booking.*",), {"booking.held": handler})
    CrashAfterCommit(settings, db, tables, [sub]).run()


if __name__ == "__main__":
    main(*sys.argv[1:])
