"""Making worker processes take part in the small inputs of unit tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from lockgate.scanners.secrets import workers
from lockgate.scanners.secrets.workers import WorkerPool


class Shares:
    """What each reader of a supply (a Dispatcher or a ChunkQueue) was handed. This process
    (reader 0) waits for a worker's first share before taking any, so that workers take part
    even in a small repository or tree (this process would otherwise do it all before a
    worker has started)."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.worker_started = threading.Event()

    def watch(self, monkeypatch: pytest.MonkeyPatch, supply: type[Any]) -> Shares:
        real_take = supply.take

        def take(this: Any, reader: int, timeout: float | None = None) -> Any:
            if reader == 0:
                self.worker_started.wait(10)
            work = real_take(this, reader, timeout)
            if work:
                self.counts[reader] = self.counts.get(reader, 0) + len(work)
                if reader:
                    self.worker_started.set()
            return work

        monkeypatch.setattr(supply, "take", take)
        return self

    @property
    def by_workers(self) -> int:
        return sum(n for reader, n in self.counts.items() if reader)


def private_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerPool]:
    """Workers of the test's own, all stopped at its end (for a fixture to yield from)."""
    pool = WorkerPool()
    monkeypatch.setattr(workers, "POOL", pool)
    yield pool
    pool.close()


def token(n: int) -> str:
    """A distinct value for the test rules' ``tkn_`` token rule."""
    return "tkn_" + f"Zq8XbV2mN4pL7rT1wY{n:06d}"
