"""Scanning a git history: every unique blob once, in this process or split by path between
it and worker processes (:mod:`lockgate.scanners.secrets.workers`).

Either way the result is the same list of events in walk order (oldest introduction first),
so that a secret is attributed to the same first commit whether or not the scan ran in
parallel: blobs with matches, blobs not read (over the size limit) and read errors.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockgate.scanners.secrets.dispatch import Dispatcher, Progress
from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.scanners.secrets.scanner import SecretScanner
from lockgate.sources.catfile import BlobRead, OidFeed
from lockgate.sources.content import is_binary
from lockgate.sources.git import GitRepo
from lockgate.sources.history import GitHistory, history_item
from lockgate.sources.interface import (
    CommitInfo,
    HistoryBlob,
    HistoryError,
    HistoryItem,
    HistorySkipped,
)

if TYPE_CHECKING:
    from lockgate.scanners.secrets.workers import Worker, WorkerServer

log = logging.getLogger(__name__)

PARALLEL_MIN_KIB = 4096
"""Worker processes are used only for repositories whose objects take at least this much
(packed): below, one process scans the history in about as long as a worker takes to
start (about 0.2 s)."""

MAX_JOBS = 8


@dataclass(frozen=True, slots=True)
class ScannedBlob:
    """A blob of the history with the matches found in it."""

    index: int
    path: str
    commit: CommitInfo
    matches: list[SecretMatch]


HistoryEvent = ScannedBlob | HistorySkipped | HistoryError


@dataclass(frozen=True, slots=True)
class Parallelism:
    """How a history scan may use worker processes."""

    rule_set: RuleSet
    engine: str
    cache_dir: Path | None
    jobs: int
    """Processes in all, this one included (1: no workers)."""


def default_jobs() -> int:
    """CPUs available to this process, at most :data:`MAX_JOBS`."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = os.cpu_count() or 1
    return max(1, min(count, MAX_JOBS))


class HistoryScan:
    """A history scan, prepared before the working tree is scanned: worker processes, when
    the scan will use them, start meanwhile and load the rules. :meth:`close` releases them
    whether or not :meth:`events` ran."""

    def __init__(
        self, history: GitHistory, scanner: SecretScanner, parallelism: Parallelism
    ) -> None:
        self.history = history
        self.scanner = scanner
        self.parallelism = parallelism
        self._workers = _workers_for(history.repo, parallelism)
        self._dispatcher = Dispatcher(readers=len(self._workers) + 1)
        self._servers = [
            self._server(worker, reader) for reader, worker in enumerate(self._workers, start=1)
        ]
        self._answered: list[Worker] = []

    def _server(self, worker: Worker, reader: int) -> WorkerServer:
        from lockgate.scanners.secrets.workers import WorkerServer

        history, parallelism = self.history, self.parallelism
        key = f"{parallelism.rule_set.digest}|{parallelism.engine}|{parallelism.cache_dir}"
        opening: list[tuple[Any, ...]] = []
        if worker.key != key:
            opening.append(
                ("rules", key, parallelism.rule_set, parallelism.engine, str(parallelism.cache_dir))
            )
            worker.key = key
        opening.append(("scan", str(history.repo.root), history.max_blob_size, history.timeout))
        return WorkerServer(worker, reader, self._dispatcher, opening, history.cancel)

    @property
    def readers(self) -> int:
        """Processes reading the history: this one and the workers."""
        return len(self._servers) + 1

    def events(self) -> Iterator[HistoryEvent]:
        """Every blob with matches, or not read, or failing, in walk order."""
        if not self._servers:
            yield from _scanned(self.history.blobs(), self.scanner)
            return
        yield from self._in_parallel()

    def _in_parallel(self) -> Iterator[HistoryEvent]:
        """This process reads and scans its share as the workers do theirs; what a failed
        worker was given is read here afterwards. The events are put in walk order before
        any is yielded."""
        history, scanner, dispatcher = self.history, self.scanner, self._dispatcher
        cancel = history.cancel
        deadline = time.monotonic() + history.timeout
        feed = OidFeed(closed=False)
        local: list[int] = []
        progress = Progress()
        fetcher = threading.Thread(
            target=_fetch,
            args=(dispatcher, feed, local, progress, cancel),
            name="secrets-blobs",
            daemon=True,
        )
        fetcher.start()

        def read(walk_deadline: float) -> Iterator[HistoryItem]:
            for item in history.contents(feed, local, walk_deadline):
                progress.did()
                yield item

        try:
            events = list(_scanned(history.walk(dispatcher, read), scanner))
        finally:
            dispatcher.close()  # also when the walk failed: the workers are told "end"
            feed.close()
            fetcher.join()
        for server in self._servers:
            if cancel is not None and cancel.is_set():
                return
            outcome = server.wait(deadline)
            if outcome is not None:
                self._answered.append(server.worker)  # ready for the next scan
            if outcome is None or outcome[1] is not None:
                if outcome is not None:
                    log.info("secrets worker could not scan its share: %s", outcome[1])
                events += _scanned(history.read(dispatcher.given[server.reader]), scanner)
            else:
                events += _events(outcome[0], history, self.parallelism.rule_set)
        events.sort(key=_order)
        yield from events

    def close(self) -> None:
        """Give the workers back: those that finished their scan stay for the next one."""
        if not self._workers:
            return
        from lockgate.scanners.secrets.workers import POOL

        if not self._answered:  # events() did not run, or stopped early
            self._dispatcher.close()
            deadline = time.monotonic() + 5.0
            cancelled = self.history.cancel is not None and self.history.cancel.is_set()
            if not cancelled:
                self._answered = [s.worker for s in self._servers if s.wait(deadline) is not None]
        answered = self._answered
        POOL.release(answered, healthy=True)
        POOL.release([w for w in self._workers if w not in answered], healthy=False)
        self._workers = []


def _fetch(
    dispatcher: Dispatcher,
    feed: OidFeed,
    local: list[int],
    progress: Progress,
    cancel: threading.Event | None,
) -> None:
    """Thread body: take blobs for this process whenever few are left to read."""
    try:
        while cancel is None or not cancel.is_set():
            if not progress.hungry.wait(0.1):
                continue
            blobs = dispatcher.take(0, timeout=0.1)
            if blobs is None:
                break
            if blobs:
                local.extend(index for index, _, _ in blobs)
                feed.extend([oid for _, oid, _ in blobs])
                progress.gave(len(blobs))
    finally:
        feed.close()


def _workers_for(repo: GitRepo, parallelism: Parallelism) -> list[Worker]:
    if parallelism.jobs < 2 or parallelism.cache_dir is None:
        return []  # without a cache, each worker would compile the databases again
    if os.name != "posix" or not _large(repo):
        return []
    from lockgate.scanners.secrets.workers import POOL

    return POOL.lease(parallelism.jobs - 1)


def _large(repo: GitRepo) -> bool:
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


def _scanned(items: Iterable[HistoryItem], scanner: SecretScanner) -> Iterator[HistoryEvent]:
    for item in items:
        if not isinstance(item, HistoryBlob):
            yield item
        elif not is_binary(item.content):
            matches = scanner.scan_buffer(item.content, item.path)
            if matches:
                yield ScannedBlob(
                    index=item.index, path=item.path, commit=item.commit, matches=matches
                )


def _order(event: HistoryEvent) -> float:
    # Failures of the walk itself (index -1) come last, in the order they happened.
    return event.index if event.index >= 0 else float("inf")


def _events(
    results: Iterable[tuple[Any, ...]], history: GitHistory, rule_set: RuleSet
) -> Iterator[HistoryEvent]:
    from lockgate.scanners.secrets.workers import unpack

    rules = rule_set.rules
    for result in results:
        index = result[0]
        path, commit = history.introduced(index)
        if len(result) == 2:
            yield ScannedBlob(
                index=index,
                path=path,
                commit=commit,
                matches=[unpack(p, rules) for p in result[1]],
            )
        else:
            _, oid, size, error = result
            read = BlobRead(index=index, oid=oid, size=size, content=None, error=error)
            yield history_item(read, index, path, commit, history.max_blob_size)
