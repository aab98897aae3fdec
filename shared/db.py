"""Database engines and transactions for SQLite and PostgreSQL.

SQLite: WAL, a long busy timeout and `BEGIN IMMEDIATE` for writes, so concurrent writers queue up
instead of failing with "database is locked". PostgreSQL: each service keeps its tables in a schema
named after it (selected through `search_path`), so several services may share one database.
"""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, schema: str | None = None, pool_size: int = 8) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if schema is None or not _SCHEMA_RE.match(schema):
        raise ValueError(f"a PostgreSQL schema name is required, got {schema!r}")
    # No pre-ping: it costs a round trip on every checkout (a fifth of a booking request's time).
    # A connection the server dropped fails its first statement instead; SQLAlchemy then discards
    # the whole pool, the request answers 503 with Retry-After, and the next one reconnects.
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800,
                           connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        readonly = conn.get_execution_options().get("attune_readonly")
        conn.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")

    return engine


class Database:
    """One service's engine and its sessions: `write()` and `read()` are transactions."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(engine.execution_options(attune_readonly=True), expire_on_commit=False)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextlib.contextmanager
    def write(self):
        """A transaction that takes the write lock up front on SQLite; commits on success."""
        with self._sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self):
        with self._readers() as session:
            try:
                yield session
            finally:
                session.rollback()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.rollback()


def schema_for(service: str, env=None) -> str:
    import os

    env = os.environ if env is None else env
    return env.get(f"{service.upper()}_DB_SCHEMA") or service
