"""Sharing the blobs of a walk out between readers: every blob to exactly one reader, the
versions of a path together, and nobody idle while blobs wait."""

from __future__ import annotations

import threading

from lockgate.scanners.secrets.dispatch import LOW_WATER, Dispatcher, Progress
from lockgate.sources.history import WalkBlob


def _blobs(paths: list[str], start: int = 0) -> list[WalkBlob]:
    return [(start + i, f"{start + i:040x}", path) for i, path in enumerate(paths)]


def _drain(dispatcher: Dispatcher, readers: int) -> dict[int, list[WalkBlob]]:
    got: dict[int, list[WalkBlob]] = {r: [] for r in range(readers)}
    done: set[int] = set()
    while len(done) < readers:
        for reader in range(readers):
            if reader in done:
                continue
            blobs = dispatcher.take(reader, timeout=0)
            if blobs is None:
                done.add(reader)
            else:
                got[reader] += blobs
    return got


def test_every_blob_goes_to_one_reader_with_the_other_versions_of_its_path() -> None:
    dispatcher = Dispatcher(readers=3)
    paths = [f"src/module{i % 40}.py" for i in range(400)]  # 10 versions of 40 paths
    dispatcher.put(_blobs(paths[:200]))
    dispatcher.put(_blobs(paths[200:], start=200))
    dispatcher.close()
    got = _drain(dispatcher, 3)
    handed = sorted(b for blobs in got.values() for b in blobs)
    assert handed == _blobs(paths)  # each exactly once
    readers_of_path: dict[str, set[int]] = {}
    for reader, blobs in got.items():
        for _, _, path in blobs:
            readers_of_path.setdefault(path, set()).add(reader)
    assert all(len(r) == 1 for r in readers_of_path.values())
    assert all(got.values()), "every reader had a share"
    assert dispatcher.given == [got[0], got[1], got[2]]


def test_new_versions_go_to_the_reader_that_took_the_path_before() -> None:
    dispatcher = Dispatcher(readers=2)
    dispatcher.put(_blobs(["a.py", "b.py"]))
    first = dispatcher.take(0, timeout=0)
    assert first is not None and len(first) == 1
    path = first[0][2]
    dispatcher.put(_blobs([path, "c.py"], start=2))
    again = dispatcher.take(0, timeout=0)
    assert again is not None and [p for _, _, p in again] == [path]


def test_an_idle_reader_takes_over_blobs_another_has_not_come_to() -> None:
    dispatcher = Dispatcher(readers=2)
    dispatcher.put(_blobs(["busy.py"]))
    assert dispatcher.take(0, timeout=0) == _blobs(["busy.py"])
    dispatcher.put(_blobs(["busy.py"] * 5, start=1))  # reader 0 is still at work
    dispatcher.close()
    assert dispatcher.take(1, timeout=0) == _blobs(["busy.py"] * 5, start=1)
    assert dispatcher.take(0, timeout=0) is None
    assert dispatcher.take(1, timeout=0) is None


def test_take_waits_for_the_log_and_ends_when_it_ends() -> None:
    dispatcher = Dispatcher(readers=1)
    assert dispatcher.take(0, timeout=0.01) == []  # nothing yet, the log goes on
    later = threading.Timer(0.05, dispatcher.put, args=(_blobs(["late.py"]),))
    later.start()
    assert dispatcher.take(0, timeout=10) == _blobs(["late.py"])
    later.join()
    dispatcher.close()
    assert dispatcher.take(0, timeout=10) is None


def test_a_retired_reader_gets_nothing_more_and_its_share_is_handed_back() -> None:
    dispatcher = Dispatcher(readers=2)
    dispatcher.put(_blobs(["a.py", "b.py", "c.py"]))
    taken = dispatcher.take(1, timeout=0)
    assert taken
    assert dispatcher.retire(1) == taken
    assert dispatcher.take(1, timeout=0) is None
    dispatcher.put(_blobs([taken[0][2]], start=3))  # a new version of its path
    dispatcher.close()
    rest = _drain(dispatcher, 1)[0]
    others = [b for b in _blobs(["a.py", "b.py", "c.py"]) if b not in taken]
    assert sorted(rest) == sorted([*others, (3, f"{3:040x}", taken[0][2])])


def test_a_reader_is_hungry_when_little_of_its_share_is_left() -> None:
    progress = Progress()
    assert progress.hungry.is_set()
    progress.gave(LOW_WATER + 10)
    assert not progress.hungry.is_set()
    for _ in range(10):
        progress.did()
    assert not progress.hungry.is_set()
    progress.did()
    assert progress.hungry.is_set()
