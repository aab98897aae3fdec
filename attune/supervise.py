"""A small process supervisor for `attune up`: runs named commands, prefixes their output, restarts one
that dies with backoff (and says so), and stops them all on SIGINT/SIGTERM."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

COLOURS = ("36", "33", "32", "35", "34", "31", "96", "93", "92", "95")


@dataclass
class Program:
    name: str
    args: list[str]
    env: dict
    proc: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0  # consecutive quick deaths; the backoff doubles with each
    restart_at: float | None = None
    restarts: int = 0
    pump: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Keeps every program running until stopped. A program that lived `settle` seconds before dying
    restarts after `first_delay`; each quick death after that doubles the delay, up to `max_delay`."""

    def __init__(self, out=None, first_delay: float = 1.0, max_delay: float = 30.0, settle: float = 30.0):
        self.out = out or sys.stdout
        self.programs: list[Program] = []
        self.first_delay, self.max_delay, self.settle = first_delay, max_delay, settle
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.width = len("attune")

    def add(self, name: str, args: list[str], env: dict) -> None:
        self.programs.append(Program(name, args, env))
        self.width = max(self.width, len(name))

    def say(self, name: str, line: str) -> None:
        colour = COLOURS[[p.name for p in self.programs].index(name) % len(COLOURS)] if name != "attune" else "1"
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            prefix = f"{stamp} {name:<{self.width}} | "
            if self.out.isatty():
                prefix = f"\033[{colour}m{prefix}\033[0m"
            self.out.write(prefix + line.rstrip("\n") + "\n")
            self.out.flush()

    def _start(self, p: Program) -> None:
        # Its own process group: a signal for gunicorn reaches its workers too, and Ctrl-C in the
        # terminal reaches only us, so we stop the programs in order.
        p.proc = subprocess.Popen(p.args, env=p.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, process_group=0)
        p.started, p.restart_at = time.monotonic(), None
        p.pump = threading.Thread(target=self._pump, args=(p, p.proc), daemon=True, name=f"pump-{p.name}")
        p.pump.start()
        self.say(p.name, f"started with pid {p.proc.pid}")

    def _pump(self, p: Program, proc: subprocess.Popen) -> None:
        for raw in iter(proc.stdout.readline, b""):
            self.say(p.name, raw.decode(errors="replace"))
        proc.stdout.close()

    def delay(self, p: Program) -> float:
        return min(self.max_delay, self.first_delay * 2 ** max(0, p.failures - 1))

    def _reap(self, p: Program, now: float) -> None:
        code = p.proc.poll()
        if code is None:
            return
        p.failures = 1 if now - p.started >= self.settle else p.failures + 1
        wait = self.delay(p)
        p.restart_at, p.proc = now + wait, None
        p.restarts += 1
        self.say("attune", f"{p.name} exited ({_describe(code)}); restarting {p.name} in {wait:g} s (exit {code})")

    def run(self) -> int:
        """Runs until SIGINT/SIGTERM (returns 0) or `stopping` is set."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, lambda *_: self.stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for p in self.programs:
                self._start(p)
            while not self.stopping.wait(0.2):
                now = time.monotonic()
                for p in self.programs:
                    if p.proc is not None:
                        self._reap(p, now)
                    elif p.restart_at is not None and now >= p.restart_at:
                        self._start(p)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def stop(self, grace: float = 10.0) -> None:
        running = [p for p in self.programs if p.proc is not None and p.proc.poll() is None]
        if running:
            self.say("attune", "stopping " + ", ".join(p.name for p in running))
        for p in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in running:
            try:
                p.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("attune", f"{p.name} did not stop within {grace:g} s: killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.proc.pid, signal.SIGKILL)
                p.proc.wait(timeout=5)
        for p in self.programs:  # what is left of a killed gunicorn's group
            if p.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.proc.pid, signal.SIGKILL)
            if p.pump is not None:
                p.pump.join(timeout=2)

    def alive(self) -> bool:
        return not self.stopping.is_set()


def _describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"
