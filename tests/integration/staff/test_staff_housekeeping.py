"""`attune accounts create` and the worker's pruning of old sign-in failures and ended sessions."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from services.staff.adapters.orm import sign_in_failures
from services.staff.entrypoints import jobs
from shared import revocations
from shared.clock import naive_utc
from tests.conftest import ROOT
from tests.integration.staff.conftest import NOW, PASSWORD

pytestmark = pytest.mark.integration


def attune_accounts_create(staff, password: str, *args: str) -> subprocess.CompletedProcess:
    schema = None
    if not staff.db.sqlite:
        from sqlalchemy import text

        with staff.db.read() as s:
            schema = s.execute(text("SELECT current_schema()")).scalar()
    env = {**os.environ, "STAFF_DATABASE_URL": staff.settings.database_url, "ATTUNE_SECRET_KEY": staff.settings.secret_key,
           "ATTUNE_ACCOUNT_PASSWORD": password, "LOG_LEVEL": "WARNING", **({"STAFF_DB_SCHEMA": schema} if schema else {})}
    env.pop("ATTUNE_ADMIN_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "attune.cli", "accounts", "create", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_attune_accounts_create_refuses_a_weak_password_then_makes_the_first_admin_who_signs_in(
        staff, api, admin_headers):
    weak = attune_accounts_create(staff, "password1234", "--email", "Owner@Practice.test", "--role", "admin")
    assert weak.returncode == 1 and "password" in weak.stderr
    assert api.get("/v1/accounts", headers=admin_headers).get_json()["accounts"] == []

    made = attune_accounts_create(staff, PASSWORD, "--email", "Owner@Practice.test", "--role", "admin",
                                  "--name", "Robin Owner")

    assert made.returncode == 0, made.stderr
    assert '"email": "owner@practice.test"' in made.stdout and '"role": "admin"' in made.stdout
    r = api.post("/v1/sessions", json={"email": "owner@practice.test", "password": PASSWORD})
    assert r.status_code == 201 and r.get_json()["account"]["name"] == "Robin Owner"


def test_pruning_forgets_failures_older_than_any_lock_and_revocations_of_expired_sessions(staff, clock):
    table = staff.tables["revocations"]
    with staff.db.write() as conn:
        for minutes in (31, 29):
            conn.execute(insert(sign_in_failures).values(kind="email", key="a@b.test",
                                                         at=naive_utc(NOW - timedelta(minutes=minutes))))
        revocations.revoke_session(conn, table, "expired", NOW - timedelta(seconds=1))
        revocations.revoke_session(conn, table, "live", NOW + timedelta(hours=1))
        revocations.set_account_disabled(conn, table, "ac-1", True)

    jobs.prune(staff)

    with staff.db.read() as conn:
        ages = conn.execute(select(sign_in_failures.c.at)).scalars().all()
        kept = conn.execute(select(table.c.key)).scalars().all()
    assert ages == [naive_utc(NOW - timedelta(minutes=29))]
    assert sorted(kept) == ["ac-1", "live"]


def test_the_console_is_served_at_the_root_as_html(make_container, clock):
    from services.staff.entrypoints.flask_app import create_app

    container = make_container("staff", clock=clock)

    r = create_app(container).test_client().get("/")

    assert r.status_code == 200 and r.mimetype == "text/html" and "<html" in r.get_data(as_text=True)
