"""Semgrep JSON: SAST findings with CWE and OWASP, ignored results suppressed, Semgrep's own
errors kept, and identities that survive line moves even without matched lines."""

from __future__ import annotations

import json
from pathlib import Path

from lockgate.importers.registry import load_report
from lockgate.model import Confidence, FindingKind, Severity, Stage
from tests.unit.importers import fixture, imported

SQLI = (
    "semgrep/python.django.security.injection.sql.sql-injection-using-db-cursor-execute"
    ".sql-injection-db-cursor-execute"
)
SHELL = "semgrep/python.lang.security.audit.subprocess-shell-true.subprocess-shell-true"


def _data() -> dict[str, object]:
    data: dict[str, object] = json.loads(fixture("semgrep/report.json").read_text())
    return data


def _load(tmp_path: Path, data: object) -> list[object]:
    path = tmp_path / "semgrep.json"
    path.write_text(json.dumps(data))
    return list(load_report(path).findings)


def test_results_become_sast_findings_with_cwe_owasp_and_severity() -> None:
    report = imported("semgrep/report.json")
    assert report.tool_version == "1.56.0"
    sqli = next(f for f in report.findings if f.rule_id == SQLI)
    assert (sqli.kind, sqli.stage, sqli.severity) == (FindingKind.SAST, Stage.CODE, Severity.HIGH)
    assert sqli.confidence is Confidence.HIGH
    assert sqli.cwe == ("CWE-89",)
    assert sqli.prop("owasp") == "A01:2017 - Injection; A03:2021 - Injection"
    assert sqli.location is not None
    assert sqli.location.display() == "app/db.py:42:5"
    assert "cursor.execute" in (sqli.location.snippet or "")


def test_warning_is_medium_and_nosemgrep_is_suppressed() -> None:
    debug = next(f for f in imported("semgrep/report.json").findings if "debug" in f.rule_id)
    assert debug.severity is Severity.MEDIUM
    assert debug.prop("suppressed") == "nosemgrep comment in the code"
    assert debug.location is not None and debug.location.path == "app/main.py"


def test_semgrep_errors_are_kept_with_file_and_line() -> None:
    (error,) = imported("semgrep/report.json").errors
    assert (error.path, error.line, error.fatal) == ("legacy/py2_module.py", 14, False)
    assert error.message.startswith("Semgrep warn: PartialParsing: Syntax error")


def test_matches_without_lines_are_told_apart_and_survive_line_moves(tmp_path: Path) -> None:
    shell = [f for f in imported("semgrep/report.json").findings if f.rule_id == SHELL]
    assert len(shell) == 2 and shell[0].fingerprint != shell[1].fingerprint
    data = _data()
    for result in data["results"]:  # type: ignore[attr-defined]
        result["start"]["line"] += 10
        result["end"]["line"] += 10
    moved = {f.fingerprint for f in _load(tmp_path, data)}  # type: ignore[attr-defined]
    assert moved == {f.fingerprint for f in imported("semgrep/report.json").findings}


def test_other_code_under_the_same_rule_is_another_finding(tmp_path: Path) -> None:
    data = _data()
    data["results"][0]["extra"]["lines"] = "    cursor.execute(q % order_id)"  # type: ignore[index]
    changed = {f.rule_id: f.fingerprint for f in _load(tmp_path, data)}  # type: ignore[attr-defined]
    original = {f.rule_id: f.fingerprint for f in imported("semgrep/report.json").findings}
    assert changed[SQLI] != original[SQLI]


def test_a_result_without_check_id_is_skipped(tmp_path: Path) -> None:
    data = {"results": [{"path": "a.py"}], "errors": [], "paths": {"scanned": []}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    report = load_report(path, "semgrep")
    assert report.findings == ()
    assert report.skipped[0].detail == "results[0]: not a Semgrep result (no check_id)"
