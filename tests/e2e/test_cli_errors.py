"""Bad input as users meet it: exit code 2 and a message naming the problem and the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Result
from tests.helpers.controls import PatternControl


@pytest.fixture(autouse=True)
def _controls(with_controls: Callable[..., None]) -> None:
    with_controls(PatternControl())


def test_missing_path(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path / "nowhere"))
    assert result.code == 2
    assert "nowhere" in result.err and "does not exist" in result.err


def test_staged_outside_a_git_repository(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path), "--staged")
    assert result.code == 2
    assert "--staged needs a git repository" in result.err and str(tmp_path) in result.err


def test_since_with_an_unknown_ref(cli: Callable[..., Result], repo: Path) -> None:
    from tests.e2e.conftest import git

    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "c")
    result = cli("scan", str(repo), "--since", "no-such-branch")
    assert result.code == 2 and "no-such-branch" in result.err


def test_invalid_configuration(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "lockgate.toml").write_text("[scan]\nworkers = 2\n[gate]\nwarn = 'LOUD'\n")
    result = cli("scan", str(tmp_path))
    assert result.code == 2
    assert f"{tmp_path / 'lockgate.toml'}:4:" in result.err and "gate.warn" in result.err


def test_unknown_configuration_key_suggests(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "lockgate.toml").write_text("[scan]\nworkrs = 2\n")
    result = cli("scan", str(tmp_path))
    assert result.code == 2 and "did you mean 'workers'" in result.err


def test_configuration_for_an_unknown_control(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "lockgate.toml").write_text("[controls.patern]\ntimeout = 5\n")
    result = cli("scan", str(tmp_path))
    assert result.code == 2 and "did you mean 'pattern'" in result.err
    assert ":1:" in result.err


def test_corrupt_baseline(cli: Callable[..., Result], tmp_path: Path) -> None:
    baseline = tmp_path / "base.json"
    baseline.write_text('{"report": {"run_id": 3}}')
    result = cli("scan", str(tmp_path), "--baseline", str(baseline))
    assert result.code == 2
    assert "corrupt baseline report" in result.err and str(baseline) in result.err
    baseline.write_text("{not json")
    assert "not JSON" in cli("scan", str(tmp_path), "--baseline", str(baseline)).err


def test_unreadable_baseline(cli: Callable[..., Result], tmp_path: Path) -> None:
    folder = tmp_path / "a-directory.json"
    folder.mkdir()
    result = cli("scan", str(tmp_path), "--baseline", str(folder))
    assert result.code == 2
    assert "cannot read baseline report" in result.err and str(folder) in result.err


def test_missing_report_for_regate(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("gate", "--report", str(tmp_path / "r.json"))
    assert result.code == 2 and "report not found" in result.err


def test_exceptions_file_with_a_bad_date(cli: Callable[..., Result], tmp_path: Path) -> None:
    exceptions = tmp_path / ".lockgate" / "exceptions.toml"
    exceptions.parent.mkdir()
    exceptions.write_text(
        '[[exception]]\nrule = "x/*"\nreason = "r"\nowner = "o"\nexpires = "2027-13-45"\n'
    )
    result = cli("scan", str(tmp_path))
    assert result.code == 2
    assert f"{exceptions}:5" in result.err and "expires" in result.err


def test_bad_rego_policy(cli: Callable[..., Result], tmp_path: Path) -> None:
    policy = tmp_path / ".lockgate" / "policy" / "bad.rego"
    policy.parent.mkdir(parents=True)
    policy.write_text("package main\n\ndeny contains msg if {\n")
    result = cli("scan", str(tmp_path))
    assert result.code == 2 and "bad.rego" in result.err


def test_unknown_format(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path), "--format", "sarf")
    assert result.code == 2 and "did you mean 'sarif'" in result.err


def test_unknown_stage_flag(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path), "--stage", "biuld")
    assert result.code == 2 and "did you mean 'build'" in result.err


def test_unwritable_output(cli: Callable[..., Result], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("scan", str(tmp_path), "--format", f"json={blocker}/r.json")
    assert result.code == 2 and "cannot write json output" in result.err


def test_no_command_prints_help(cli: Callable[..., Result]) -> None:
    result = cli()
    assert result.code == 2 and "scan" in result.out


def test_writing_to_a_device_keeps_the_device(cli: Callable[..., Result], tmp_path: Path) -> None:
    import os
    import stat
    import threading

    target = tmp_path / "src"
    target.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = cli("scan", str(target), "--format", f"json={fifo}")
    reader.join(timeout=30)
    assert result.code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not replaced by a file
    assert received and '"report"' in received[0]
