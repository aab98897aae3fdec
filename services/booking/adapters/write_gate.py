"""Writers of one SQLite file queue here instead of in SQLite's busy handler.

SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in its busy handler
(1, 2, 5, ... up to 100 ms between tries), so under load writers wait far longer than the lock is
ever held and throughput collapses. Here a thread lock (within the process) and an exclusive
flock beside the database (across gunicorn workers and booking workers) hand the lock to the next
writer the moment it is free. PostgreSQL locks rows and needs none of this.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading

from sqlalchemy.exc import OperationalError

WAIT_LIMIT = 30.0  # seconds, as SQLite's own busy timeout: then the client gets a 503 to retry


class WriteGate:
    def __init__(self, database_path: str | None):
        self.path = f"{database_path}.write-lock" if database_path and database_path != ":memory:" else None
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    @contextlib.contextmanager
    def held(self):
        if self.path is None:
            yield
            return
        if not self._thread_lock.acquire(timeout=WAIT_LIMIT):
            raise OperationalError("waiting to write", None, TimeoutError("the write gate stayed closed"))
        try:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd


def for_database(db) -> WriteGate:
    return WriteGate(db.engine.url.database if db.sqlite else None)
