"""Small helpers over both dialects: UTC conversions and INSERT ... ON CONFLICT."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.clock import utc


def aware(dt: datetime | None) -> datetime | None:
    return None if dt is None else utc(dt)


Runner = Session | Connection
"""What the repositories run statements on: a Core connection (the unit of work's) or a session
(the event consumer's transaction)."""


def bind(session: Runner) -> Engine | Connection:
    """What a session or connection runs on: its dialect and execution options."""
    return session if isinstance(session, Connection) else session.get_bind()


def upsert(session: Runner, table: Table):
    """The dialect's INSERT, which knows ON CONFLICT (SQLite ≥ 3.24 and PostgreSQL alike)."""
    return (postgresql if is_postgres(session) else sqlite).insert(table)


def is_postgres(session: Runner) -> bool:
    return bind(session).dialect.name == "postgresql"


_PREPARED: dict[tuple[str, str], object] = {}


def prepared(session: Runner, name: str, build: Callable[[str], object]):
    """A statement built once per dialect with bind parameters: the hot paths skip building and
    caching a new statement object for each request, which costs more than running it."""
    dialect = bind(session).dialect.name
    key = (dialect, name)
    stmt = _PREPARED.get(key)
    if stmt is None:
        stmt = _PREPARED[key] = build(dialect)
    return stmt

