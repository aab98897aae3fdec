"""The whole system as real processes on the real broker and database, with an SMTP sink and an
independent integrator, for flows that cross the three services."""
from __future__ import annotations

import pytest

from tests.support import infra
from tests.support.integrator import Integrator
from tests.support.smtp import SmtpSink
from tests.support.system import System

E2E_HOLD_TTL = 4


@pytest.fixture(scope="module")
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp):
    amqp = infra.find_amqp()
    pg = infra.find_postgres() if infra.wants_postgres() else None
    sysm = System(tmp_path_factory.mktemp("e2e"), amqp, pg, env={
        "SMTP_URL": smtp.url, "HOLD_TTL_SECONDS": E2E_HOLD_TTL, "PRACTICE_INBOX": "practice@e2e.test",
        "HOLDS_PER_MINUTE_PER_ADDRESS": 100000, "HOLD_MAX_LIVE_PER_ADDRESS": 100000, "HOLD_CHALLENGE_AFTER": 0})
    try:
        sysm.start()
    except Exception:
        sysm.stop()
        raise
    sysm.integrator = Integrator(amqp, sysm.exchange)
    yield sysm
    sysm.integrator.stop()
    sysm.stop()
