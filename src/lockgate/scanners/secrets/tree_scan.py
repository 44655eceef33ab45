"""Scanning the files of a tree, in this process alone or shared with worker processes.

A large tree (:data:`~lockgate.scanners.secrets.parallel.PARALLEL_MIN_TREE_BYTES` and up,
outside a staged or diff scan) is cut into chunks of about a megabyte, in order; this
process and each worker take the next chunk whenever they are done with one, so the one
that started late or met large files simply takes fewer. The results come back in the
order of the files, exactly as one process gives them; a worker that fails has its chunks
scanned here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

from lockgate.scanners.secrets.file_scan import FileResult, FileSettings, scan_file
from lockgate.scanners.secrets.parallel import PARALLEL_MIN_TREE_BYTES, Team
from lockgate.scanners.secrets.scanner import SecretScanner
from lockgate.sources.interface import FileInfo

CHUNK_BYTES = 1024 * 1024
CHUNK_FILES = 256
JOB_TIMEOUT = 24 * 3600.0
"""Seconds a worker may take over its share of a tree (the control's own timeout, which
cancels the run, comes first)."""


def worth_sharing_tree(tree_bytes: int) -> bool:
    """Whether a tree of this many bytes is worth sharing with workers."""
    return tree_bytes >= PARALLEL_MIN_TREE_BYTES


def scan_tree(
    files: Sequence[FileInfo],
    scanner: SecretScanner,
    settings: FileSettings,
    team: Team,
    *,
    changed: Mapping[str, frozenset[int]] | None,
    cancel: threading.Event | None,
    check: Callable[[], None],
) -> Iterator[FileResult]:
    """What each file gave, in the order of ``files``; with a team, the files with nothing
    to report are counted in one result at the end. ``changed``: the lines of a staged or
    diff scan (such a scan is never shared). ``check`` raises once ``cancel`` is set."""
    if not team or changed is not None:
        for info in files:
            check()
            yield scan_file(scanner, info, settings, changed)
        return
    yield from _shared(files, scanner, settings, team, (cancel, check))


def _shared(
    files: Sequence[FileInfo],
    scanner: SecretScanner,
    settings: FileSettings,
    team: Team,
    stopping: tuple[threading.Event | None, Callable[[], None]],
) -> Iterator[FileResult]:
    # Loaded here: a staged scan (the pre-commit hook) never shares its few files.
    from lockgate.scanners.secrets.dispatch import ChunkQueue, chunks_by_size
    from lockgate.scanners.secrets.workers import unpack_file

    queue: ChunkQueue[tuple[int, FileInfo]] = ChunkQueue(
        chunks_by_size(
            enumerate(files), lambda item: item[1].size, bytes_per_chunk=CHUNK_BYTES,
            most=CHUNK_FILES,
        ),
        readers=len(team.workers) + 1,
    )  # fmt: skip
    cancel, check = stopping
    job = team.start(queue, ("files", settings), cancel)
    found: dict[int, FileResult] = {}
    quiet = 0

    def scan_here(items: list[tuple[int, FileInfo]]) -> None:
        nonlocal quiet
        for index, info in items:
            check()
            result = scan_file(scanner, info, settings)
            if result:
                found[index] = result
            else:
                quiet += result.scanned

    while (chunk := queue.take(0)) is not None:
        scan_here(chunk)
    for reader, outcome in job.outcomes(time.monotonic() + JOB_TIMEOUT):
        if outcome is None or outcome[1] is not None:
            scan_here(queue.given[reader])
            continue
        for packed in outcome[0]:
            index, result = unpack_file(packed, scanner.rules)
            if index < 0:
                quiet += result.scanned
            else:
                found[index] = result
    for index in sorted(found):
        yield found[index]
    yield FileResult(scanned=quiet)
