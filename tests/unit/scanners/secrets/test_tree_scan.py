"""Trees shared between this process and worker processes give exactly what one process
gives: findings, skips, errors and the count of files scanned, also when a worker dies."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lockgate.model import TargetRef
from lockgate.scanners.interface import Cancelled, ControlOutput, ScanContext
from lockgate.scanners.secrets import tree_scan, workers
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.scanners.secrets.dispatch import ChunkQueue
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.sources.filesystem import FilesystemSource
from tests.unit.scanners.secrets._sharing import Shares, private_pool, token


@pytest.fixture(autouse=True)
def pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[workers.WorkerPool]:
    """Every test with its own workers; any tree is large; small chunks."""
    monkeypatch.setattr(tree_scan, "PARALLEL_MIN_TREE_BYTES", 0)
    monkeypatch.setattr(tree_scan, "CHUNK_FILES", 4)
    yield from private_pool(monkeypatch)


@pytest.fixture
def shares(monkeypatch: pytest.MonkeyPatch) -> Shares:
    return Shares().watch(monkeypatch, ChunkQueue)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """59 files: tokens in some (one token in two files), passwords, binary files (which
    the source leaves out), an archive with a token inside and one too large to read."""
    root = tmp_path / "tree"
    for i in range(40):
        body = f"TOKEN = '{token(i)}'\n" if i % 3 == 0 else f"VALUE = {i}\n"
        (root / f"pkg{i % 5}").mkdir(parents=True, exist_ok=True)
        (root / f"pkg{i % 5}" / f"m{i}.py").write_text(body * (1 + i % 4))
    (root / "copy.py").write_text(f"again = '{token(3)}'\n")
    for i in range(10):
        (root / f"p{i}.cfg").write_text(f"password = 'Vb7#kQ2!pLm{i}'\n")
    for i in range(6):
        (root / f"blob{i}.bin").write_bytes(b"\x00\x01binary" * 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner/settings.py", f"T = '{token(99)}'\n")
    (root / "bundle.zip").write_bytes(buffer.getvalue())
    (root / "huge.zip").write_bytes(buffer.getvalue() + b"\x00" * 5000)
    return root


def _scan(rule_set: RuleSet, root: Path, tmp_path: Path, **options: object) -> ControlOutput:
    with FilesystemSource(root, use_gitignore=False).open() as workspace:
        context = ScanContext(
            workspace=workspace,
            files=workspace.files,
            options={"max_archive_size": 4000, **options},
            cache_dir=tmp_path / "cache",
            cancel=threading.Event(),
        )
        return SecretsControl(rule_set).scan(context)


def _summary(out: ControlOutput) -> tuple[Any, ...]:
    findings = [
        (f.fingerprint, f.rule_id, f.location and f.location.path, f.properties)
        for f in out.findings
    ]
    return (
        findings,
        [(s.path, s.reason, s.detail) for s in out.skipped],
        [(e.path, e.message) for e in out.errors],
        out.files_scanned,
    )


def test_workers_find_exactly_what_one_process_finds(
    rule_set: RuleSet, tree: Path, tmp_path: Path, pool: workers.WorkerPool, shares: Shares
) -> None:
    shares.worker_started.set()
    alone = _scan(rule_set, tree, tmp_path, jobs=1)
    assert pool.idle() == []
    shares.worker_started.clear()
    shares.counts.clear()
    shared = _scan(rule_set, tree, tmp_path, jobs=3)
    assert shares.by_workers > 0
    assert len(pool.idle()) == 2  # ready for the next run
    assert _summary(shared) == _summary(alone)
    findings, skipped, errors, scanned = _summary(alone)
    assert len(findings) == 14 + 1 + 10 + 1  # tokens (one copied), passwords, in bundle.zip
    assert [s[0] for s in skipped] == ["huge.zip"]  # binary files: left out by the source
    assert errors == []
    assert scanned == 40 + 1 + 10 + 1  # .py, copy.py, .cfg, bundle.zip


def test_a_worker_that_dies_has_its_chunks_scanned_here(
    rule_set: RuleSet,
    tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pool: workers.WorkerPool,
    shares: Shares,
) -> None:
    shares.worker_started.set()
    expected = _summary(_scan(rule_set, tree, tmp_path, jobs=1))
    shares.worker_started.clear()
    leased: list[workers.Worker] = []
    real_lease = pool.lease

    def lease(count: int) -> list[workers.Worker]:
        leased.extend(real_lease(count))
        return leased

    real_take = ChunkQueue.take
    killed: list[int] = []

    def take_then_die(self: ChunkQueue[Any], reader: int, timeout: float | None = None) -> Any:
        chunk = real_take(self, reader, timeout)
        if reader and chunk and not killed:
            leased[0].proc.kill()  # dies with its first chunk
            killed.append(reader)
        return chunk

    monkeypatch.setattr(pool, "lease", lease)
    monkeypatch.setattr(ChunkQueue, "take", take_then_die)
    assert _summary(_scan(rule_set, tree, tmp_path, jobs=2)) == expected
    assert killed == [1]
    assert pool.idle() == []


def test_staged_and_small_scans_stay_in_one_process(
    rule_set: RuleSet, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_workers(count: int) -> list[workers.Worker]:
        raise AssertionError("no worker should start")

    monkeypatch.setattr(workers.POOL, "lease", no_workers)
    with FilesystemSource(tree, use_gitignore=False).open() as workspace:
        files = tuple(f for f in workspace.files if f.path in ("copy.py", "pkg3/m3.py"))
        staged = ScanContext(
            workspace=workspace.__class__(
                root=workspace.root,
                target=TargetRef(kind="directory", name="t"),
                files=files,
                changed_lines={"copy.py": frozenset({1})},
            ),
            files=files,
            options={"jobs": 4},
            cache_dir=tmp_path / "cache",
            cancel=threading.Event(),
        )
        found = SecretsControl(rule_set).scan(staged).findings
    assert [f.location.path for f in found if f.location] == ["copy.py"]
    monkeypatch.setattr(tree_scan, "PARALLEL_MIN_TREE_BYTES", 1 << 40)
    assert _scan(rule_set, tree, tmp_path, jobs=4).findings


def test_a_small_scan_loads_none_of_the_worker_machinery(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f"k = '{token(1)}'\n")
    probe = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from lockgate.scanners.interface import ScanContext\n"
        "from lockgate.scanners.secrets.control import SecretsControl\n"
        "from lockgate.sources.filesystem import FilesystemSource\n"
        f"with FilesystemSource(Path({str(tmp_path)!r})).open() as ws:\n"
        "    ctx = ScanContext(workspace=ws, files=ws.files, options={'jobs': 4},\n"
        f"                      cache_dir=Path({str(tmp_path / 'cache')!r}),\n"
        "                      cancel=threading.Event())\n"
        "    assert SecretsControl().scan(ctx).files_scanned == 1\n"
        "names = ('multiprocessing', 'lockgate.scanners.secrets.workers',\n"
        "         'lockgate.scanners.secrets.dispatch', 'lockgate.sources.history')\n"
        "print(','.join(n for n in names if n in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""


def test_a_cancelled_tree_scan_stops_its_workers(
    rule_set: RuleSet, tree: Path, tmp_path: Path, pool: workers.WorkerPool
) -> None:
    cancel = threading.Event()
    cancel.set()
    with FilesystemSource(tree, use_gitignore=False).open() as workspace:
        context = ScanContext(
            workspace=workspace,
            files=workspace.files,
            options={"jobs": 3},
            cache_dir=tmp_path / "cache",
            cancel=cancel,
        )
        with pytest.raises(Cancelled):
            SecretsControl(rule_set).scan(context)
    assert pool.idle() == []
