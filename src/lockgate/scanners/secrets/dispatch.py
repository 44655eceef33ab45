"""Sharing work out between readers (this process and workers): the blobs of a history
walk (:class:`Dispatcher`) and the files of a tree (:class:`ChunkQueue`).

Blobs are grouped in buckets by path, so that every version of a path goes to the same
reader: git stores versions of a file as deltas of one another, and a ``cat-file`` that
reads them all keeps their bases in its cache (a third less git time than spreading them).
A reader asks for more when little of what it was given is left; it gets the new blobs of
the buckets it took before, else a bucket nobody took yet, else — when it would otherwise
sit idle — the fullest bucket of another reader. So a worker that starts late, or a reader
that meets a few huge files, leaves its share to the others, and every reader finishes at
about the same time.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from lockgate.sources.history import WalkBlob

T = TypeVar("T")

BUCKETS_PER_READER = 32
LOW_WATER = 64
"""A reader asks for more when fewer than this many of its blobs are left to read."""


class Dispatcher:
    """The blobs of a walk, in buckets by path, handed out to readers ``0..readers-1``.

    It is the walk's :class:`~lockgate.sources.history.BlobSink`: the log parser puts the
    blobs in, a chunk at a time, and closes it at the end."""

    def __init__(self, readers: int) -> None:
        count = max(1, readers) * BUCKETS_PER_READER
        self._cond = threading.Condition()
        self._pending: list[list[WalkBlob]] = [[] for _ in range(count)]
        self._taker = [-1] * count
        """The reader that last took from each bucket (-1: none yet)."""
        self._closed = False
        self._retired: set[int] = set()
        self.given: list[list[WalkBlob]] = [[] for _ in range(readers)]
        """Every blob handed to each reader, to be read again should the reader fail."""

    # -- the sink of the walk --------------------------------------------------------
    def put(self, blobs: list[WalkBlob]) -> None:
        count = len(self._pending)
        with self._cond:
            pending = self._pending
            for blob in blobs:
                pending[zlib.crc32(os.fsencode(blob[2])) % count].append(blob)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- the readers -----------------------------------------------------------------
    def take(self, reader: int, timeout: float | None = None) -> list[WalkBlob] | None:
        """Blobs for ``reader``: ``[]`` when none came within ``timeout``, ``None`` once
        none ever will."""
        with self._cond:
            while True:
                if reader in self._retired:
                    return None
                bucket = self._choose(reader)
                if bucket is not None:
                    blobs, self._pending[bucket] = self._pending[bucket], []
                    self._taker[bucket] = reader
                    self.given[reader] += blobs
                    return blobs
                if self._closed:
                    return None
                if not self._cond.wait(timeout):
                    return []

    def _choose(self, reader: int) -> int | None:
        """The reader's own bucket with blobs, else the fullest one nobody took, else the
        fullest one of another reader."""
        own = unclaimed = other = None
        most_unclaimed = most_other = 0
        for bucket, pending in enumerate(self._pending):
            if not pending:
                continue
            taker = self._taker[bucket]
            if taker == reader:
                own = bucket
                break
            if taker == -1 or taker in self._retired:
                if len(pending) > most_unclaimed:
                    unclaimed, most_unclaimed = bucket, len(pending)
            elif len(pending) > most_other:
                other, most_other = bucket, len(pending)
        if own is not None:
            return own
        return unclaimed if unclaimed is not None else other

    def drained(self) -> bool:
        """Whether every blob of the walk has been handed out."""
        with self._cond:
            return self._closed and not any(self._pending)

    def retire(self, reader: int) -> list[WalkBlob]:
        """Take ``reader`` out (it failed): its buckets go to the others from now on, and
        what it was given is returned, to be read by someone else."""
        with self._cond:
            self._retired.add(reader)
            self._cond.notify_all()
            return list(self.given[reader])


class Progress:
    """How far a reader has got with what it was given: it is ``hungry`` when little is
    left, which is when it asks for more."""

    __slots__ = ("_done", "_given", "hungry")

    def __init__(self) -> None:
        self._given = 0
        self._done = 0
        self.hungry = threading.Event()
        self.hungry.set()

    def gave(self, count: int) -> None:
        """``count`` more blobs were handed over (by the thread that asks for them)."""
        self._given += count
        if self._given - self._done >= LOW_WATER:
            self.hungry.clear()
        if self._given - self._done < LOW_WATER:  # read meanwhile: keep asking
            self.hungry.set()

    def did(self) -> None:
        """One more blob was read (by the reading thread)."""
        self._done += 1
        if self._given - self._done < LOW_WATER and not self.hungry.is_set():
            self.hungry.set()


class ChunkQueue(Generic[T]):
    """Work known in full up front (the files of a tree), in chunks taken in order by any
    reader: no affinity to keep, so the next chunk goes to whoever asks."""

    def __init__(self, chunks: Iterable[list[T]], readers: int) -> None:
        self._chunks = deque(chunks)
        self._lock = threading.Lock()
        self._retired: set[int] = set()
        self.given: list[list[T]] = [[] for _ in range(readers)]

    def take(self, reader: int, timeout: float | None = None) -> list[T] | None:  # noqa: ARG002
        """The next chunk, or ``None`` when there is none left (never waits)."""
        with self._lock:
            if reader in self._retired or not self._chunks:
                return None
            chunk = self._chunks.popleft()
            self.given[reader] += chunk
            return chunk

    def drained(self) -> bool:
        """Whether every chunk has been handed out."""
        with self._lock:
            return not self._chunks

    def retire(self, reader: int) -> list[T]:
        """Take ``reader`` out; what it was given is returned, to be done by someone else."""
        with self._lock:
            self._retired.add(reader)
            return list(self.given[reader])


def chunks_by_size(
    items: Iterable[T], size: Callable[[T], int], *, bytes_per_chunk: int, most: int
) -> Iterator[list[T]]:
    """``items`` in order, cut into chunks of about ``bytes_per_chunk`` (at most ``most``
    items each)."""
    chunk: list[T] = []
    total = 0
    for item in items:
        chunk.append(item)
        total += size(item)
        if total >= bytes_per_chunk or len(chunk) >= most:
            yield chunk
            chunk, total = [], 0
    if chunk:
        yield chunk
