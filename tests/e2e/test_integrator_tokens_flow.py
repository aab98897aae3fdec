"""Integrator tokens with the real processes: one an admin issues reads the booking feed and nothing a
staff member may do in any service; revoked, it is refused within 5 s (and by a service whose worker
was down at the time, once that worker is back)."""
from __future__ import annotations

import time

import pytest

from tests.e2e.test_staff_accounts_flow import PROBES, answers, system  # noqa: F401 - the system fixture
from tests.support.system import http, wait_until

pytestmark = pytest.mark.e2e


def issue(system, name: str) -> dict:  # noqa: F811 - the fixture's system
    status, made, _ = http("POST", system.url("staff", "/v1/integrator-tokens"), {"name": name}, system.token)
    assert status == 201, made
    return made


def feed(system, token: str) -> int:  # noqa: F811
    return http("GET", system.url("booking", "/v1/events?after=0"), token=token)[0]


def revoke(system, made: dict) -> None:  # noqa: F811
    assert http("DELETE", system.url("staff", f"/v1/integrator-tokens/{made['id']}"), token=system.token)[0] == 204


def test_an_issued_token_reads_the_feed_only_until_it_is_revoked_everywhere(system):  # noqa: F811
    crm, bi = issue(system, "CRM sync"), issue(system, "BI export")
    assert feed(system, crm["token"]) == feed(system, bi["token"]) == 200
    assert set(answers(system, crm["token"]).values()) <= {401, 403}, answers(system, crm["token"])

    revoke(system, crm)
    start = time.monotonic()
    assert wait_until(lambda: feed(system, crm["token"]) == 401, 5, 0.1), "the booking feed still took it after 5 s"
    print(f"a revoked integrator token was refused by the booking feed after {time.monotonic() - start:.2f} s")
    assert feed(system, bi["token"]) == 200, "only the revoked token ends"

    system.kill("booking-worker")
    revoke(system, bi)
    time.sleep(2)
    assert feed(system, bi["token"]) == 200, "its worker is down: nothing told booking yet"
    system.start_worker("booking")
    assert wait_until(lambda: feed(system, bi["token"]) == 401, 20, 0.2), "learnt from its queue when back"
    listed = http("GET", system.url("staff", "/v1/integrator-tokens"), token=system.token)[1]["integrator_tokens"]
    assert {t["id"]: t["status"] for t in listed} == {crm["id"]: "revoked", bi["id"]: "revoked"}
    assert crm["token"] not in str(listed) and bi["token"] not in str(listed)
