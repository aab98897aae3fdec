"""`attune up` as an operator runs it: migrates, starts six processes, announces, restarts what dies,
stops on Ctrl-C; says in one line what it cannot reach; `attune down` clears what it declared."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from shared.messaging.topology import declare_replay_queue, replay_queue_name
from tests.support import infra
from tests.support.system import ROOT, free_port, http, wait_until

pytestmark = pytest.mark.e2e


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True, check=False).stdout  # 1: none
    return [int(p) for p in out.split()]


def _pid_of(output: str, name: str) -> int:
    return int([line for line in output.splitlines() if f" {name} " in line and "started with pid" in line][-1].split()[-1])


def test_attune_up_starts_everything_restarts_a_killed_worker_and_stops_cleanly_on_ctrl_c(tmp_path):
    amqp = infra.find_amqp()
    ports = {s: free_port() for s in ("availability", "booking", "notifications", "staff")}
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
                "availability.db", "booking.db", "notifications.db", "staff.db"}
        assert len(_children(proc.pid)) >= 9, "the supervisor plus four web apps and four workers"

        killed = _pid_of(output, "booking-worker")
        os.kill(killed, signal.SIGKILL)
        restarted = wait_until(lambda: _pid_of((tmp_path / "up.log").read_text(), "booking-worker") != killed, 20)
        output = (tmp_path / "up.log").read_text()
        assert restarted, output[-3000:]
        assert "restarting booking-worker in 1 s (exit -9)" in output
        assert wait_until(lambda: (tmp_path / "up.log").read_text().count('"service": "booking", "jobs"') == 2, 30), \
            "the new booking worker started its jobs"
        os.kill(_pid_of((tmp_path / "up.log").read_text(), "booking-worker"), 0)  # and is running
        assert http("GET", f"http://127.0.0.1:{ports['booking']}/v1/health")[0] == 200, "the booking page stayed up"

        for _ in range(20):  # spread over both gunicorn workers; /metrics sums every process's counts
            http("GET", f"http://127.0.0.1:{ports['booking']}/v1/bookings/nobody-{infra.rand(4)}")
        st, text, _ = http("GET", f"http://127.0.0.1:{ports['booking']}/metrics", headers={"Accept": "text/plain"})
        assert st == 200, text
        samples = [line for line in text.splitlines() if line.startswith("attune_http_requests_total{")
                   and 'service="booking"' in line and "nobody" not in line]
        assert sum(float(line.rsplit(" ", 1)[1]) for line in samples
                   if 'endpoint="/v1/bookings/<booking_id>"' in line) == 20, text[:3000]
        assert "nobody-" not in text, "endpoints are URL rules, never raw paths"
        assert 'service="notifications"' not in text, "a web app shows its own service only"
        assert (tmp_path / "var" / "metrics" / "booking").is_dir()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        # a SIGKILLed gunicorn's workers take a moment to be reaped on a loaded host
        assert wait_until(lambda: _children(proc.pid) == [], 10), "no process outlives Ctrl-C"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        # the queues it declared, every service's (quorum queues left behind weigh on a shared broker)
        subprocess.run([sys.executable, "-m", "attune.cli", "down"], cwd=ROOT, env=env, capture_output=True,
                       timeout=60, check=False)
        if infra.wants_postgres():
            for s in ports:
                infra.drop_schema(env["DATABASE_URL"], env[f"{s.upper()}_DB_SCHEMA"])


def test_a_bad_setting_stops_attune_with_a_message_naming_the_variable(tmp_path):
    env = {**os.environ, "HOLD_TTL_SECONDS": "ten minutes", "ATTUNE_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "attune.cli", "up"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "HOLD_TTL_SECONDS" in result.stderr


def _unused_port_url(kind: str) -> str:
    port = free_port()
    return {"amqp": f"amqp://guest:hunter2@127.0.0.1:{port}//", "pg": f"postgresql://postgres@127.0.0.1:{port}/x"}[kind]


@pytest.mark.parametrize("command", [["up"], ["worker", "booking"]])
@pytest.mark.parametrize("part, variable, names", [("amqp", "AMQP_URL", "cannot reach RabbitMQ at amqp://guest:***@"),
                                                   ("pg", "DATABASE_URL", "cannot reach PostgreSQL at postgresql://")])
def test_an_unreachable_broker_or_database_stops_attune_with_one_line_naming_the_url(tmp_path, command, part,
                                                                                      variable, names, own_broker):
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update({"ATTUNE_VAR_DIR": str(tmp_path), "AMQP_URL": own_broker.url, variable: _unused_port_url(part),
                "ATTUNE_CONNECT_WAIT": "2"})  # how long `attune worker` waits for them first (default 30 s)
    result = subprocess.run([sys.executable, "-m", "attune.cli", *command], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)

    assert result.returncode == 3, result.stderr[-2000:]
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("attune: " + names) and "Traceback" not in result.stderr
    assert "hunter2" not in line, "the password is not printed"
    assert "check that it is running" in line


def test_attune_down_deletes_the_exchange_queues_and_dead_letter_queues_of_its_exchange(tmp_path, amqp_url):
    from kombu import Connection

    exchange = f"attune.down.{infra.rand()}"
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update({"ATTUNE_VAR_DIR": str(tmp_path), "AMQP_URL": amqp_url, "ATTUNE_EXCHANGE": exchange})
    other = f"attune.down.{infra.rand()}"
    for name in (exchange, other):
        subprocess.run([sys.executable, "-m", "attune.cli", "migrate"], cwd=ROOT, env={**env, "ATTUNE_EXCHANGE": name},
                       check=True, capture_output=True, timeout=120)
    queues = infra.service_queues("booking", env) + infra.service_queues("notifications", env)
    prefix = f"{exchange}:"
    replays = [replay_queue_name(prefix, s) for s in ("availability", "booking", "notifications", "staff")]
    with Connection(amqp_url) as conn:  # a worker's relay declares these as it starts
        for name in replays:
            declare_replay_queue(conn.channel(), exchange, name)

    result = subprocess.run([sys.executable, "-m", "attune.cli", "down"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)

    assert result.returncode == 0, result.stderr[-2000:]
    with Connection(amqp_url) as conn:
        def there(kind: str, name: str) -> bool:
            ch = conn.channel()
            try:
                (ch.queue_declare(name, passive=True) if kind == "queue"
                 else ch.exchange_declare(name, "topic", passive=True))
                return True
            except conn.channel_errors:
                return False
        gone = [q for q in queues + replays for q in (q, q + ".dlq") if there("queue", q)]
        assert gone == [], "every queue, dead-letter queue and replay-request queue of the exchange is deleted"
        assert not any(there("exchange", exchange + suffix) for suffix in ("", ".dlx", ".replay"))
        others = infra.service_queues("booking", {**env, "ATTUNE_EXCHANGE": other})
        assert all(there("queue", q) for q in others), "another exchange's queues are left alone"
    assert exchange + ".dlx" in result.stdout
    refused = subprocess.run([sys.executable, "-m", "attune.cli", "down"], cwd=ROOT, capture_output=True, text=True,
                             env={**env, "ATTUNE_EXCHANGE": ""}, timeout=60, check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr, "the default exchange needs --force"
    subprocess.run([sys.executable, "-m", "attune.cli", "down"], cwd=ROOT, env={**env, "ATTUNE_EXCHANGE": other},
                   capture_output=True, timeout=60, check=True)
