"""The CLI end to end: the gate blocking, warning, passing, and saying why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lockgate.model import Severity
from tests.e2e.conftest import Result, git, run_process
from tests.helpers.controls import CrashingControl, HangingControl, PatternControl
from tests.helpers.schemas import validate_native, validate_sarif

APP = "import os\n\ndef run(cmd):\n    return eval(cmd)\n"


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_high_finding_blocks_main_and_warns_on_a_feature_branch(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    target = tree(tmp_path / "t", {"app.py": APP})
    blocked = cli("scan", str(target), "--branch", "main", "--color", "never")
    assert blocked.code == 1
    assert "pattern/match" in blocked.out and "app.py:4" in blocked.out
    assert "BLOCKED" in blocked.err or "block" in blocked.out.lower()
    warned = cli("scan", str(target), "--branch", "feature/x")
    assert warned.code == 0


def test_machine_outputs_validate_and_go_where_asked(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    target = tree(tmp_path / "t", {"app.py": APP})
    out = tmp_path / "out"
    result = cli(
        "scan",
        str(target),
        "--branch",
        "main",
        "--format",
        "json",
        "--format",
        f"sarif={out}/r.sarif",
        "--format",
        f"markdown={out}/pr.md",
        "--format",
        f"junit={out}/junit.xml",
    )
    assert result.code == 1
    document = json.loads(result.out)
    validate_native(document)
    assert document["decision"]["verdict"] == "fail"
    validate_sarif(json.loads((out / "r.sarif").read_text()))
    assert (out / "pr.md").read_text().lstrip().startswith(("❌", "#", "**"))
    assert "<testsuites" in (out / "junit.xml").read_text()
    assert "gate BLOCKED" in result.err


def test_two_outputs_on_stdout_is_a_usage_error(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    result = cli("scan", str(tmp_path), "--format", "json", "--format", "sarif")
    assert result.code == 2 and "would all write to standard output" in result.err


def test_a_crashing_control_fails_closed_on_main_and_keeps_other_findings(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(CrashingControl(), PatternControl(severity=Severity.LOW))
    target = tree(tmp_path / "t", {"app.py": APP})
    result = cli("scan", str(target), "--branch", "main", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    validate_native(document)
    results = {r["control_id"]: r for r in document["report"]["results"]}
    assert results["crasher"]["status"] == "error"
    assert results["crasher"]["errors"][0]["kind"] == "crash"
    assert len(results["pattern"]["findings"]) == 1
    reasons = [r for s in document["decision"]["stages"] for r in s.get("reasons", [])]
    assert any(r["code"] == "control-error" and r["control_id"] == "crasher" for r in reasons)
    feature = cli("scan", str(target), "--branch", "feature/x", "--format", "json")
    assert feature.code == 0
    assert json.loads(feature.out)["decision"]["verdict"] == "warn"


def test_a_hanging_control_times_out(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(HangingControl())
    result = cli("scan", str(tmp_path), "--branch", "main", "--timeout", "0.3", "--format", "json")
    assert result.code == 1
    (control,) = json.loads(result.out)["report"]["results"]
    assert control["status"] == "timeout"


def test_baseline_makes_existing_findings_not_block(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    target = tree(tmp_path / "t", {"app.py": APP})
    base = tmp_path / "base.json"
    assert cli("scan", str(target), "--branch", "main", "--format", f"json={base}").code == 1
    (target / "app.py").write_text("# moved down\n\n\n" + APP)
    again = cli(
        "scan", str(target), "--branch", "main", "--baseline", str(base), "--format", "json"
    )
    assert again.code == 0
    decision = json.loads(again.out)["decision"]
    assert [f["status"] for f in decision["findings"]] == ["existing"]
    (target / "lib.py").write_text("def g():\n    eval(x)\n")
    new = cli("scan", str(target), "--branch", "main", "--baseline", str(base))
    assert new.code == 1


def test_since_compares_with_the_merge_base(
    cli: Callable[..., Result], with_controls: Callable[..., None], repo: Path
) -> None:
    with_controls(PatternControl())
    tree(repo, {"app.py": APP, "other.py": "x = 1\n"})
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    # Line 4 changes only in spacing (the same finding, now on a changed line); a new one
    # is added.
    (repo / "app.py").write_text(
        APP.replace("return eval(cmd)", "return  eval(cmd)")
        + "\ndef more(y):\n    return eval(y)\n"
    )
    git(repo, "commit", "-qam", "feature")
    result = cli("scan", str(repo), "--since", "main", "--branch", "main", "--format", "json")
    document = json.loads(result.out)
    statuses = sorted(f["status"] for f in document["decision"]["findings"])
    assert statuses == ["existing", "new"]
    assert document["report"]["target"]["kind"] == "diff"
    assert result.code == 1  # the new one blocks on main


def test_staged_scans_the_index_not_the_working_tree(
    cli: Callable[..., Result], with_controls: Callable[..., None], repo: Path
) -> None:
    with_controls(PatternControl())
    tree(repo, {"app.py": "x = 1\n"})
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "app.py").write_text(APP)
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("x = 2\n")  # working tree differs from the index
    result = cli("scan", str(repo), "--staged", "--branch", "feature/x", "--format", "json")
    findings = json.loads(result.out)["report"]["results"][0]["findings"]
    assert [f["location"]["path"] for f in findings] == ["app.py"]


def test_fail_fast_stops_after_the_first_failing_gate(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    from lockgate.model import Stage

    with_controls(PatternControl(), PatternControl(id="late", stage=Stage.DEPLOY))
    target = tree(tmp_path / "t", {"app.py": APP})
    result = cli("scan", str(target), "--branch", "main", "--fail-fast", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["report"]["stages"] == ["plan", "code"]
    assert "stopped after the code stage" in result.err


def test_stage_only_and_skip(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    from lockgate.model import Stage

    with_controls(PatternControl(), PatternControl(id="late", stage=Stage.DEPLOY))
    target = tree(tmp_path / "t", {"app.py": APP})
    result = cli("scan", str(target), "--stage", "deploy", "--format", "json")
    assert json.loads(result.out)["report"]["stages"] == ["deploy"]
    result = cli("scan", str(target), "--skip", "pattern", "--format", "json")
    statuses = {r["control_id"]: r["status"] for r in json.loads(result.out)["report"]["results"]}
    assert statuses["pattern"] == "deselected"
    bad = cli("scan", str(target), "--only", "patern")
    assert bad.code == 2 and "did you mean 'pattern'" in bad.err


def test_regate_a_stored_report_for_another_branch(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    target = tree(tmp_path / "t", {"app.py": APP})
    stored = tmp_path / "r.json"
    assert cli("scan", str(target), "--branch", "feature/x", "--format", f"json={stored}").code == 0
    assert cli("gate", "--report", str(stored), "--branch", "main").code == 1
    assert cli("gate", "--report", str(stored), "--branch", "feature/y").code == 0


def test_exceptions_suppress_and_expired_ones_are_reported(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl())
    target = tree(
        tmp_path / "t",
        {
            "app.py": APP,
            ".lockgate/exceptions.toml": (
                '[[exception]]\nid = "EXC-1"\nrule = "pattern/*"\nreason = "reviewed"\n'
                'owner = "alice"\nexpires = 2999-01-01\n'
            ),
        },
    )
    result = cli("scan", str(target), "--branch", "main", "--format", "json")
    assert result.code == 0
    (state,) = json.loads(result.out)["decision"]["findings"]
    assert state["status"] == "suppressed" and state["exception_id"] == "EXC-1"
    (target / ".lockgate/exceptions.toml").write_text(
        '[[exception]]\nid = "EXC-1"\nrule = "pattern/*"\nreason = "reviewed"\n'
        'owner = "alice"\nexpires = 2020-01-01\n'
    )
    expired = cli("scan", str(target), "--branch", "main", "--format", "json")
    assert expired.code == 1
    codes = [r["code"] for r in json.loads(expired.out)["decision"].get("reasons", [])]
    assert "exception-expired" in codes


def test_version_and_help_as_a_real_process() -> None:
    version = run_process("--version")
    assert version.returncode == 0 and version.stdout.startswith("lockgate ")
    helped = run_process("scan", "--help")
    assert helped.returncode == 0 and "--staged" in helped.stdout


def test_rego_policy_in_the_repository_decides_too(
    cli: Callable[..., Result], with_controls: Callable[..., None], tmp_path: Path
) -> None:
    with_controls(PatternControl(severity=Severity.LOW))
    target = tree(
        tmp_path / "t",
        {
            "app.py": APP,
            ".lockgate/policy/gate.rego": (
                "package main\n"
                "import rego.v1\n\n"
                "deny_eval_on_protected contains msg if {\n"
                "    input.context.protected\n"
                "    some f in input.findings\n"
                '    f.rule_id == "pattern/match"\n'
                '    msg := sprintf("eval() is not allowed on %s (%s)", '
                "[input.context.branch, f.path])\n"
                "}\n\n"
                'warn_always contains "reviewed by policy" if { true }\n'
            ),
        },
    )
    blocked = cli("scan", str(target), "--branch", "main", "--format", "json")
    assert blocked.code == 1
    reasons = [
        r for s in json.loads(blocked.out)["decision"]["stages"] for r in s.get("reasons", [])
    ]
    deny = [r for r in reasons if r["code"] == "policy-deny"]
    assert deny and deny[0]["policy"] == "main.deny_eval_on_protected"
    assert "eval() is not allowed on main (app.py)" in deny[0]["message"]
    feature = cli("scan", str(target), "--branch", "feature/x", "--format", "json")
    assert feature.code == 0
    assert json.loads(feature.out)["decision"]["verdict"] == "warn"
