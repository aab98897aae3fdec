"""Small helpers over both dialects: UTC conversions and INSERT ... ON CONFLICT."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.clock import utc


def aware(dt: datetime | None) -> datetime | None:
    return None if dt is None else utc(dt)


def upsert(session: Session, table: Table):
    """The dialect's INSERT, which knows ON CONFLICT (SQLite ≥ 3.24 and PostgreSQL alike)."""
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_PREPARED: dict[tuple[str, str], object] = {}


def prepared(session: Session, name: str, build: Callable[[str], object]):
    """A statement built once per dialect with bind parameters: the hot paths skip building and
    caching a new statement object for each request, which costs more than running it."""
    dialect = session.get_bind().dialect.name
    key = (dialect, name)
    stmt = _PREPARED.get(key)
    if stmt is None:
        stmt = _PREPARED[key] = build(dialect)
    return stmt

