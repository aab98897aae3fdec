"""Which process runs a request, so that one whose process died is noticed at once (same machine)."""
from __future__ import annotations

import functools
import os
from pathlib import Path


@functools.cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown"


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (tells a reused pid apart); None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def current() -> str:
    pid = os.getpid()
    return f"{_boot_id()}:{pid}:{_started(pid) or '-'}"


def gone(owner: str | None) -> bool:
    """True only when the owner ran on this machine since its last boot and no longer runs; an owner
    elsewhere (another replica) or unknown is judged by its lease alone."""
    if not owner or owner.count(":") != 2:
        return False
    boot, pid, started = owner.split(":")
    if boot != _boot_id() or boot == "unknown" or not pid.isdigit() or started == "-":
        return False
    return _started(int(pid)) != started
