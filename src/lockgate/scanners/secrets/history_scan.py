"""Scanning a git history: every unique blob once, in this process or split by path between
it and worker processes (:mod:`lockgate.scanners.secrets.workers`).

Either way the result is the same list of events in walk order (oldest introduction first),
so that a secret is attributed to the same first commit whether or not the scan ran in
parallel: blobs with matches, blobs not read (over the size limit) and read errors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lockgate.scanners.secrets.dispatch import Dispatcher, Progress
from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.parallel import Team
from lockgate.scanners.secrets.rules import SecretRule
from lockgate.scanners.secrets.scanner import SecretScanner
from lockgate.sources.catfile import BlobRead, OidFeed
from lockgate.sources.content import is_binary
from lockgate.sources.history import GitHistory, history_item
from lockgate.sources.interface import (
    CommitInfo,
    HistoryBlob,
    HistoryError,
    HistoryItem,
    HistorySkipped,
)


@dataclass(frozen=True, slots=True)
class ScannedBlob:
    """A blob of the history with the matches found in it."""

    index: int
    path: str
    commit: CommitInfo
    matches: list[SecretMatch]


HistoryEvent = ScannedBlob | HistorySkipped | HistoryError


class HistoryScan:
    """A history scan, in this process alone or shared with the workers of ``team``."""

    def __init__(self, history: GitHistory, scanner: SecretScanner, team: Team) -> None:
        self.history = history
        self.scanner = scanner
        self.team = team

    def events(self) -> Iterator[HistoryEvent]:
        """Every blob with matches, or not read, or failing, in walk order."""
        if not self.team:
            yield from _scanned(self.history.blobs(), self.scanner)
            return
        yield from self._in_parallel()

    def _in_parallel(self) -> Iterator[HistoryEvent]:
        """This process reads and scans its share as the workers do theirs; what a failed
        worker was given is read here afterwards. The events are put in walk order before
        any is yielded."""
        history, scanner, team = self.history, self.scanner, self.team
        cancel = history.cancel
        deadline = time.monotonic() + history.timeout
        dispatcher = Dispatcher(readers=len(team.workers) + 1)
        job = team.start(
            dispatcher,
            ("scan", str(history.repo.root), history.max_blob_size, history.timeout),
            cancel,
        )
        feed = OidFeed(closed=False)
        local: list[int] = []
        progress = Progress()
        done = threading.Event()
        fetcher = threading.Thread(
            target=_fetch,
            args=(dispatcher, feed, local, progress, (cancel, done)),
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
            done.set()  # reading here may have stopped early (git failed): take no more
            progress.hungry.set()
            feed.close()
            fetcher.join()
        if cancel is not None and cancel.is_set():
            return
        for reader, outcome in job.outcomes(deadline):
            if outcome is None or outcome[1] is not None:
                events += _scanned(history.read(dispatcher.given[reader]), scanner)
            else:
                events += _events(outcome[0], history, scanner.rules)
        events.sort(key=_order)
        yield from events


def _fetch(
    dispatcher: Dispatcher,
    feed: OidFeed,
    local: list[int],
    progress: Progress,
    stopping: tuple[threading.Event | None, threading.Event],
) -> None:
    """Thread body: take blobs for this process whenever few are left to read, until there
    are no more or reading here is over (``done``)."""
    cancel, done = stopping
    try:
        while not done.is_set() and (cancel is None or not cancel.is_set()):
            if not progress.hungry.wait(0.1) or done.is_set():
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
    results: Iterable[tuple[Any, ...]], history: GitHistory, rules: Sequence[SecretRule]
) -> Iterator[HistoryEvent]:
    from lockgate.scanners.secrets.workers import unpack

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
