"""Streaming blobs out of ``git cat-file --batch``: ids are fed by a writer thread while
the content is read with a buffered reader, so neither side can stall the other; framing is
checked so that a corrupt object cannot desynchronise the stream."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Generator, Iterable
from contextlib import suppress
from dataclasses import dataclass

from lockgate.sources.gitproc import GitProcess


class OidFeed:
    """An append-only list of object ids that a producer thread may still be filling."""

    def __init__(self, oids: Iterable[str] = (), *, closed: bool = True) -> None:
        self._items = list(oids)
        self._closed = closed
        self._cond = threading.Condition()

    def extend(self, oids: Iterable[str]) -> None:
        """Add several ids with one wake-up (one per chunk of ``git log`` output rather than
        one per blob: every wake-up is a thread switch away from the scanner)."""
        with self._cond:
            self._items.extend(oids)
            self._cond.notify_all()

    def close(self) -> None:
        """No more ids will come."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __getitem__(self, index: int) -> str:
        return self._items[index]

    def wait(self, index: int, timeout: float | None = None) -> bool | None:
        """``True`` once id ``index`` exists, ``False`` if it never will, ``None`` on timeout."""
        if index < len(self._items):  # the list only grows: no lock needed to see that
            return True
        with self._cond:
            self._cond.wait_for(lambda: index < len(self._items) or self._closed, timeout)
            if index < len(self._items):
                return True
            return False if self._closed else None

    def batch(self, start: int, timeout: float | None = None) -> list[str] | None:
        """The ids from ``start`` on that exist now (waiting up to ``timeout`` for one):
        empty on timeout, ``None`` once there will be no more."""
        state = self.wait(start, timeout)
        if state is False:
            return None
        return self._items[start:] if state else []


@dataclass(frozen=True, slots=True)
class BlobRead:
    """One object read by ``cat-file --batch``: content, or why there is none."""

    index: int
    oid: str
    size: int
    content: bytes | None
    """``None`` when over the size limit or when reading failed (then ``error`` says why)."""
    error: str | None = None


class Desync(Exception):
    """cat-file died, or its output no longer lines up with the requests: restart it.

    ``culprit`` is true when the object being read caused it (it is reported and skipped);
    false when an earlier object did (the current one is asked for again)."""

    def __init__(self, index: int, message: str, *, culprit: bool = True) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.culprit = culprit


def write_oids(proc: GitProcess, feed: OidFeed, start: int, stop: threading.Event) -> None:
    stdin = proc.stdin
    index = start
    try:
        while not stop.is_set():
            oids = feed.batch(index, 0)
            if oids == []:
                stdin.flush()  # nothing queued: let cat-file see what it has, then wait
                oids = feed.batch(index, 0.1)
            if oids is None:
                break
            if oids:
                stdin.write(("\n".join(oids) + "\n").encode("ascii"))
                index += len(oids)
    except (BrokenPipeError, OSError, ValueError):
        pass  # cat-file died or was stopped; the reader restarts it
    finally:
        with suppress(OSError, ValueError):
            stdin.close()


def object_hash(oid: str, size: int, content: bytes) -> str:
    digest = hashlib.sha1 if len(oid) == 40 else hashlib.sha256
    h = digest(b"blob %d\0" % size)
    h.update(content)
    return h.hexdigest()


def wait_for(feed: OidFeed, index: int, cancel: threading.Event | None) -> bool:
    """Whether id ``index`` comes, waiting for it unless the walk is cancelled meanwhile."""
    while True:
        state = feed.wait(index, 0.1)
        if cancel is not None and cancel.is_set():
            return False
        if state is not None:
            return state


def read_batch(
    proc: GitProcess,
    feed: OidFeed,
    start: int,
    limits: tuple[int, bool],
    cancel: threading.Event | None,
) -> Generator[BlobRead, None, int]:
    """Read answers from one cat-file process; returns the index it stopped at."""
    out = proc.stdout
    index = start
    max_size, verify = limits
    while wait_for(feed, index, cancel):
        oid = feed[index]
        header = out.readline()
        if not header:
            raise Desync(index, f"git cat-file stopped: {proc.stderr_summary()}")
        fields = header.split()
        if not fields or fields[0].decode("ascii", "replace") != oid:
            # An earlier object's content did not match its header; ask again.
            raise Desync(index, "git cat-file output out of step", culprit=False)
        if fields[-1] == b"missing" or len(fields) != 3:
            yield BlobRead(
                index=index, oid=oid, size=-1, content=None, error="object missing or corrupt"
            )
        else:
            yield read_content(proc, index, oid, int(fields[2]), max_size, verify=verify)
        index += 1
    return index


def read_content(
    proc: GitProcess, index: int, oid: str, size: int, max_size: int, *, verify: bool
) -> BlobRead:
    out = proc.stdout
    if size > max_size:
        left = size + 1
        while left:
            chunk = out.read(min(left, 1 << 20))
            if not chunk:
                raise Desync(index, f"git cat-file stopped: {proc.stderr_summary()}")
            left -= len(chunk)
        return BlobRead(index=index, oid=oid, size=size, content=None)
    # Content and its trailing newline read apart: slicing the newline off would copy it.
    content = out.read(size)
    end = out.read(1)
    if len(content) != size or not end:
        raise Desync(index, f"git cat-file stopped: {proc.stderr_summary()}")
    if end != b"\n":
        raise Desync(index, "object content shorter or longer than its header (corrupt)")
    if verify and object_hash(oid, size, content) != oid:
        return BlobRead(
            index=index,
            oid=oid,
            size=size,
            content=None,
            error="object content does not match its id (corrupt)",
        )
    return BlobRead(index=index, oid=oid, size=size, content=content)


# -- sources ---------------------------------------------------------------------------------
