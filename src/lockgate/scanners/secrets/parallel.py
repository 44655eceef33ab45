"""The worker processes of one run of the secrets control, and the jobs they share with it.

One Python thread bounds a scan (hyperscan calls back into Python for every match, so
scanning threads queue on the interpreter lock); with more than one CPU, a large tree or
history is shared between lockgate's process and worker processes
(:mod:`lockgate.scanners.secrets.workers`). A run leases its workers once, when it starts,
and gives them its rules at once, so they start and load while lockgate gets on with its own
share; each job (the files of the tree, then the blobs of the history) is served by one
thread per worker, and a worker that fails a job is stopped and left out of the next.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockgate.scanners.cpus import available_cpus
from lockgate.scanners.secrets.rules import RuleSet

if TYPE_CHECKING:
    import threading

    from lockgate.scanners.secrets.workers import Outcome, Supply, Worker
    from lockgate.sources.git import GitRepo

log = logging.getLogger(__name__)

MAX_JOBS = 8

PARALLEL_MIN_KIB = 4096
"""Histories are shared with workers only when the repository's objects take at least this
much (packed): below, one process scans them in about as long as a worker takes to start
(about 0.2 s)."""

PARALLEL_MIN_TREE_BYTES = 32 * 1024 * 1024
"""Trees are shared with workers only from this size on, for the same reason."""


@dataclass(frozen=True, slots=True)
class Parallelism:
    """How a run may use worker processes."""

    rule_set: RuleSet
    engine: str
    cache_dir: Path | None
    jobs: int
    """Processes in all, this one included (1: no workers)."""

    @property
    def key(self) -> str:
        """What a worker must hold to scan like this process (its rules)."""
        return f"{self.rule_set.digest}|{self.engine}|{self.cache_dir}"


def default_jobs() -> int:
    """CPUs available to this process (see :mod:`lockgate.scanners.cpus`), at most
    :data:`MAX_JOBS`."""
    return min(available_cpus(), MAX_JOBS)


def worth_sharing_history(repo: GitRepo) -> bool:
    """Whether the repository's objects take at least :data:`PARALLEL_MIN_KIB` (packed and
    loose together, as ``git count-objects -v`` gives them)."""
    from lockgate.errors import ToolError

    try:
        out = repo.run(["count-objects", "-v"])
    except ToolError:
        return False
    kib = 0
    for line in out.decode("ascii", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("size", "size-pack") and value.strip().isdigit():
            kib += int(value)
    return kib >= PARALLEL_MIN_KIB


class Team:
    """The workers of one run; empty when the run does not use any."""

    def __init__(self, parallelism: Parallelism | None, workers: Sequence[Worker] = ()) -> None:
        self.parallelism = parallelism
        self.workers = list(workers)
        self._answered: set[Worker] = set(self.workers)
        """Workers whose last job ended with an answer (ready for another)."""

    @classmethod
    def lease(cls, parallelism: Parallelism | None) -> Team:
        """Workers for a run that will share work, with its rules on their way to them."""
        if (
            parallelism is None
            or parallelism.jobs < 2
            or parallelism.cache_dir is None  # each worker would compile the databases
            or os.name != "posix"
            or getattr(sys, "frozen", False)  # no interpreter to start workers with
        ):
            return cls(parallelism)
        from lockgate.scanners.secrets.workers import POOL

        workers = POOL.lease(parallelism.jobs - 1)
        for worker in workers:
            worker.send_rules(
                parallelism.key, parallelism.rule_set, parallelism.engine, parallelism.cache_dir
            )
        return cls(parallelism, workers)

    def __bool__(self) -> bool:
        return bool(self.workers)

    def start(self, supply: Supply, job: tuple[Any, ...], cancel: threading.Event | None) -> Job:
        """Start ``job`` on every worker: worker ``i`` is reader ``i + 1`` of ``supply``
        (this process is reader 0)."""
        from lockgate.scanners.secrets.workers import WorkerServer

        servers = []
        for reader, worker in enumerate(self.workers, start=1):
            self._answered.discard(worker)
            servers.append(WorkerServer(worker, reader, supply, job, cancel))
        return Job(self, servers)

    def _done(self, worker: Worker, answered: bool) -> None:
        if answered:
            self._answered.add(worker)
            return
        from lockgate.scanners.secrets.workers import POOL

        self.workers.remove(worker)  # in an unknown state: not given another job
        POOL.release([worker], healthy=False)

    def release(self) -> None:
        """Give the workers back: those that answered their last job stay for later runs."""
        if not self.workers:
            return
        from lockgate.scanners.secrets.workers import POOL

        ready = [w for w in self.workers if w in self._answered]
        POOL.release(ready, healthy=True)
        POOL.release([w for w in self.workers if w not in self._answered], healthy=False)
        self.workers = []


class Job:
    """One job on the workers of a team."""

    def __init__(self, team: Team, servers: list[Any]) -> None:
        self._team = team
        self._servers = servers

    def outcomes(self, deadline: float) -> list[tuple[int, Outcome | None]]:
        """Each worker's answer by reader: ``None`` for one that failed, fell silent past
        ``deadline`` or whose job was cancelled (it is stopped)."""
        found = []
        for server in self._servers:
            outcome = server.wait(deadline)
            # A worker that failed its job (git died, rules would not load) is not trusted
            # with another: a fresh one is started next time.
            self._team._done(server.worker, answered=outcome is not None and not outcome[1])
            if outcome is not None and outcome[1] is not None:
                log.info("secrets worker could not finish its share: %s", outcome[1])
            found.append((server.reader, outcome))
        return found
