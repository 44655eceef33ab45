"""CPUs a scanner may use: affinity, bounded by a container's quota."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lockgate.scanners import cpus


@pytest.mark.parametrize(
    ("content", "count"),
    [("max 100000\n", None), ("150000 100000\n", 2), ("50000 100000\n", 1),
     ("400000 100000", 4), ("garbage", None), ("100000 0", None)],
)  # fmt: skip
def test_a_container_cpu_quota_is_read(tmp_path: Path, content: str, count: int | None) -> None:
    (tmp_path / "cpu.max").write_text(content)
    assert cpus.cgroup_cpu_quota(str(tmp_path / "cpu.max")) == count
    assert cpus.cgroup_cpu_quota(str(tmp_path / "missing")) is None


def test_a_quota_bounds_the_cpus_available(monkeypatch: pytest.MonkeyPatch) -> None:
    assert 1 <= cpus.available_cpus() <= (os.cpu_count() or 1)
    monkeypatch.setattr(cpus, "cgroup_cpu_quota", lambda: 1)
    assert cpus.available_cpus() == 1
