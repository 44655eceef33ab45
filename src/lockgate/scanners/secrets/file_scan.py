"""Scanning one file of a tree for secrets: what the control and its worker processes both
do with each file, so that a tree scanned in parallel gives exactly what one process gives.

A file is read from its start (one system call for most files), recognised as an archive
(its members are scanned one level deep, within limits) or as binary (skipped, by content),
and scanned whole or, when larger than one window, streamed in bounded memory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.scanner import OVERLAP, WINDOW, SecretScanner
from lockgate.sources.content import archive_format, is_binary
from lockgate.sources.interface import FileInfo

DECODE_LIMIT = 4 * 1024 * 1024
"""Files larger than this are not decoded (base64 and hex blobs), only scanned."""


@dataclass(frozen=True, slots=True)
class FileSettings:
    """How files are scanned (the same for every file of a run)."""

    root: str
    """The workspace root as a string, for joining paths cheaply."""
    decode: bool = False
    archives: bool = True
    max_archive_member_size: int = 10 * 1024 * 1024
    max_archive_size: int = 100 * 1024 * 1024


@dataclass(slots=True)
class FileResult:
    """What one file gave: matches (for the file, or for each archive member with any, in
    order), skips, errors, and whether it counts as scanned."""

    found: list[tuple[str, list[SecretMatch]]] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    scanned: int = 0

    def __bool__(self) -> bool:
        return bool(self.found or self.skipped or self.errors)


def scan_file(
    scanner: SecretScanner,
    info: FileInfo,
    settings: FileSettings,
    changed: Mapping[str, frozenset[int]] | None = None,
) -> FileResult:
    """Scan the file ``info`` of the tree at ``settings.root``. ``changed``: the lines of the
    change under review per path (a staged or diff scan); only matches on them are kept."""
    result = FileResult()
    path = f"{settings.root}/{info.path}"  # workspace.path_of, without pathlib's cost
    try:
        data, complete = _read_start(path, info.size, WINDOW + OVERLAP)
        fmt = info.archive or archive_format(data)
        if fmt is not None:
            if settings.archives:
                _scan_archive(scanner, info, (fmt, path), settings=settings, result=result)
            else:
                result.skipped.append(
                    SkippedItem(
                        path=info.path,
                        reason=SkipReason.NOT_APPLICABLE,
                        detail=f"{fmt} archive; archive scanning is off",
                    )
                )
            return result
        if is_binary(data):
            result.skipped.append(
                SkippedItem(path=info.path, reason=SkipReason.BINARY, detail="binary content")
            )
            return result
        if complete:
            matches = scanner.scan_buffer(data, info.path)
        else:  # larger than one window: stream it in bounded memory
            with open(path, "rb") as stream:
                matches = list(scanner.scan_stream(stream, info.path))
    except OSError as exc:
        result.errors.append(
            ControlError(
                kind=ErrorKind.INPUT,
                fatal=False,
                path=info.path,
                message=f"cannot read file: {exc.strerror}",
            )
        )
        return result
    result.scanned = 1
    if settings.decode and info.size <= DECODE_LIMIT:
        from lockgate.scanners.secrets.decoding import decoded_matches

        content = data if complete else Path(path).read_bytes()
        matches += decoded_matches(scanner, content, info.path, matches)
    if matches and changed is not None:
        lines = changed.get(info.path, frozenset())
        matches = [m for m in matches if any(n in lines for n in range(m.line, m.end_line + 1))]
    if matches:
        result.found.append((info.path, matches))
    return result


def _scan_archive(
    scanner: SecretScanner,
    info: FileInfo,
    where: tuple[str, str],
    *,
    settings: FileSettings,
    result: FileResult,
) -> None:
    """The members of archive ``info``; ``where``: its format and full path."""
    fmt, path = where
    from lockgate.scanners.secrets.archives import ArchiveLimits, members

    limits = ArchiveLimits(
        max_member_size=settings.max_archive_member_size,
        max_total_size=settings.max_archive_size,
    )
    if info.size > limits.max_total_size:
        result.skipped.append(
            SkippedItem(
                path=info.path,
                reason=SkipReason.TOO_LARGE,
                detail=f"archive of {info.size} bytes exceeds max_archive_size",
            )
        )
        return
    data = Path(path).read_bytes()
    try:
        items = list(members(data, fmt, limits))
    except ValueError as exc:
        result.errors.append(
            ControlError(kind=ErrorKind.INPUT, fatal=False, path=info.path, message=str(exc))
        )
        return
    result.scanned = 1
    for member in items:
        inner = f"{info.path}!/{member.name}"
        if member.content is None:
            result.skipped.append(
                SkippedItem(path=inner, reason=SkipReason.LIMIT, detail=member.skipped or "")
            )
            continue
        if is_binary(member.content):
            continue
        matches = scanner.scan_buffer(member.content, inner)
        if matches:
            result.found.append((inner, matches))


def _read_start(path: str, size: int, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes from the start of the file at ``path`` and whether that is all
    of it, in as few system calls as the listed ``size`` allows."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        want = min(max(size, 0) + 1, limit)  # one byte more than listed notices growth
        data = os.read(fd, want)
        if len(data) == want - 1 == size:  # exactly as listed: that is the end
            return data, True
        while len(data) < limit:
            more = os.read(fd, min(limit - len(data), max(len(data), 64 * 1024)))
            if not more:
                return data, True
            data += more
        return data, False
    finally:
        os.close(fd)
