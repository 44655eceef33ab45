"""The source role: turn a user's target into a :class:`Workspace` that controls scan.

A workspace is a directory on disk holding the content in scope (the user's tree, or a
temporary directory holding the index or merge-base blobs), the files in scope with their
sizes, the items skipped with typed reasons, and, for staged changes and diff ranges, the
changed lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lockgate.errors import InputError
from lockgate.model import SkippedItem, SkipReason, TargetRef


class SourceError(InputError):
    """The target cannot be materialised (missing path, not a git repository, bad ref)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileInfo:
    """A regular file in scope: POSIX path relative to the workspace root, size in bytes.

    ``archive`` names the format of an archive (zip, gzip, bzip2, xz, tar): binary, but
    kept in scope because controls can look inside (the secrets control does, one level).
    """

    path: str
    size: int
    archive: str | None = None


@dataclass(frozen=True, kw_only=True)
class Workspace:
    """What the controls of a run scan. Content is read from ``root``; paths are relative."""

    root: Path
    target: TargetRef
    files: tuple[FileInfo, ...]
    skipped: tuple[SkippedItem, ...] = ()
    changed_lines: Mapping[str, frozenset[int]] | None = None
    """For staged changes and diff ranges: the added or changed lines (1-based) per file.
    ``None`` means every line of every file is in scope."""
    repository: Path | None = None
    """The git work tree the target belongs to, if any (for history-aware controls)."""
    display_root: Path | None = None
    """The directory the user named, for messages (``root`` may be a temporary directory)."""
    max_file_size: int = 10 * 1024 * 1024

    def path_of(self, relpath: str) -> Path:
        """The on-disk path of a file in scope."""
        return self.root / relpath

    def read_bytes(self, relpath: str) -> bytes:
        return (self.root / relpath).read_bytes()

    def is_changed(self, relpath: str, line: int) -> bool:
        """Whether ``line`` of ``relpath`` is part of the change under review."""
        if self.changed_lines is None:
            return True
        lines = self.changed_lines.get(relpath)
        return lines is not None and line in lines


class Source(Protocol):
    """Something that can be opened as a workspace; closing it removes temporary content."""

    def open(self) -> AbstractContextManager[Workspace]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitInfo:
    """A commit as attributed to a finding: who introduced it and when (the MTTD input)."""

    sha: str
    author_name: str
    author_email: str
    authored_at: dt.datetime
    summary: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryBlob:
    """A unique blob of the history, with the first commit and path that introduced it."""

    oid: str
    path: str
    size: int
    commit: CommitInfo
    content: bytes = field(repr=False)
    index: int = -1
    """Position of the blob in the walk, oldest introduction first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryError:
    """A blob or commit that could not be read (a corrupted object); the walk goes on."""

    message: str
    oid: str | None = None
    path: str | None = None
    index: int = -1
    """Position of the blob in the walk; -1 for a failure of the walk itself."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistorySkipped:
    """A unique blob of the history that was not read (over the size limit), and why."""

    oid: str
    path: str
    commit: CommitInfo
    reason: SkipReason
    detail: str = ""
    index: int = -1
    """Position of the blob in the walk, oldest introduction first."""


HistoryItem = HistoryBlob | HistorySkipped | HistoryError
"""What a history walk yields: a blob to scan, a blob not read, or an object that failed."""


class History(Protocol):
    """Every unique blob reachable from HEAD (or all refs), each read exactly once."""

    def blobs(self) -> Iterator[HistoryItem]: ...
