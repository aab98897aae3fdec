"""A confirm whose gunicorn worker is killed mid-request leaves its Idempotency-Key claimed by a dead
process: the retry runs at once instead of answering "still running" while the hold runs out.

Real processes on PostgreSQL, where a row lock taken by the test holds the confirm mid-request after
its key was claimed (on SQLite one writer excludes all, so no request can be held there half-way; the
dead-owner rule itself is tested on both databases in test_booking_abuse)."""
from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psycopg
import pytest

from tests.integration.booking.test_booking_processes import hold, seed_clinician, slot
from tests.support import infra
from tests.support.system import System, http, wait_until

pytestmark = pytest.mark.e2e
KEY = {"Idempotency-Key": "k-confirm-crash"}
CLIENT = {"client": {"name": "Robin Example", "email": "robin@example.org"}, "consent": True}


def workers_of(master: int) -> list[int]:
    found = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(p.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def test_a_confirm_killed_with_its_worker_mid_request_can_be_retried_at_once(tmp_path, amqp_url, pg_url):
    system = System(tmp_path, amqp_url, pg_url, services=("booking",), web_workers=1,
                    env={"HOLD_TTL_SECONDS": 600}).start()
    try:
        cid = seed_clinician(system)
        _, held, _ = hold(system, cid, isoformat_slot())
        schema = system.env["BOOKING_DB_SCHEMA"]
        lock = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"))
        lock.execute(f'SET search_path TO "{schema}"')
        lock.execute("SELECT 1 FROM appointments WHERE id = %s FOR UPDATE", (held["id"],))  # the confirm waits here

        def confirm():
            try:
                http("POST", system.url("booking", f"/v1/holds/{held['id']}/confirm"), CLIENT, held["token"],
                     headers=KEY, timeout=30)
            except OSError:
                pass  # its worker dies under it
        threading.Thread(target=confirm, daemon=True).start()
        assert wait_until(lambda: claimed(lock), 15), "the confirm claimed its key and waits on the row"
        for pid in workers_of(system.procs["booking-web"].pid):
            os.kill(pid, signal.SIGKILL)
        lock.rollback()
        assert wait_until(system.healthy, 30), "gunicorn starts a new worker"

        st, body, _ = http("POST", system.url("booking", f"/v1/holds/{held['id']}/confirm"), CLIENT, held["token"],
                           headers=KEY)

        assert st == 201 and body["status"] == "confirmed", (st, body)
        lock.close()
    finally:
        system.stop()
        infra.delete_broker_objects(amqp_url, system.exchange, [f"{system.exchange}:booking.availability-events"])


def claimed(conn) -> bool:
    rows = conn.execute("SELECT status FROM idempotency_keys").fetchall()
    return rows == [("in_progress",)]


def isoformat_slot() -> str:
    from shared.clock import isoformat

    return isoformat(slot(days=2))
