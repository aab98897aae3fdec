"""The staff worker's housekeeping: forget old sign-in failures and revocations of expired sessions."""
from __future__ import annotations

from sqlalchemy import delete

from services.staff.adapters.orm import sign_in_failures
from services.staff.domain import lockout
from shared import revocations
from shared.clock import naive_utc


def prune(container) -> None:
    now = container.clock.now()
    horizon = max(lockout.ACCOUNT.lookback, lockout.ADDRESS.lookback)
    with container.db.write() as conn:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.at < naive_utc(now - horizon)))
        revocations.purge_expired(conn, container.tables["revocations"], now)
