"""Before a process starts: can it reach its database and the broker? One clear line if not."""
from __future__ import annotations

import re
import sys
import time


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    return re.sub(r"\s+", " ", reason)[:200]


def database_problem(url: str) -> str | None:
    if not url.startswith("postgres"):
        return None  # SQLite: a file, created on demand
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5):
            return None
    except Exception as e:  # noqa: BLE001 - any failure is reported the same way
        return (f"cannot reach PostgreSQL at {redact(url)} ({_reason(e)}): check that it is running, "
                "that DATABASE_URL (or <SERVICE>_DATABASE_URL) names it, and its user and password")


def broker_problem(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
            return None
    except Exception as e:  # noqa: BLE001
        return (f"cannot reach RabbitMQ at {redact(url)} ({_reason(e)}): check that it is running "
                "and that AMQP_URL names it, with its user, password and vhost")


def problems_of(settings_list) -> list[str]:
    found = [database_problem(url) for url in dict.fromkeys(s.database_url for s in settings_list)]
    found += [broker_problem(url) for url in dict.fromkeys(s.amqp_url for s in settings_list)]
    return [p for p in found if p]


def require_reachable(settings_list, wait: float = 0.0) -> None:
    """Exits with status 3 and one line per part still unreachable after `wait` seconds, no traceback."""
    settings_list = list(settings_list)
    deadline = time.monotonic() + wait
    problems = problems_of(settings_list)
    while problems and time.monotonic() < deadline:
        time.sleep(1)
        problems = problems_of(settings_list)
    if problems:
        for p in problems:
            print(f"attune: {p}", file=sys.stderr, flush=True)
        sys.exit(3)
