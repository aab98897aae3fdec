"""Runs services as real processes (gunicorn web apps and workers), as `attune up` does, for
integration and end-to-end tests; each part can be killed and restarted on its own."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support import infra

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("availability", "booking", "notifications")
ALL_SERVICES = (*SERVICES, "staff")  # each gets a port and a database, started or not


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body=None, token: str | None = None, headers: dict | None = None, timeout=15):
    """Returns (status, parsed JSON or text, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    h = {"Accept": "application/json"}
    if body is not None:
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = f"Bearer {token}"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status, hdrs = r.read(), r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, dict(e.headers)
    try:
        return status, json.loads(raw or b"null"), hdrs
    except ValueError:
        return status, raw.decode(errors="replace"), hdrs


def wait_until(pred, timeout: float, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()


class System:
    """Chosen services, each as a gunicorn web app and a worker, on their own ports, exchange and DBs."""

    def __init__(self, workdir: Path, amqp_url: str, pg_url: str | None = None, services=SERVICES,
                 env: dict | None = None, web_workers: int = 2):
        self.tag = infra.rand(6)
        self.workdir, self.services = Path(workdir), tuple(services)
        self.token = f"test-admin-{infra.rand(24)}"
        self.exchange = f"attune.e2e.{self.tag}"
        self.amqp_url, self.pg_url = amqp_url, pg_url
        self.ports = {s: free_port() for s in ALL_SERVICES}
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "AMQP_URL": amqp_url, "ATTUNE_ADMIN_TOKEN": self.token,
                    "ATTUNE_EXCHANGE": self.exchange, "ATTUNE_VAR_DIR": str(self.workdir / "var"),
                    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1",
                    "WEB_CONCURRENCY": str(web_workers), "MIN_NOTICE_MINUTES": "0",
                    # prometheus-client's per-process counters, summed by each web app's /metrics
                    "PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "metrics"),
                    "ATTUNE_SECRET_KEY": f"test-secret-{infra.rand(32)}"}
        for s in ALL_SERVICES:
            self.env[f"{s.upper()}_PORT"] = str(self.ports[s])
            if pg_url:
                self.env[f"{s.upper()}_DATABASE_URL"] = pg_url
                self.env[f"{s.upper()}_DB_SCHEMA"] = f"{s}_e{self.tag}"
            else:
                self.env[f"{s.upper()}_DATABASE_URL"] = f"sqlite:///{self.workdir / (s + '.db')}"
        self.env.update({k: str(v) for k, v in (env or {}).items()})

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def _spawn(self, name: str, args: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the process writes to it for its life
        self.procs[name] = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def migrate(self) -> None:
        subprocess.run([sys.executable, "-m", "attune.cli", "migrate", *self.services], cwd=ROOT, env=self.env,
                       check=True, capture_output=True)

    def start_web(self, service: str) -> None:
        from attune.cli import web_command

        self._spawn(f"{service}-web", web_command(service, self.ports[service]))

    def start_worker(self, service: str) -> None:
        self._spawn(f"{service}-worker", [sys.executable, "-m", "attune.cli", "worker", service])

    def start(self, timeout: float = 60) -> System:
        self.migrate()
        for s in self.services:
            self.start_web(s)
            self.start_worker(s)
        if not wait_until(self.healthy, timeout, 0.3):
            raise RuntimeError("services did not become healthy:\n" + self.logs()[-3000:])
        return self

    def healthy(self) -> bool:
        for s in self.services:
            try:
                if http("GET", self.url(s, "/v1/health"), timeout=2)[0] != 200:
                    return False
            except OSError:
                return False
        return True

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=20)

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n" + p.read_text(errors="replace")[-4000:] for p in self.workdir.glob("*.log"))

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for name in list(self.procs):
            try:
                self.procs[name].wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs.clear()
        infra.delete_system_queues(self.amqp_url, self.exchange, self.services, self.env)
        if self.pg_url:
            for s in self.services:
                infra.drop_schema(self.pg_url, f"{s}_e{self.tag}")
