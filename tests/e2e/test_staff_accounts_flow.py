"""Staff accounts with the real processes: accounts, sign-in, a clinician's audited schedule change, and
a signed-out or deactivated account's token refused by all four services within 5 s (also by a service
whose worker was down when it happened)."""
from __future__ import annotations

import time

import pytest

from tests.support import infra
from tests.support.api import EVERY_HOUR, make_clinician
from tests.support.system import ALL_SERVICES, System, http, wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "a tidy orchard 42"
# One call per service that only a signed-in admin passes (authorised before the body is read).
PROBES = {"staff": ("GET", "/v1/accounts", None), "booking": ("GET", "/v1/bookings", None),
          "notifications": ("GET", "/v1/webhooks", None), "availability": ("POST", "/v1/clinicians", {})}


@pytest.fixture
def system(tmp_path):
    pg = infra.find_postgres() if infra.wants_postgres() else None
    s = System(tmp_path, infra.find_amqp(), pg, services=ALL_SERVICES, web_workers=1)
    try:
        yield s.start()
    finally:
        s.stop()


def answers(system, token: str, services=tuple(PROBES)) -> dict[str, int]:
    return {s: http(PROBES[s][0], system.url(s, PROBES[s][1]), PROBES[s][2], token)[0] for s in services}


def refused_within(system, token: str, seconds: float, services=tuple(PROBES)) -> float:
    """Seconds until every named service answers 401 to the token (fails the test after `seconds`)."""
    start = time.monotonic()
    assert wait_until(lambda: set(answers(system, token, services).values()) == {401}, seconds, 0.1), \
        answers(system, token, services)
    return time.monotonic() - start


def create(system, role: str, **extra) -> dict:
    body = {"email": f"{role}-{infra.rand(5)}@clinic.test", "name": role.title(), "role": role,
            "password": PASSWORD, **extra}
    st, account, _ = http("POST", system.url("staff", "/v1/accounts"), body, system.token)
    assert st == 201, account
    return account


def sign_in(system, account: dict) -> str:
    st, session, _ = http("POST", system.url("staff", "/v1/sessions"), {"email": account["email"],
                                                                          "password": PASSWORD})
    assert st == 201, session
    return session["token"]


def test_signed_out_and_deactivated_tokens_are_refused_everywhere_within_five_seconds(system):
    clinician = make_clinician(system)
    therapist = create(system, "clinician", clinician_id=clinician["id"])
    st, _, _ = http("PUT", system.url("availability", f"/v1/clinicians/{clinician['id']}/schedule"),
                    {"weekly": EVERY_HOUR[:3], "overrides": [], "time_off": []}, sign_in(system, therapist))
    assert st == 200, "a clinician changes their own schedule"
    admin = create(system, "admin")
    token, other = sign_in(system, admin), sign_in(system, admin)
    assert not {401, 403} & set(answers(system, token).values()), answers(system, token)

    assert http("DELETE", system.url("staff", "/v1/sessions/current"), token=other)[0] == 204
    signed_out = refused_within(system, other, 5)
    assert not {401, 403} & set(answers(system, token).values()), "only the signed-out session ends"

    system.kill("booking-worker")
    assert http("PATCH", system.url("staff", f"/v1/accounts/{admin['id']}"), {"active": False},
                system.token)[0] == 200
    deactivated = refused_within(system, token, 5, ("staff", "availability", "notifications"))
    assert answers(system, token, ("booking",))["booking"] != 401, "its worker is down: nothing told it yet"
    system.start_worker("booking")
    refused_within(system, token, 20, ("booking",))  # learnt from its queue when its worker came back

    st, log, _ = http("GET", system.url("staff", f"/v1/audit?subject={clinician['id']}"), token=system.token)
    assert st == 200 and any(e["service"] == "availability" and e["account_id"] == therapist["id"]
                             for e in log["entries"]), log
    st, log, _ = http("GET", system.url("staff", f"/v1/audit?account_id={admin['id']}"), token=system.token)
    assert [e["action"] for e in log["entries"]][:2] == ["session.signed_in", "session.signed_in"]
    print(f"refused everywhere after sign-out in {signed_out:.2f} s, after deactivation in {deactivated:.2f} s")
