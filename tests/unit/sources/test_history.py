"""The history walk: every unique blob once, attributed to the commit that introduced it."""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from lockgate.model import SkipReason
from lockgate.sources.git import GitRepo
from lockgate.sources.history import GitHistory, WalkBlob
from lockgate.sources.interface import HistoryBlob, HistoryError, HistoryItem, HistorySkipped
from tests.unit.sources import AUTHOR, Repo, isolate_git


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "project")


def _walk(repo: Repo, **options: object) -> list[HistoryItem]:
    return list(GitHistory(GitRepo(repo.root), **options).blobs())  # type: ignore[arg-type]


def _blobs(items: Iterable[HistoryItem]) -> dict[bytes, HistoryBlob]:
    found: dict[bytes, HistoryBlob] = {}
    for item in items:
        assert isinstance(item, HistoryBlob), item
        assert item.content not in found, f"{item.content!r} yielded twice"
        found[item.content] = item
    return found


def test_each_unique_blob_once_attributed_to_the_commit_that_introduced_it(repo: Repo) -> None:
    repo.write("config.py", "key = 'v1'\n")
    first = repo.commit("add config", author=("Grace Hopper", "grace@example.com"))
    repo.write("copy.py", "key = 'v1'\n")  # same content again: the same blob
    repo.write("config.py", "key = 'v2'\n")
    second = repo.commit("rotate key")
    repo.write("config.py", "key = 'v1'\n")  # back to v1: nothing new
    (repo.root / "copy.py").unlink()
    repo.commit("revert")
    blobs = _blobs(_walk(repo))
    assert set(blobs) == {b"key = 'v1'\n", b"key = 'v2'\n"}
    v1 = blobs[b"key = 'v1'\n"]
    assert (v1.path, v1.commit.sha) == ("config.py", first)
    assert (v1.commit.author_name, v1.commit.author_email) == ("Grace Hopper", "grace@example.com")
    assert v1.commit.summary == "add config"
    assert v1.commit.authored_at.timestamp() == 1_700_000_060
    assert v1.oid == repo.blob_id(f"{first}:config.py")
    assert v1.size == len(b"key = 'v1'\n")
    v2 = blobs[b"key = 'v2'\n"]
    assert (v2.path, v2.commit.sha, v2.commit.author_name) == ("config.py", second, AUTHOR[0])


def test_blobs_of_deleted_files_are_still_in_the_history(repo: Repo) -> None:
    repo.write("leak.env", "AWS_SECRET=x\n")
    repo.commit("oops")
    (repo.root / "leak.env").unlink()
    repo.commit("remove leak")
    assert [b.path for b in _blobs(_walk(repo)).values()] == ["leak.env"]


def test_other_branches_only_with_all_refs(repo: Repo) -> None:
    repo.write("main.py", "main\n")
    repo.commit("main")
    repo.git("checkout", "-q", "-b", "experiment")
    repo.write("exp.py", "experiment\n")
    repo.commit("try something")
    repo.git("tag", "v-exp")
    repo.git("checkout", "-q", "main")
    assert set(_blobs(_walk(repo))) == {b"main\n"}
    assert set(_blobs(_walk(repo, all_refs=True))) == {b"main\n", b"experiment\n"}


def test_merged_branch_blobs_belong_to_the_branch_commit(repo: Repo) -> None:
    repo.write("a.py", "a\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.py", "from the side branch\n")
    side = repo.commit("side work")
    repo.git("checkout", "-q", "main")
    repo.write("b.py", "b\n")
    repo.commit("main work")
    repo.git("merge", "-q", "--no-edit", "side", env={"GIT_COMMITTER_DATE": "@1700009999 +0000"})
    blob = _blobs(_walk(repo))[b"from the side branch\n"]
    assert blob.commit.sha == side


def test_symlinks_and_submodules_are_left_out(repo: Repo, tmp_path: Path) -> None:
    repo.write("real.py", "x\n")
    (repo.root / "link.py").symlink_to("real.py")
    other = Repo.init(tmp_path / "other")
    sub_commit = other.commit("sub")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sub_commit},vendored")
    repo.commit("with link and submodule")
    assert [b.path for b in _blobs(_walk(repo)).values()] == ["real.py"]


def test_blobs_over_the_limit_are_reported_not_read(repo: Repo) -> None:
    repo.write("big.bin", "a" * 2000)
    repo.write("small.py", "x\n")
    commit = repo.commit("add")
    items = _walk(repo, max_blob_size=1000)
    skipped = [i for i in items if isinstance(i, HistorySkipped)]
    assert len(skipped) == 1
    assert (skipped[0].path, skipped[0].reason, skipped[0].commit.sha) == (
        "big.bin", SkipReason.TOO_LARGE, commit,
    )  # fmt: skip
    assert "1000 bytes" in skipped[0].detail
    assert [i.path for i in items if isinstance(i, HistoryBlob)] == ["small.py"]


def test_a_corrupted_object_is_an_error_and_the_walk_goes_on(repo: Repo) -> None:
    for name in ("a", "b", "c"):
        repo.write(f"{name}.py", f"content of {name}\n")
    commit = repo.commit("three files")
    broken = repo.blob_id(f"{commit}:b.py")
    repo.loose_object(broken).write_bytes(b"this is not a zlib stream")
    items = _walk(repo)
    errors = [i for i in items if isinstance(i, HistoryError)]
    assert [(e.oid, e.path) for e in errors] == [(broken, "b.py")]
    assert broken in errors[0].message
    assert sorted(i.path for i in items if isinstance(i, HistoryBlob)) == ["a.py", "c.py"]


def test_an_object_that_kills_cat_file_is_an_error_and_the_rest_is_read(repo: Repo) -> None:
    for name in ("a", "b", "c", "d"):
        repo.write(f"{name}.txt", f"{name}\n" * 50_000 if name == "b" else f"{name}\n")
    commit = repo.commit("four files")
    broken = repo.blob_id(f"{commit}:b.txt")
    # A valid header followed by a truncated stream: git prints the header, then dies.
    compressor = zlib.compressobj()
    data = compressor.compress(b"blob 100000\0") + compressor.flush(zlib.Z_FULL_FLUSH)
    data += compressor.compress(os.urandom(100_000)) + compressor.flush()
    repo.loose_object(broken).write_bytes(data[: len(data) // 2])
    items = _walk(repo)
    errors = [i for i in items if isinstance(i, HistoryError)]
    assert [(e.oid, e.path) for e in errors] == [(broken, "b.txt")]
    read = sorted(i.path for i in items if isinstance(i, HistoryBlob))
    assert read == ["a.txt", "c.txt", "d.txt"]


def test_a_repository_without_commits_has_no_history(repo: Repo) -> None:
    assert _walk(repo) == []
    assert _walk(repo, all_refs=True) == []


def test_cancel_stops_the_walk(repo: Repo) -> None:
    for index in range(30):
        repo.write(f"f{index}.py", f"{index}\n")
        repo.commit(f"c{index}")
    cancel = threading.Event()
    seen = []
    for item in GitHistory(GitRepo(repo.root), cancel=cancel).blobs():
        seen.append(item)
        cancel.set()
    assert 1 <= len(seen) < 30


def test_a_broken_commit_tree_ends_the_walk_with_an_error_after_what_was_read(
    repo: Repo,
) -> None:
    repo.write("early.py", "from the first commit\n")
    repo.commit("first")
    repo.write("late.py", "from the second commit\n")
    second = repo.commit("second")
    repo.loose_object(repo.blob_id(f"{second}^{{tree}}")).write_bytes(b"garbage")
    items = _walk(repo)
    assert [i.path for i in items if isinstance(i, HistoryBlob)] == ["early.py"]
    errors = [i for i in items if isinstance(i, HistoryError)]
    assert len(errors) == 1
    assert "git log failed" in errors[0].message


class _Sink:
    """A walk's sink that keeps what it is handed."""

    def __init__(self) -> None:
        self.blobs: list[WalkBlob] = []
        self.closed = 0
        self.ended = threading.Event()

    def put(self, blobs: list[WalkBlob]) -> None:
        self.blobs.extend(blobs)

    def close(self) -> None:
        self.closed += 1
        self.ended.set()


def test_a_walk_hands_every_first_seen_blob_to_its_sink(repo: Repo) -> None:
    for rev in range(3):
        for i in range(12):
            repo.write(f"pkg/m{i}.py", f"revision {rev} of module {i}\n")
        repo.commit(f"revision {rev}")
    whole = [i for i in _walk(repo) if isinstance(i, HistoryBlob)]
    sink = _Sink()
    history = GitHistory(GitRepo(repo.root))

    def nothing_read_here(deadline: float) -> Iterator[HistoryItem]:
        assert sink.ended.wait(30)  # the whole log is parsed meanwhile
        return iter(())

    assert list(history.walk(sink, nothing_read_here)) == []
    assert sink.closed == 1
    assert sink.blobs == [(i.index, i.oid, i.path) for i in whole]
    assert [index for index, _, _ in sink.blobs] == list(range(36))  # oldest first
    index, _, path = sink.blobs[20]
    assert history.introduced(index)[0] == path
    # Some blobs of the walk, read here (those of a reader that failed): same items.
    some = sink.blobs[::5]
    again = list(history.read(some))
    assert [(i.index, i.oid) for i in again] == [(i, o) for i, o, _ in some]
    assert all(isinstance(i, HistoryBlob) and i.content.startswith(b"revision") for i in again)


def test_the_sink_is_closed_when_there_is_no_history(repo: Repo) -> None:
    sink = _Sink()
    assert list(GitHistory(GitRepo(repo.root)).walk(sink, lambda deadline: iter(()))) == []
    assert (sink.blobs, sink.closed) == ([], 1)
