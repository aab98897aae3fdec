"""A SQLite database with the messaging tables and an `effects` table, for the pure parts' tests."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.db import Database, make_engine
from shared.messaging.outbox import Outbox
from shared.messaging.tables import add_messaging_tables

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Store:
    def __init__(self, path):
        self.metadata = MetaData()
        self.tables = add_messaging_tables(self.metadata)
        self.effects = Table("effects", self.metadata, Column("id", Integer, primary_key=True),
                             Column("event_id", String(36)))
        self.db = Database(make_engine(f"sqlite:///{path}"))
        self.metadata.create_all(self.db.engine)
        self.outbox = Outbox(self.tables["outbox"], "/attune/booking")


@pytest.fixture
def store(tmp_path):
    made = Store(tmp_path / "unit.db")
    yield made
    made.db.engine.dispose()


def booking_data(booking_id: str, status: str = "held") -> dict:
    return {"booking_id": booking_id, "clinician_id": "cl_1", "start": NOW, "end": NOW, "status": status}
