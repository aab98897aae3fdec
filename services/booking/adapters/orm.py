"""The booking service's tables (SQLAlchemy), including its outbox and processed-events tables."""
from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from shared.runtime import messaging_tables


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
MESSAGING = messaging_tables(metadata)
