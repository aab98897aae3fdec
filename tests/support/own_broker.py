"""A RabbitMQ node of the test's own, for tests that stop the broker: the machine's RabbitMQ (maybe a live
system's) is never stopped, restarted or reconfigured by a test.

The node runs `rabbitmq-server` with its own node name, AMQP and distribution ports, data and log
folders, config file (the machine's /etc/rabbitmq/rabbitmq.conf pins port 5672, so it is not read),
no plugins, and its own Erlang cookie (HOME is its folder). `outage()` stops its application for a
while and starts it again, as a broker restart does; durable quorum queues keep their messages.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import string
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.system import free_port

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


class OwnBroker:
    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="own-rabbit-"))
        self.node = "own" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8)) + "@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.proc: subprocess.Popen | None = None
        (self.folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n")
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq-env.conf").write_text("")
        self.env = {**os.environ, "HOME": str(self.folder), "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                    "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
                    "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
                    "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
                    "RABBITMQ_LOG_BASE": str(self.folder / "log"), "ERL_EPMD_ADDRESS": "127.0.0.1"}

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout: float = 120) -> OwnBroker:
        if not Path(SERVER).exists():
            raise RuntimeError(f"{SERVER} is missing: the test needs rabbitmq-server installed to run a node of its own")
        log = open(self.folder / "server.out", "ab")  # noqa: SIM115 - the node writes to it for its life
        self.proc = subprocess.Popen([SERVER], env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self._await(timeout)
        return self

    def _ctl(self, *args: str, timeout: float = 120) -> None:
        subprocess.run([CTL, "-n", self.node, *args], env=self.env, check=True, capture_output=True, timeout=timeout,
                       cwd=self.folder)

    def _await(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the test's own RabbitMQ node exited:\n" + self.log()[-3000:])
            try:
                self._ctl("await_startup", "--timeout", "5", timeout=30)
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                time.sleep(0.5)
        raise RuntimeError("the test's own RabbitMQ node did not start:\n" + self.log()[-3000:])

    def stop_app(self) -> None:
        """The broker goes away: every connection drops and none is accepted until `start_app`."""
        self._ctl("stop_app")

    def start_app(self) -> None:
        self._ctl("start_app")
        self._ctl("await_startup")

    @contextlib.contextmanager
    def down(self):
        self.stop_app()
        try:
            yield
        finally:
            self.start_app()

    def outage(self, seconds: float) -> None:
        with self.down():
            time.sleep(seconds)

    def log(self) -> str:
        out = self.folder / "server.out"
        return out.read_text(errors="replace") if out.exists() else ""

    def stop(self) -> None:
        """Stops this node only (by its own name, then its own process group) and removes its folder."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self._ctl("stop", timeout=60)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if os.environ.get("KEEP_OWN_BROKER"):
            return
        shutil.rmtree(self.folder, ignore_errors=True)
