"""Bandit JSON: SAST findings under ``bandit/<test id>``, the flagged line as snippet, and
Bandit's parse failures kept as errors."""

from __future__ import annotations

import json
from pathlib import Path

from lockgate.importers.bandit import flagged_line
from lockgate.importers.registry import load_report
from lockgate.model import Confidence, FindingKind, Severity, Stage
from tests.unit.importers import fixture, imported


def test_results_become_findings_with_bandit_severity_confidence_and_cwe() -> None:
    report = imported("bandit/report.json")
    sqli = next(f for f in report.findings if f.rule_id == "bandit/B608")
    assert (sqli.kind, sqli.stage) == (FindingKind.SAST, Stage.CODE)
    assert (sqli.severity, sqli.confidence) == (Severity.MEDIUM, Confidence.LOW)
    assert sqli.cwe == ("CWE-89",)
    assert sqli.location is not None
    assert sqli.location.display() == "app/db.py:42:24"
    assert (
        sqli.location.snippet == 'cursor.execute("SELECT * FROM orders WHERE id = %s" % order_id)'
    )
    assert sqli.prop("test_name") == "hardcoded_sql_expressions"
    assert sqli.references == (
        "https://bandit.readthedocs.io/en/1.7.7/plugins/b608_hardcoded_sql_expressions.html",
    )


def test_bandit_parse_failures_are_errors_of_the_import() -> None:
    (error,) = imported("bandit/report.json").errors
    assert error.path == "legacy/py2_module.py"
    assert "syntax error while parsing AST" in error.message


def test_the_flagged_line_is_taken_without_its_number() -> None:
    code = "17     def archive(name):\n18         subprocess.run(cmd, shell=True)\n19 \n"
    assert flagged_line(code, 18) == "        subprocess.run(cmd, shell=True)"
    assert flagged_line(code, 99) == "    def archive(name):"


def test_inserting_lines_above_keeps_every_fingerprint(tmp_path: Path) -> None:
    data = json.loads(fixture("bandit/report.json").read_text())
    for result in data["results"]:
        shifted = []
        for line in result["code"].splitlines():
            number, _, text = line.partition(" ")
            shifted.append(f"{int(number) + 5} {text}")
        result["code"] = "\n".join(shifted) + "\n"
        result["line_number"] += 5
        result["line_range"] = [n + 5 for n in result["line_range"]]
    path = tmp_path / "bandit.json"
    path.write_text(json.dumps(data))
    before = {f.fingerprint for f in imported("bandit/report.json").findings}
    assert {f.fingerprint for f in load_report(path).findings} == before
