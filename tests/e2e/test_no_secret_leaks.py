"""Plant real-format secrets, run every output format, and grep everything lockgate wrote or
printed for the raw values: none may appear (issue 3, "findings")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lockgate.scanners.secrets.matcher import match_text
from lockgate.scanners.secrets.rules import builtin_rules
from tests.e2e.conftest import Result, git

FORMATS = ("json", "sarif", "markdown", "junit", "table")


def planted_examples() -> list[tuple[str, str, str]]:
    """(rule id, example text, raw secret value) for one example of every rule family."""
    chosen: dict[str, tuple[str, str, str]] = {}
    for rule in builtin_rules().rules:
        if rule.family in chosen or rule.paths:
            continue
        for example in rule.example_positives:
            found = [m for m in match_text([rule], example, rule.example_path) if m.rule is rule]
            if found and len(found[0].value) >= 12:
                chosen[rule.family] = (rule.id, example, found[0].value)
                break
    return list(chosen.values())


def test_raw_secret_values_never_reach_any_output(
    cli: Callable[..., Result], repo: Path, tmp_path: Path
) -> None:
    planted = planted_examples()
    assert len(planted) >= 40
    for i, (_rule, example, _value) in enumerate(planted):
        (repo / f"f{i:03d}.txt").write_text(f"# planted\n{example}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "planted")
    out = tmp_path / "out"
    args = ["scan", str(repo), "--branch", "main", "--history", "--verbose"]
    for name in FORMATS:
        args += ["--format", f"{name}={out}/report.{name}"]
    result = cli(*args)
    assert result.code == 1
    produced = {name: (out / f"report.{name}").read_text() for name in FORMATS}
    produced["stdout"] = result.out
    produced["stderr"] = result.err
    assert '"rule_id": "secrets/' in produced["json"]
    found_families = produced["json"].count('"kind": "secret"')
    assert found_families >= len(planted) * 0.9
    leaks = [
        (rule, where)
        for rule, _example, value in planted
        for where, text in produced.items()
        if value in text
    ]
    assert leaks == []
