"""History scans split between this process and worker processes give exactly what one
process gives: the same findings, attributed to the same first commits, the same skips and
errors, also when a worker dies."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lockgate.model import TargetRef
from lockgate.scanners.interface import Cancelled, ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.secrets import dispatch, parallel, workers
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.scanners.secrets.dispatch import Dispatcher
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.sources.interface import Workspace
from tests.unit.scanners.secrets._sharing import Shares, private_pool, token
from tests.unit.sources import Repo, isolate_git

PATHS = [f"svc{i}/settings.py" for i in range(24)]


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


@pytest.fixture(autouse=True)
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[workers.WorkerPool]:
    """Every test with its own workers, stopped at its end; any repository is large."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_KIB", 0)
    yield from private_pool(monkeypatch)


@pytest.fixture
def shares(monkeypatch: pytest.MonkeyPatch) -> Shares:
    return Shares().watch(monkeypatch, Dispatcher)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """24 paths over 3 commits: tokens added, rotated and removed, a file over the size
    limit, and a secret copied to another path in a later commit."""
    repo = Repo.init(tmp_path / "project")
    for i, path in enumerate(PATHS):
        repo.write(path, f"TOKEN = '{token(i)}'\n" if i % 3 == 0 else f"DEBUG = {i}\n")
    repo.write("blob.dat", "x" * 5000)
    repo.commit("first", author=("Grace Hopper", "grace@example.com"))
    for i, path in enumerate(PATHS):
        if i % 2 == 0:
            repo.write(path, f"TOKEN = '{token(100 + i)}'\npassword = 'Vb7#kQ2!pLm{i}'\n")
    repo.write("moved/settings.py", f"TOKEN = '{token(0)}'\n")
    repo.commit("rotate")
    for i, path in enumerate(PATHS):
        if i % 4 == 0:
            repo.write(path, "TOKEN = None\n")
    repo.commit("remove")
    return repo


def _scan(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, *, cancel: threading.Event | None = None,
    **options: object,
) -> ControlOutput:  # fmt: skip
    workspace = Workspace(
        root=repo.root,
        target=TargetRef(kind="git", name="project"),
        files=(),
        repository=repo.root,
        max_file_size=4096,
    )
    context = ScanContext(
        workspace=workspace,
        files=(),
        options={"history": True, **options},
        cache_dir=tmp_path / "cache",
        cancel=cancel or threading.Event(),
    )
    return SecretsControl(rule_set).scan(context)


def _summary(out: ControlOutput) -> tuple[Any, ...]:
    findings = sorted(
        (f.fingerprint, f.rule_id, f.location and f.location.path, f.location and f.location.commit,
         f.location and f.location.start_line, f.properties)
        for f in out.findings
    )  # fmt: skip
    return (
        findings,
        sorted((s.path, s.reason, s.detail) for s in out.skipped),
        sorted((e.path, e.message) for e in out.errors),
    )


def test_workers_find_exactly_what_one_process_finds(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, pool: workers.WorkerPool, shares: Shares
) -> None:
    alone = _scan(rule_set, repo, tmp_path, jobs=1)
    assert pool.idle() == []  # one process: no worker started
    shares.worker_started.set()
    shares.counts.clear()
    shares.worker_started.clear()
    shared = _scan(rule_set, repo, tmp_path, jobs=3)
    assert len(pool.idle()) == 2  # the workers are ready again
    assert shares.by_workers > 0  # and took part
    assert _summary(shared) == _summary(alone)
    findings, skipped, errors = _summary(alone)
    # 8 first tokens, 12 rotated tokens and 12 passwords; the token copied to moved/ is the
    # same secret as svc0's (a finding per secret value, not per copy).
    assert len(findings) == 32
    assert [s[0].split("@")[0] for s in skipped] == ["blob.dat"]
    assert errors == []
    by_path = {(f.location.path, f.rule_id): f for f in shared.findings if f.location}
    first = by_path[("svc3/settings.py", "secrets/test-token")]
    assert (first.prop("introduced_in"), first.prop("author")) == ("first", "Grace Hopper")
    assert ("moved/settings.py", "secrets/test-token") not in by_path
    assert by_path[("svc2/settings.py", "secrets/test-password")].prop("introduced_in") == "rotate"


def test_workers_are_reused_by_later_scans_and_take_new_rules(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, pool: workers.WorkerPool
) -> None:
    first = _scan(rule_set, repo, tmp_path, jobs=2)
    pids = pool.idle()
    assert len(pids) == 1
    again = _scan(rule_set, repo, tmp_path, jobs=2)
    assert pool.idle() == pids
    assert _summary(again) == _summary(first)
    # Other rules (one disabled): the same worker is given them, and uses them.
    narrower = _scan(rule_set, repo, tmp_path, jobs=2, disable=["test-password"])
    assert pool.idle() == pids
    assert {f.rule_id for f in narrower.findings} == {"secrets/test-token"}
    assert _summary(narrower) == _summary(
        _scan(rule_set, repo, tmp_path, jobs=1, disable=["test-password"])
    )


def test_a_worker_that_dies_has_its_share_scanned_here(
    rule_set: RuleSet,
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pool: workers.WorkerPool,
    shares: Shares,
) -> None:
    shares.worker_started.set()
    expected = _summary(_scan(rule_set, repo, tmp_path, jobs=1))
    shares.worker_started.clear()
    real_take = Dispatcher.take
    killed: list[int] = []

    def take_then_die(self: Dispatcher, reader: int, timeout: float | None = None) -> Any:
        blobs = real_take(self, reader, timeout)
        if reader and blobs and reader not in killed:  # a worker got its first blobs
            worker = next(w for w in leased if w is not None)
            worker.proc.kill()
            killed.append(reader)
        return blobs

    leased: list[workers.Worker] = []
    real_lease = pool.lease

    def lease(count: int) -> list[workers.Worker]:
        got = real_lease(count)
        leased.extend(got)
        return got

    monkeypatch.setattr(pool, "lease", lease)
    monkeypatch.setattr(Dispatcher, "take", take_then_die)
    out = _scan(rule_set, repo, tmp_path, jobs=2)
    assert killed == [1]
    assert _summary(out) == expected
    assert pool.idle() == []  # the dead worker is not kept


def test_a_worker_that_never_answers_has_its_share_scanned_here(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _summary(_scan(rule_set, repo, tmp_path, jobs=1))
    killed: list[int] = []
    real_server = workers.WorkerServer

    def dead_on_arrival(worker: workers.Worker, *args: Any) -> workers.WorkerServer:
        worker.proc.kill()  # before it is sent anything: sends fail or it is silent
        worker.proc.wait(timeout=10)
        killed.append(worker.proc.pid)
        return real_server(worker, *args)

    monkeypatch.setattr(workers, "WorkerServer", dead_on_arrival)
    assert _summary(_scan(rule_set, repo, tmp_path, jobs=3)) == expected
    assert len(killed) == 2


def test_corrupt_blobs_read_by_workers_are_the_same_errors(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, shares: Shares
) -> None:
    # Corrupted loose blobs at many paths: some are read by the worker, some here.
    paths = [f"extra/f{i}.py" for i in range(12)]
    for i, path in enumerate(paths):
        repo.write(path, f"TOKEN = '{token(900 + i)}'\n")
    commit = repo.commit("extra")
    for path in paths:
        repo.loose_object(repo.blob_id(f"{commit}:{path}")).write_bytes(b"not a zlib stream")
    shares.worker_started.set()
    alone = _scan(rule_set, repo, tmp_path, jobs=1)
    shares.worker_started.clear()
    shared = _scan(rule_set, repo, tmp_path, jobs=2)
    assert shares.counts.get(1)
    assert _summary(shared) == _summary(alone)
    assert sorted(e.path or "" for e in shared.errors) == sorted(paths)


def test_a_cancelled_scan_stops_its_workers(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, pool: workers.WorkerPool
) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        _scan(rule_set, repo, tmp_path, cancel=cancel, jobs=3)
    assert pool.idle() == []


def test_small_repositories_are_scanned_in_one_process(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_KIB", 1 << 30)

    def no_workers(count: int) -> list[workers.Worker]:
        raise AssertionError("no worker should start for a small repository")

    monkeypatch.setattr(workers.POOL, "lease", no_workers)
    assert _scan(rule_set, repo, tmp_path, jobs=4).findings


@pytest.mark.parametrize("jobs", [0, -1, "many", True, 1.5])
def test_jobs_must_be_auto_or_a_positive_whole_number(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, jobs: object
) -> None:
    with pytest.raises(ControlFailure, match="jobs must be"):
        _scan(rule_set, repo, tmp_path, jobs=jobs)


def test_auto_jobs_follow_the_cpus_available() -> None:
    assert 1 <= parallel.default_jobs() <= min(os.cpu_count() or 1, parallel.MAX_JOBS)


def _in_thread(run: Any) -> Any:
    """``run()`` in a thread, failing the test (instead of hanging it) past 60 s."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(run()), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the scan hung"
    return box[0]


def test_git_failing_here_ends_the_scan_with_an_error_not_a_hang(
    rule_set: RuleSet, repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lockgate.errors import ToolError
    from lockgate.sources.git import GitRepo

    real = GitRepo.read_blobs

    def dies_after_one(self: GitRepo, *args: Any, **kwargs: Any) -> Iterator[Any]:
        reads = real(self, *args, **kwargs)
        yield next(reads)
        raise ToolError("git cat-file timed out after 1 s")

    monkeypatch.setattr(GitRepo, "read_blobs", dies_after_one)  # in this process only
    # Blobs handed here and never read then keep this process from asking for more.
    monkeypatch.setattr(dispatch, "LOW_WATER", 1)
    out = _in_thread(lambda: _scan(rule_set, repo, tmp_path, jobs=2))
    assert any("history walk stopped: git cat-file timed out" in e.message for e in out.errors)


def test_a_worker_that_never_starts_is_not_waited_for(
    rule_set: RuleSet,
    repo: Repo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pool: workers.WorkerPool,
) -> None:
    import socket
    import subprocess
    import sys
    from multiprocessing.connection import Connection

    expected = _summary(_scan(rule_set, repo, tmp_path, jobs=1))
    held: list[socket.socket] = []
    sleepers: list[subprocess.Popen[bytes]] = []

    def silent_worker() -> workers.Worker:
        ours, theirs = socket.socketpair()
        held.append(theirs)  # nobody ever reads the other end
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        sleepers.append(proc)
        return workers.Worker(proc, Connection(ours.detach()))

    monkeypatch.setattr(workers, "start_worker", silent_worker)
    monkeypatch.setattr(workers, "IDLE_GRACE", 0.5)
    out = _in_thread(lambda: _scan(rule_set, repo, tmp_path, jobs=2))
    assert _summary(out) == expected
    assert [p.poll() is not None for p in sleepers] == [True]  # stopped, not kept
    assert pool.idle() == []
    for end in held:
        end.close()
