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


def current(short: bool = False) -> str:
    """`boot:pid:start`; `short` takes 8 characters of the boot id (for narrow lease columns)."""
    pid = os.getpid()
    boot = _boot_id().replace("-", "")[:8] if short else _boot_id()
    return f"{boot}:{pid}:{_started(pid) or '-'}"


def gone(owner: str | None) -> bool:
    """True only when the owner ran on this machine since its last boot and no longer runs; an owner
    elsewhere (another replica) or unknown is judged by its lease alone. A `run/` prefix is ignored."""
    owner = (owner or "").rsplit("/", 1)[-1]
    if owner.count(":") != 2:
        return False
    boot, pid, started = owner.split(":")
    mine = _boot_id()
    same_boot = boot == mine or (len(boot) == 8 and mine.replace("-", "").startswith(boot))
    if not same_boot or mine == "unknown" or not pid.isdigit() or started == "-":
        return False
    return _started(int(pid)) != started
