"""`attune up`'s supervisor restarts what dies, with a growing delay, and says so; --replicas N."""
from __future__ import annotations

import io
import os
import re
import sys
import threading
import time

from attune import cli
from attune.supervise import Supervisor
from shared import config


def test_a_program_that_keeps_dying_is_restarted_with_a_doubling_delay_and_the_log_says_so(tmp_path):
    out = io.StringIO()
    out.isatty = lambda: False
    sup = Supervisor(out=out, first_delay=0.1, max_delay=0.4, settle=30)
    sup.add("dies", [sys.executable, "-c", "import sys; print('up'); sys.exit(3)"], dict(os.environ))
    sup.add("lives", [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
    runner = threading.Thread(target=sup.run)
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while out.getvalue().count("restarting dies") < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sup.stopping.set()
        runner.join(20)
    log = out.getvalue()
    delays = [line.split(" in ")[1].split(" s")[0] for line in log.splitlines() if "restarting dies" in line][:4]
    assert delays == ["0.1", "0.2", "0.4", "0.4"], log
    assert "dies exited (exit code 3); restarting dies in 0.1 s (exit 3)" in log
    assert re.search(r" dies +\| up\n", log), "a program's output is shown with its name"
    assert "restarting lives" not in log and "stopping" in log
    assert all(p.proc is None or p.proc.poll() is not None for p in sup.programs), "nothing outlives the stop"


def test_replicas_run_n_workers_of_each_service_and_one_web_app_each(tmp_path):
    settings = {s: config.load(s, {"ATTUNE_VAR_DIR": str(tmp_path)}) for s in config.SERVICES}

    names = [name for name, _ in cli.programs(settings, 3)]
    single = [name for name, _ in cli.programs(settings, 0)]

    for s in config.SERVICES:
        assert [n for n in names if n.startswith(f"{s}-")] == [f"{s}-web"] + [f"{s}-worker.{i}" for i in (1, 2, 3)]
        assert [n for n in single if n.startswith(f"{s}-")] == [f"{s}-web", f"{s}-worker"]
