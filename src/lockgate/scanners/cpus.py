"""How many CPUs a scanner may use: the process's CPU affinity, bounded by a container's
CPU quota (a CI job limited to 2 CPUs on a 64-CPU host counts 2)."""

from __future__ import annotations

import os


def available_cpus() -> int:
    """CPUs available to this process (at least 1)."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        count = min(count, quota)
    return max(1, count)


def cgroup_cpu_quota(path: str = "/sys/fs/cgroup/cpu.max") -> int | None:
    """The CPUs a cgroup v2 quota allows (``cpu.max``: "quota period", rounded up), or
    ``None`` without one."""
    try:
        with open(path, encoding="ascii") as handle:
            quota, _, period = handle.read().strip().partition(" ")
    except (OSError, UnicodeDecodeError):
        return None
    if not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return None  # "max": no quota
    return max(1, -(-int(quota) // int(period)))
