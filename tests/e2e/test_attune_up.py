"""`attune up` as an operator runs it: migrates, starts six processes, announces, stops on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support import infra
from tests.support.system import ROOT, free_port, http, wait_until

pytestmark = pytest.mark.e2e


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True, check=False).stdout  # 1: none
    return [int(p) for p in out.split()]


def test_attune_up_starts_everything_prints_the_urls_and_stops_cleanly_on_ctrl_c(tmp_path):
    amqp = infra.find_amqp()
    ports = {s: free_port() for s in ("availability", "booking", "notifications")}
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL") and k != "ATTUNE_ADMIN_TOKEN"}
    env.update({f"{s.upper()}_PORT": str(p) for s, p in ports.items()})
    env.update({"AMQP_URL": amqp, "ATTUNE_VAR_DIR": str(tmp_path / "var"),
                "ATTUNE_EXCHANGE": f"attune.up.{infra.rand()}", "PYTHONUNBUFFERED": "1"})
    if infra.wants_postgres():
        env["DATABASE_URL"] = infra.find_postgres()
        env.update({f"{s.upper()}_DB_SCHEMA": f"{s}_up{infra.rand(5)}" for s in ports})
    log = open(tmp_path / "up.log", "w+")  # noqa: SIM115 - attune up writes to it until the end
    proc = subprocess.Popen([sys.executable, "-m", "attune.cli", "up"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        announced = wait_until(lambda: "Attune is up." in (tmp_path / "up.log").read_text(), 90, 0.5)
        output = (tmp_path / "up.log").read_text()
        assert announced, output[-3000:]
        for port in ports.values():
            assert f"http://127.0.0.1:{port}" in output
            assert http("GET", f"http://127.0.0.1:{port}/v1/health")[0] == 200
        token = next(line.split()[2] for line in output.splitlines() if "admin token:" in line)
        st, _, _ = http("POST", f"http://127.0.0.1:{ports['availability']}/v1/clinicians", {}, token)
        assert st != 401, "the printed admin token is the one the services accept"
        if not infra.wants_postgres():
            assert {p.name for p in (tmp_path / "var").glob("*.db")} == {
                "availability.db", "booking.db", "notifications.db"}
        assert len(_children(proc.pid)) >= 7, "honcho plus three web apps and three workers"
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        time.sleep(0.5)
        assert _children(proc.pid) == [], "no process outlives Ctrl-C"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        if infra.wants_postgres():
            for s in ports:
                infra.drop_schema(env["DATABASE_URL"], env[f"{s.upper()}_DB_SCHEMA"])


def test_a_bad_setting_stops_attune_with_a_message_naming_the_variable(tmp_path):
    env = {**os.environ, "HOLD_TTL_SECONDS": "ten minutes", "ATTUNE_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "attune.cli", "up"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "HOLD_TTL_SECONDS" in result.stderr
