"""The semgrep runner: offline runs of the real engine over exactly the given files, its
JSON turned into matches and located per-file errors, and every way the engine can fail
reported instead of passing silently."""

from __future__ import annotations

import functools
import json
import threading
import time
from pathlib import Path

import pytest

from lockgate.model import Confidence, ErrorKind, Severity
from lockgate.scanners.interface import Cancelled
from lockgate.scanners.sast import semgrep_runner
from lockgate.scanners.sast._process import Completed, chunks, engine_environment, run_engine
from lockgate.scanners.sast._results import EngineRun
from lockgate.scanners.sast.semgrep_runner import (
    SemgrepRunner,
    SemgrepSettings,
    parse_output,
    rule_id_of,
)
from tests.unit.scanners.sast._support import FIXTURE_RULES, stand_in, write_tree

PY_RULES = FIXTURE_RULES / "python"
APP = """\
import subprocess
from flask import request


def view(cur):
    name = request.args["name"]
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    subprocess.call(name, shell=True)
    return eval(name)
"""


def _run(root: Path, paths: list[str], **kwargs: object) -> EngineRun:
    runner = kwargs.pop("runner", SemgrepRunner())
    assert isinstance(runner, SemgrepRunner)
    settings = kwargs.pop("settings", SemgrepSettings(jobs=1))
    assert isinstance(settings, SemgrepSettings)
    return runner.run(
        root=root,
        paths=paths,
        configs=[PY_RULES],
        settings=settings,
        env=engine_environment(root.parent / "home"),
        cancel=threading.Event(),
    )


def _done(stdout: bytes, code: int = 0, stderr: bytes = b"") -> Completed:
    return Completed(argv=("semgrep",), returncode=code, stdout=stdout, stderr=stderr)


def test_results_carry_the_rules_metadata_and_exact_positions(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"app/views.py": APP})
    run = _run(root, ["app/views.py"])
    assert not run.failed
    assert run.version and run.version[0].isdigit()
    assert run.scanned == {"app/views.py"}
    by_rule = {m.rule_id: m for m in run.matches}
    sqli = by_rule["sast/lockgate.python.fixture.sql-injection"]
    assert (sqli.path, sqli.start_line, sqli.start_col) == ("app/views.py", 7, 17)
    assert sqli.severity is Severity.CRITICAL  # metadata.lockgate_severity overrides ERROR
    assert sqli.confidence is Confidence.HIGH
    assert sqli.cwe == ("CWE-89",)
    assert sqli.properties["owasp"] == "A03:2021 - Injection"
    assert sqli.remediation.startswith("Use a parameterised query")
    assert sqli.title == "Request data reaches a SQL statement built as a string."
    shell = by_rule["sast/lockgate.python.fixture.shell-true"]
    assert shell.severity is Severity.HIGH  # ERROR -> HIGH
    assert shell.confidence is Confidence.MEDIUM
    assert by_rule["sast/lockgate.python.fixture.eval"].start_line == 9


def test_only_the_given_files_are_scanned(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n", "b.py": "eval(y)\n"})
    run = _run(root, ["a.py"])
    assert {m.path for m in run.matches} == {"a.py"}
    assert run.scanned == {"a.py"}


def test_paths_that_look_like_options_and_git_ignored_files_are_scanned(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"-x.py": "eval(a)\n", "tests/t.py": "eval(b)\n", ".gitignore": "tests/\n"},
    )
    (root / ".git").mkdir()
    run = _run(root, ["-x.py", "tests/t.py"])
    assert {m.path for m in run.matches} == {"-x.py", "tests/t.py"}


def test_many_files_are_split_across_command_lines_and_results_combined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"pkg/module_{i:02d}.py": f"eval(v{i})\n" for i in range(12)}
    root = write_tree(tmp_path / "repo", files)
    calls: list[int] = []
    real = run_engine

    def counting(argv: list[str], **kwargs: object) -> Completed:
        calls.append(len(argv))
        return real(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(semgrep_runner, "chunks", functools.partial(chunks, budget=80))
    monkeypatch.setattr(semgrep_runner, "run_engine", counting)
    run = _run(root, sorted(files))
    assert len(calls) > 1
    assert {m.path for m in run.matches} == set(files)
    assert run.scanned == set(files)


def test_a_file_that_does_not_parse_is_a_located_error_and_others_go_on(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"broken.py": "def f(x):\n    return eval(x)\n\nclass (:\n   ++\n", "ok.py": "eval(z)\n"},
    )
    run = _run(root, ["broken.py", "ok.py"])
    assert not run.failed
    [error] = run.errors
    assert error.kind is ErrorKind.INPUT and not error.fatal
    assert (error.path, error.line) == ("broken.py", 4)
    assert "only in part" in error.message
    assert {(m.path, m.start_line) for m in run.matches} == {("broken.py", 2), ("ok.py", 1)}


def test_semgrep_ids_prefixed_with_the_config_path_map_back_to_the_rule_id() -> None:
    assert (
        rule_id_of("src.lockgate.scanners.sast.rules.python.lockgate.python.sqli.raw-query")
        == "lockgate.python.sqli.raw-query"
    )
    assert rule_id_of("lockgate.go.xss.template-html") == "lockgate.go.xss.template-html"
    assert rule_id_of("acme.no-os-system") == "acme.no-os-system"


def test_truncated_json_is_an_engine_failure_with_stderr() -> None:
    run = parse_output(
        _done(b'{"results": [{"check_id": "x"', code=0, stderr=b"warning\nfatal: out of disk\n"),
        requested=["a.py"],
    )
    assert run.failure is not None
    assert run.failure.kind is ErrorKind.TOOL
    assert "without a readable JSON report" in run.failure.message
    assert "fatal: out of disk" in run.failure.detail


def test_a_crash_without_output_is_an_engine_failure() -> None:
    run = parse_output(
        _done(b"", code=2, stderr=b"Error: Invalid value for '--timeout'"), requested=[]
    )
    assert run.failure is not None
    assert "exited with code 2" in run.failure.message
    assert "Invalid value" in run.failure.detail


def test_stderr_in_failures_is_bounded() -> None:
    noise = b"".join(b"line %d of a very long traceback\n" % i for i in range(5000))
    run = parse_output(_done(b"", code=139, stderr=noise), requested=[])
    assert run.failure is not None
    assert len(run.failure.detail) <= 2001
    assert "line 4999" in run.failure.detail


def test_rule_timeouts_and_memory_errors_are_per_file_errors_naming_the_rule() -> None:
    report = {
        "version": "1.185.0",
        "results": [],
        "errors": [
            {
                "code": 3,
                "level": "warn",
                "type": "Timeout",
                "rule_id": "lockgate.python.sqli.taint",
                "path": "big.py",
                "message": "Timeout when running lockgate.python.sqli.taint on big.py",
            },
            {"code": 3, "level": "warn", "type": "OutOfMemory", "path": "./huge.py"},
        ],
        "paths": {"scanned": ["big.py", "huge.py"]},
    }
    run = parse_output(_done(json.dumps(report).encode()), requested=["big.py", "huge.py"])
    assert not run.failed
    timeout, memory = sorted(run.errors, key=lambda e: e.path or "")
    assert timeout.path == "big.py" and "timed out" in timeout.message
    assert "lockgate.python.sqli.taint" in timeout.message
    assert memory.path == "huge.py" and "out of memory" in memory.message
    assert all(e.kind is ErrorKind.INPUT and not e.fatal for e in run.errors)


def test_a_killed_core_with_exit_code_0_is_still_a_failure() -> None:
    report = {
        "results": [],
        "errors": [
            {
                "code": 2,
                "level": "error",
                "type": "SemgrepError",
                "message": "Error while running rules: You are seeing this because the engine "
                "was killed. The most common reason this happens is because it used too much "
                "memory.",
            }
        ],
        "paths": {"scanned": []},
    }
    run = parse_output(_done(json.dumps(report).encode(), code=0), requested=["a.py"])
    assert run.failure is not None
    assert run.failure.kind is ErrorKind.TOOL
    assert "engine was killed" in run.failure.message


def test_an_abnormal_exit_with_a_report_keeps_results_and_says_so() -> None:
    report = {
        "results": [
            {
                "check_id": "lockgate.python.x.y",
                "path": "a.py",
                "start": {"line": 1, "col": 1, "offset": 0},
                "end": {"line": 1, "col": 5, "offset": 4},
                "extra": {"message": "m", "severity": "INFO", "metadata": {}},
            }
        ],
        "errors": [{"code": 2, "level": "error", "type": "Fatal error", "message": "core crashed"}],
        "paths": {"scanned": ["a.py"]},
    }
    run = parse_output(_done(json.dumps(report).encode(), code=2), requested=["a.py", "b.py"])
    assert not run.failed
    [match] = run.matches
    assert match.severity is Severity.LOW  # INFO -> LOW
    messages = [e.message for e in run.errors]
    assert any("core crashed" in m for m in messages)
    assert any("exited with code 2" in m for m in messages)
    assert [s.path for s in run.skipped] == ["b.py"]


def test_broken_user_rules_are_a_configuration_failure(tmp_path: Path) -> None:
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("rules:\n  - id: x\n    patern: eval(...)\n")
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    run = SemgrepRunner().run(
        root=root,
        paths=["a.py"],
        configs=[PY_RULES, rules.resolve()],
        settings=SemgrepSettings(),
        env=engine_environment(tmp_path / "home"),
        cancel=threading.Event(),
        user_rules=[rules.resolve()],
    )
    assert run.failure is not None
    assert run.failure.kind is ErrorKind.INPUT
    assert "bad.yaml" in run.failure.message


def test_missing_semgrep_is_an_engine_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semgrep_runner, "find_executable", lambda name: None)
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    run = _run(root, ["a.py"])
    assert run.failure is not None
    assert run.failure.message.startswith("semgrep not found")


def test_a_stand_in_semgrep_that_crashes_is_an_engine_failure(tmp_path: Path) -> None:
    fake = stand_in(
        tmp_path / "bin",
        "semgrep",
        "import sys\nsys.stderr.write('Segmentation fault\\n')\nsys.exit(139)\n",
    )
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    run = _run(root, ["a.py"], runner=SemgrepRunner(fake))
    assert run.failure is not None
    assert run.failure.kind is ErrorKind.TOOL
    assert "139" in run.failure.message
    assert "Segmentation fault" in run.failure.detail


def test_the_engine_runs_offline_with_a_private_home_and_no_semgrep_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.json"
    fake = stand_in(
        tmp_path / "bin",
        "semgrep",
        "import json, os, sys\n"
        f"json.dump({{'argv': sys.argv, 'env': dict(os.environ)}}, open({str(seen)!r}, 'w'))\n"
        "print(json.dumps({'results': [], 'errors': [], 'paths': {'scanned': []}}))\n",
    )
    monkeypatch.setenv("SEMGREP_APP_TOKEN", "secret-token")
    monkeypatch.setenv("SEMGREP_RULES", "p/default")
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    home = tmp_path / "private-home"
    SemgrepRunner(fake).run(
        root=root,
        paths=["a.py"],
        configs=[PY_RULES],
        settings=SemgrepSettings(jobs=3, timeout_per_file=7, max_memory_mb=1234),
        env=engine_environment(home),
        cancel=threading.Event(),
    )
    recorded = json.loads(seen.read_text())
    argv, env = recorded["argv"], recorded["env"]
    for flag in ("--metrics=off", "--disable-version-check", "--oss-only", "--json"):
        assert flag in argv
    assert "--jobs=3" in argv and "--timeout=7" in argv and "--max-memory=1234" in argv
    assert not any(a.startswith(("p/", "r/")) or a == "--config=auto" for a in argv)
    assert argv[-2:] == ["--", "a.py"]
    assert "SEMGREP_APP_TOKEN" not in env and "SEMGREP_RULES" not in env
    assert env["SEMGREP_SEND_METRICS"] == "off"
    assert env["HOME"] == str(home)
    assert env["XDG_CONFIG_HOME"].startswith(str(home))


def test_cancelling_the_control_kills_the_engine_promptly(tmp_path: Path) -> None:
    fake = stand_in(tmp_path / "bin", "semgrep", "import time\ntime.sleep(60)\n")
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        SemgrepRunner(fake).run(
            root=root,
            paths=["a.py"],
            configs=[PY_RULES],
            settings=SemgrepSettings(),
            env=engine_environment(tmp_path / "home"),
            cancel=cancel,
        )
    assert time.monotonic() - started < 10


def test_a_run_past_its_deadline_is_stopped_and_reported(tmp_path: Path) -> None:
    fake = stand_in(tmp_path / "bin", "semgrep", "import time\ntime.sleep(60)\n")
    root = write_tree(tmp_path / "repo", {"a.py": "eval(x)\n"})
    run = _run(root, ["a.py"], runner=SemgrepRunner(fake), settings=SemgrepSettings(timeout=1))
    assert run.failure is not None
    assert "did not finish within 1 s" in run.failure.message
