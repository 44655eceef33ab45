"""The bandit runner: the real engine over exactly the given Python files, with no
configuration or exclusions taken from the repository, results mapped to matches, and
files that do not parse reported with their line while the others are scanned."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from lockgate.model import Confidence, ErrorKind, Severity
from lockgate.scanners.sast import bandit_runner
from lockgate.scanners.sast._process import Completed, engine_environment, run_engine
from lockgate.scanners.sast._results import EngineRun
from lockgate.scanners.sast.bandit_runner import BanditRunner, BanditSettings, parse_output
from tests.unit.scanners.sast._support import stand_in, write_tree

SHELL = """\
import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)
"""


def _run(root: Path, paths: list[str], **kwargs: object) -> EngineRun:
    runner = kwargs.pop("runner", BanditRunner())
    settings = kwargs.pop("settings", BanditSettings())
    assert isinstance(runner, BanditRunner) and isinstance(settings, BanditSettings)
    return runner.run(
        root=root,
        paths=paths,
        sizes={p: (root / p).stat().st_size for p in paths if (root / p).exists()},
        settings=settings,
        env=engine_environment(root.parent / "home"),
        cancel=threading.Event(),
    )


def test_results_map_to_matches_with_cwe_severity_and_position(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"tools/run.py": SHELL})
    run = _run(root, ["tools/run.py"])
    assert not run.failed
    assert run.version and run.version[0].isdigit()
    shell = next(m for m in run.matches if m.rule_id == "bandit/B602")
    assert (shell.path, shell.start_line, shell.start_col) == ("tools/run.py", 5, 12)
    assert shell.end_col == 44
    assert shell.severity is Severity.HIGH
    assert shell.confidence is Confidence.HIGH
    assert shell.cwe == ("CWE-78",)
    assert shell.test_name == "subprocess_popen_with_shell_equals_true"
    assert shell.remediation.startswith("Pass the program and its arguments as a list")
    assert any("bandit.readthedocs.io" in r for r in shell.references)
    imports = next(m for m in run.matches if m.rule_id == "bandit/B404")
    assert imports.test_name == "import_subprocess"  # not bandit's generic "blacklist"
    assert run.scanned == {"tools/run.py"}


def test_python2_and_newer_syntax_are_per_file_errors_with_lines(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "legacy.py": 'import os\nprint "hello"\nos.system(cmd)\n',
            "modern.py": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
            "ok.py": SHELL,
        },
    )
    run = _run(root, ["legacy.py", "modern.py", "ok.py"])
    assert not run.failed
    errors = {e.path: e for e in run.errors}
    assert set(errors) == {"legacy.py", "modern.py"}
    assert errors["legacy.py"].line == 2
    assert "Missing parentheses in call to 'print'" in errors["legacy.py"].message
    assert errors["modern.py"].line == 1
    assert all(e.kind is ErrorKind.INPUT and not e.fatal for e in errors.values())
    assert {m.path for m in run.matches} == {"ok.py"}
    assert run.scanned == {"ok.py"}


def test_bandits_own_default_excludes_do_not_drop_files(tmp_path: Path) -> None:
    # bandit excludes any path merely containing ".git", "CVS", ".tox" … by default
    paths = [".github/scripts/deploy.py", "src/CVSparser.py", "tox_helpers/.tox_run.py"]
    root = write_tree(tmp_path / "repo", dict.fromkeys(paths, SHELL))
    run = _run(root, paths)
    assert {m.path for m in run.matches if m.rule_id == "bandit/B602"} == set(paths)


def test_no_configuration_is_read_from_the_scanned_repository(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {".bandit": "[bandit]\nskips = B602,B404\n", "app/run.py": SHELL},
    )
    run = _run(root, ["app/run.py"])
    assert "bandit/B602" in {m.rule_id for m in run.matches}


def test_skipped_tests_and_a_named_configuration_are_honoured(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/run.py": SHELL})
    run = _run(root, ["app/run.py"], settings=BanditSettings(skip_tests=("B404",)))
    assert {m.rule_id for m in run.matches} == {"bandit/B602"}
    config = tmp_path / "bandit.yaml"
    config.write_text("skips: ['B602']\n")
    run = _run(root, ["app/run.py"], settings=BanditSettings(config=config))
    assert {m.rule_id for m in run.matches} == {"bandit/B404"}


def test_nosec_comments_do_not_hide_results(tmp_path: Path) -> None:
    code = "import subprocess  # nosec\nsubprocess.call(c, shell=True)  # nosec B602\n"
    root = write_tree(tmp_path / "repo", {"a.py": code})
    run = _run(root, ["a.py"])
    assert {m.rule_id for m in run.matches} == {"bandit/B404", "bandit/B602"}


def test_large_sets_run_in_parallel_groups_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"pkg/m{i}.py": SHELL for i in range(8)}
    root = write_tree(tmp_path / "repo", files)
    single = _run(root, sorted(files), settings=BanditSettings(jobs=1))
    monkeypatch.setattr(bandit_runner, "PARALLEL_MIN_BYTES", 0)
    calls: list[list[str]] = []
    real = run_engine

    def counting(argv: list[str], **kwargs: object) -> Completed:
        calls.append(argv)
        return real(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bandit_runner, "run_engine", counting)
    parallel = _run(root, sorted(files), settings=BanditSettings(jobs=3))
    assert len(calls) == 3
    key = sorted((m.path, m.rule_id, m.start_line) for m in single.matches)
    assert sorted((m.path, m.rule_id, m.start_line) for m in parallel.matches) == key
    assert parallel.scanned == single.scanned == set(files)


def test_malformed_output_is_an_engine_failure(tmp_path: Path) -> None:
    done = Completed(argv=("bandit",), returncode=1, stdout=b'{"results": [', stderr=b"boom")
    run = parse_output(done, root=tmp_path, requested=["a.py"])
    assert run.failure is not None
    assert "without a readable JSON report" in run.failure.message
    assert run.failure.detail == "boom"


def test_a_usage_error_exit_keeps_results_but_reports_it(tmp_path: Path) -> None:
    report = {"errors": [], "results": [], "metrics": {"_totals": {}, "./a.py": {}}}
    done = Completed(argv=("bandit",), returncode=2, stdout=json.dumps(report).encode(), stderr=b"")
    run = parse_output(done, root=tmp_path, requested=["a.py"])
    assert not run.failed
    assert [e.kind for e in run.errors] == [ErrorKind.TOOL]


def test_missing_bandit_is_an_engine_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bandit_runner, "find_executable", lambda name: None)
    root = write_tree(tmp_path / "repo", {"a.py": SHELL})
    run = _run(root, ["a.py"])
    assert run.failure is not None
    assert run.failure.message.startswith("bandit not found")


def test_a_stand_in_bandit_that_crashes_is_an_engine_failure(tmp_path: Path) -> None:
    fake = stand_in(
        tmp_path / "bin",
        "bandit",
        "import sys\nsys.stderr.write('Traceback: boom\\n')\nsys.exit(1)\n",
    )
    root = write_tree(tmp_path / "repo", {"a.py": SHELL})
    run = _run(root, ["a.py"], runner=BanditRunner(fake))
    assert run.failure is not None
    assert "Traceback: boom" in run.failure.detail
