"""Worker processes of history scans: their protocol, their end, and what they report."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.scanners.secrets.workers import WorkerPool, main, pack, start_worker, unpack
from tests.unit.sources import Repo, isolate_git


def test_a_worker_ends_when_its_socket_closes() -> None:
    worker = start_worker()
    assert worker.alive()
    worker.conn.close()
    assert worker.proc.wait(timeout=30) == 0


def test_a_worker_given_no_rules_says_so_and_stays_ready(tmp_path: Path) -> None:
    worker = start_worker()
    try:
        for _ in range(2):
            worker.conn.send(("scan", str(tmp_path), 1000, 30.0))
            assert worker.conn.poll(30)
            assert worker.conn.recv() == ("done", [], "no rules were given")
    finally:
        worker.stop()
    assert not worker.alive()


def test_a_worker_asks_for_blobs_reads_and_scans_them(
    rule_set: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_git(monkeypatch)
    repo = Repo.init(tmp_path / "project")
    repo.write("a.py", "k = 'tkn_Zq8XbV2mN4pL7rT1wY9sK3dF'\n")
    repo.write("b.py", "nothing here\n")
    commit = repo.commit("add")
    blobs = [(7, repo.blob_id(f"{commit}:a.py"), "a.py"), (9, repo.blob_id(f"{commit}:b.py"), "b")]
    pool = WorkerPool()
    (worker,) = pool.lease(1)
    conn = worker.conn
    try:
        conn.send(("rules", "k", rule_set, "auto", str(tmp_path / "cache")))
        conn.send(("scan", str(repo.root), 1000, 30.0))
        assert conn.poll(60) and conn.recv() == ("more",)
        conn.send(("work", blobs))
        assert conn.poll(60) and conn.recv() == ("more",)  # little left: it asks again
        conn.send(("end",))
        assert conn.poll(60)
        kind, results, failure = conn.recv()
    finally:
        pool.release([worker], healthy=False)
    assert (kind, failure) == ("done", None)
    ((index, packed),) = results  # b.py has nothing to report
    match = unpack(packed[0], rule_set.rules)
    assert (index, match.rule.id, match.line, match.column) == (7, "test-token", 1, 6)
    assert pool.idle() == []


def test_matches_cross_the_socket_whole(rule_set: RuleSet) -> None:
    rule = rule_set.rules[1]
    match = SecretMatch(
        rule=rule, value="v4lue!", start=3, end=9, line=2, column=4, end_line=2,
        end_column=10, line_text="x = v4lue!", encoding="base64", literal="djRsdWUh",
    )  # fmt: skip
    assert unpack(pack(match, {r.id: i for i, r in enumerate(rule_set.rules)}), rule_set.rules) == (
        match
    )


def test_the_worker_entry_point_needs_its_socket(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_a_worker_never_imports_from_the_directory_it_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A repository under scan that ships its own zlib.py (imported by every worker).
    marker = tmp_path / "imported"
    (tmp_path / "zlib.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.chdir(tmp_path)
    worker = start_worker()
    try:
        worker.conn.send(("scan", str(tmp_path), 1000, 30.0))
        assert worker.conn.poll(30)
        assert worker.conn.recv() == ("done", [], "no rules were given")
    finally:
        worker.stop()
    assert not marker.exists()


def test_stopping_a_worker_wakes_our_thread_reading_from_it_and_it_leaves_by_itself(
    tmp_path: Path,
) -> None:
    worker = start_worker()
    # Once it answers, it is in its loop (a slow start would otherwise count as lingering).
    worker.conn.send(("scan", str(tmp_path), 1000, 30.0))
    assert worker.conn.poll(60) and worker.conn.recv()[0] == "done"
    woke = threading.Event()

    def read() -> None:
        with contextlib.suppress(EOFError, OSError, TypeError, ValueError):
            worker.conn.recv()
        woke.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    worker.stop()
    reader.join(10)
    assert woke.is_set()
    assert worker.proc.returncode == 0  # it read end of file and left; it was not killed


def test_a_worker_that_cannot_read_its_blobs_says_so(rule_set: RuleSet, tmp_path: Path) -> None:
    worker = start_worker()
    conn = worker.conn
    try:
        conn.send(("rules", "k", rule_set, "re", str(tmp_path / "cache")))
        conn.send(("scan", str(tmp_path), 1000, 30.0))
        assert conn.poll(60) and conn.recv() == ("more",)
        conn.send_bytes(b"not a pickle")
        assert conn.poll(60)
        kind, results, failure = conn.recv()
    finally:
        worker.stop()
    assert (kind, results) == ("done", [])
    assert failure is not None and failure.startswith("receiving blobs failed")
