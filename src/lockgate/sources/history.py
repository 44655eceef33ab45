"""Every unique blob of a git history, read once and attributed to the commit that
introduced it.

One ``git log --reverse --raw`` walks the commits oldest first; a thread parses it and
queues each blob the first time it appears, with the commit and path that introduced it.
One ``git cat-file --batch`` process, fed by a writer thread so that neither side can
block the other on a full pipe, streams the contents back in the same order. Memory holds
the ids and attribution of the unique blobs, never their contents beyond the one in hand.

Submodules (mode 160000) and symbolic links (120000) are not blobs worth scanning and are
left out. A blob over the size limit is reported as :class:`HistorySkipped`; a missing or
corrupt object as :class:`HistoryError`, and the walk goes on with the rest.

The log parser hands the blobs to a :class:`BlobSink`: for :meth:`GitHistory.blobs`, the
feed of the one ``cat-file`` that reads them here; for a parallel scan, whatever shares them
out between readers (:meth:`GitHistory.walk`, :meth:`GitHistory.contents`).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from lockgate.errors import ToolError
from lockgate.model import SkipReason
from lockgate.sources.catfile import BlobRead, OidFeed
from lockgate.sources.filesystem import DEFAULT_MAX_FILE_SIZE, describe_size
from lockgate.sources.git import GitRepo
from lockgate.sources.gitproc import GitProcess
from lockgate.sources.interface import (
    CommitInfo,
    HistoryBlob,
    HistoryError,
    HistoryItem,
    HistorySkipped,
)

HISTORY_TIMEOUT = 4 * 3600.0
"""Seconds a whole history walk may take before its git processes are killed."""

# A commit header starts with \x01 (never the start of a raw diff entry, which is ':').
_FORMAT = "%x01%H%x00%aN%x00%aE%x00%aI%x00%s"
_HEADER_FIELDS = 5
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


WalkBlob = tuple[int, str, str]
"""A first-seen blob of a walk: its index (oldest introduction first), its id and its path."""


class BlobSink(Protocol):
    """Where the log parser hands the blobs of a walk, a chunk of the log at a time."""

    def put(self, blobs: list[WalkBlob]) -> None: ...

    def close(self) -> None:
        """No more blobs will come (called once, also when the walk failed)."""


class _FeedSink:
    """The blobs of a walk, all read by one ``cat-file`` in this process."""

    def __init__(self, feed: OidFeed, local: list[int]) -> None:
        self.feed = feed
        self.local = local

    def put(self, blobs: list[WalkBlob]) -> None:
        # Indices first: a reader looks a blob up as soon as its id is in the feed.
        self.local.extend(index for index, _, _ in blobs)
        self.feed.extend([oid for _, oid, _ in blobs])

    def close(self) -> None:
        self.feed.close()


class _LogParser:
    """Turns the NUL-separated ``git log -z --raw`` stream into first-seen blobs."""

    def __init__(self, sink: BlobSink, attribution: list[tuple[str, CommitInfo]]) -> None:
        self.sink = sink
        self.attribution = attribution
        self.seen: set[bytes] = set()
        self.commit: CommitInfo | None = None
        self._header: list[bytes] = []
        self._entry: bytes | None = None
        self._new: list[WalkBlob] = []

    def token(self, token: bytes) -> None:
        if self._header and len(self._header) < _HEADER_FIELDS:
            self._header.append(token)
            if len(self._header) == _HEADER_FIELDS:
                self.commit = _commit_info(self._header)
                self._header = []
            return
        if self._entry is not None:
            self._blob(self._entry, token)
            self._entry = None
            return
        token = token.lstrip(b"\n")
        if token.startswith(b"\x01"):
            self._header = [token[1:]]
        elif token.startswith(b":"):
            self._entry = token

    def _blob(self, entry: bytes, path: bytes) -> None:
        # ":<old mode> <new mode> <old oid> <new oid> <status>"
        fields = entry[1:].split(b" ")
        if len(fields) < 5 or self.commit is None:
            return
        new_mode, oid, status = fields[1], fields[3], fields[4]
        if status.startswith(b"D") or not new_mode.startswith(b"100") or oid in self.seen:
            return
        self.seen.add(oid)
        name = os.fsdecode(path)
        self._new.append((len(self.attribution), oid.decode("ascii"), name))
        self.attribution.append((name, self.commit))

    def publish(self) -> None:
        """Hand the blobs found since the last call to the sink (their attribution is
        already recorded, so a reader can look it up as soon as it sees an id)."""
        if self._new:
            self.sink.put(self._new)
            self._new = []


def _commit_info(fields: list[bytes]) -> CommitInfo:
    sha, name, email, date, summary = (f.decode("utf-8", "replace") for f in fields)
    try:
        authored = dt.datetime.fromisoformat(date)
    except ValueError:
        authored = _EPOCH
    return CommitInfo(
        sha=sha, author_name=name, author_email=email, authored_at=authored, summary=summary
    )


class GitHistory:
    """The unique blobs reachable from HEAD, or from every ref with ``all_refs``."""

    def __init__(
        self,
        repo: GitRepo,
        *,
        all_refs: bool = False,
        max_blob_size: int = DEFAULT_MAX_FILE_SIZE,
        cancel: threading.Event | None = None,
        timeout: float = HISTORY_TIMEOUT,
    ) -> None:
        self.repo = repo
        self.all_refs = all_refs
        self.max_blob_size = max_blob_size
        self.cancel = cancel
        self.timeout = timeout
        self._attribution: list[tuple[str, CommitInfo]] = []

    def introduced(self, index: int) -> tuple[str, CommitInfo]:
        """The path and commit that introduced blob ``index`` of the current walk."""
        return self._attribution[index]

    def blobs(self) -> Iterator[HistoryItem]:
        """Each unique blob once, oldest introduction first; skips and errors in between."""
        feed = OidFeed(closed=False)
        local: list[int] = []
        yield from self.walk(
            _FeedSink(feed, local), lambda deadline: self.contents(feed, local, deadline)
        )

    def walk(
        self, sink: BlobSink, read: Callable[[float], Iterator[HistoryItem]]
    ) -> Iterator[HistoryItem]:
        """Parse the log in a thread, handing each first-seen blob to ``sink``, while
        ``read(deadline)`` yields what the readers make of them; then the log's failures.
        The log is stopped, and the sink closed, however the reading ends."""
        if not self.all_refs and self.repo.head() is None:
            sink.close()
            return  # no commits yet: no history
        deadline = time.monotonic() + self.timeout
        attribution: list[tuple[str, CommitInfo]] = []
        self._attribution = attribution
        failures: list[str] = []
        try:
            log = self.repo.spawn(
                [
                    "log", "--reverse", "--date-order", "--raw", "--no-abbrev", "--no-renames",
                    "-z", "--root", "--diff-merges=first-parent", "--no-color",
                    "--no-show-signature", f"--format={_FORMAT}",
                    "--all" if self.all_refs else "HEAD", "--",
                ],
                timeout=self.timeout,
            )  # fmt: skip
        except BaseException:
            sink.close()
            raise
        stopping = threading.Event()
        reader = threading.Thread(
            target=_read_log,
            args=(log, _LogParser(sink, attribution), failures, stopping),
            name="git-log",
            daemon=True,
        )
        reader.start()
        try:
            yield from read(deadline)
        finally:
            stopping.set()
            if log.proc.poll() is None:
                log.proc.kill()
            reader.join()
        if not (self.cancel is not None and self.cancel.is_set()):
            for failure in failures:
                yield HistoryError(message=failure)

    def read(self, blobs: Iterable[WalkBlob]) -> Iterator[HistoryItem]:
        """The given blobs of the current walk (those of a reader that failed), read here."""
        indices: list[int] = []
        oids: list[str] = []
        for index, oid, _ in blobs:
            indices.append(index)
            oids.append(oid)
        yield from self.contents(OidFeed(oids), indices, time.monotonic() + self.timeout)

    def contents(self, feed: OidFeed, local: list[int], deadline: float) -> Iterator[HistoryItem]:
        """The blobs of ``feed`` (a growing list of ids; blob ``i`` of it is blob
        ``local[i]`` of the walk) read by one ``cat-file``, as history items."""
        attribution = self._attribution
        try:
            reads = self.repo.read_blobs(
                feed,
                max_size=self.max_blob_size,
                cancel=self.cancel,
                timeout=deadline - time.monotonic(),
                verify=False,
            )
            for read in reads:
                index = local[read.index]
                path, commit = attribution[index]
                if read.content is None:
                    yield history_item(read, index, path, commit, self.max_blob_size)
                else:
                    yield HistoryBlob(
                        oid=read.oid,
                        path=path,
                        size=read.size,
                        commit=commit,
                        content=read.content,
                        index=index,
                    )
        except ToolError as exc:
            yield _walk_stopped(exc.message)


def _walk_stopped(message: str) -> HistoryError:
    """The error of a walk that could not go on (git died or timed out)."""
    return HistoryError(message=f"history walk stopped: {message}")


def history_item(
    read: BlobRead, index: int, path: str, commit: CommitInfo, max_blob_size: int
) -> HistorySkipped | HistoryError:
    """What a read without content (failed, or over ``max_blob_size``) means for blob
    ``index`` of a walk, introduced at ``path`` in ``commit``."""
    if read.error is not None:
        return HistoryError(
            message=f"blob {read.oid} of {path} (introduced in {commit.sha[:12]}) "
            f"cannot be read: {read.error}",
            oid=read.oid,
            path=path,
            index=index,
        )
    return HistorySkipped(
        oid=read.oid,
        path=path,
        commit=commit,
        reason=SkipReason.TOO_LARGE,
        detail=f"{describe_size(read.size)} exceeds the limit of {describe_size(max_blob_size)}",
        index=index,
    )


def _read_log(
    log: GitProcess, parser: _LogParser, failures: list[str], stopping: threading.Event
) -> None:
    """Thread body: parse ``git log`` until it ends, then close the feed."""
    rest = b""
    try:
        stdout = log.stdout
        while chunk := stdout.read1(1 << 20):
            tokens = (rest + chunk).split(b"\0")
            rest = tokens.pop()
            for token in tokens:
                parser.token(token)
            parser.publish()
        if rest:
            parser.token(rest)
        parser.publish()
        code = log.proc.wait()
        if code != 0 and not stopping.is_set():
            failures.append(f"git log failed (exit {code}): {log.stderr_summary()}")
    except (OSError, ValueError) as exc:
        if not stopping.is_set():
            failures.append(f"reading git log failed: {exc}")
    finally:
        log.close()
        parser.publish()
        parser.sink.close()
