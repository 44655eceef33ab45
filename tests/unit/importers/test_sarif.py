"""SARIF 2.1.0 from any tool, and lockgate's own SARIF imported back as the findings it was
made from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lockgate.importers.registry import load_report
from lockgate.model import FindingKind, Severity, Stage
from lockgate.reporters import RenderOptions
from lockgate.reporters.sarif import SarifReporter
from tests.helpers.sample_reports import EXCEPTION_ID, FP_VULN, sample
from tests.unit.importers import imported

SQLI = "sarif/codeql/py/sql-injection"
LOGGING = "sarif/codeql/py/clear-text-logging-sensitive-data"


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _log(results: list[dict[str, Any]], **driver: Any) -> dict[str, Any]:
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "Acme Scan", **driver}}, "results": results}],
    }


def test_lockgate_sarif_imports_back_as_the_same_findings(tmp_path: Path) -> None:
    report, decision = sample()
    text = SarifReporter().render(report, decision, RenderOptions(tool_version="0.1.0"))
    back = load_report(_write(tmp_path / "lockgate.sarif", json.loads(text)))
    assert back.source_tool == "lockgate"
    original = {f.fingerprint: f for f in report.findings}
    assert {f.fingerprint for f in back.findings} == set(original)
    for finding in back.findings:
        source = original[finding.fingerprint]
        assert finding.rule_id == source.rule_id
        assert finding.kind is source.kind
        assert finding.severity is source.severity
        assert finding.stage is source.stage
        assert finding.identifiers == source.identifiers
        assert finding.prop("original_control") == source.control_id
    vuln = next(f for f in back.findings if f.fingerprint == FP_VULN)
    assert vuln.component is not None and vuln.component.purl == "pkg:pypi/requests@2.19.0"
    suppressed = [f for f in back.findings if f.prop("suppressed")]
    assert suppressed and all(EXCEPTION_ID in (f.prop("suppressed") or "") for f in suppressed)


def test_codeql_rules_in_extensions_give_severity_and_cwe() -> None:
    by_rule = {f.rule_id: f for f in imported("sarif/codeql.sarif").findings}
    sqli = by_rule[SQLI]
    assert (sqli.kind, sqli.stage, sqli.severity) == (FindingKind.SAST, Stage.CODE, Severity.HIGH)
    assert sqli.cwe == ("CWE-89",)
    assert by_rule[LOGGING].cwe == ("CWE-312", "CWE-359", "CWE-532")
    assert sqli.prop("partial_fingerprint.primaryLocationLineHash") == "2c0f4e1a3b5d7f90:1"
    assert sqli.prop("sarif_tool") == "CodeQL"


def test_uri_base_ids_and_file_uris_become_relative_paths() -> None:
    paths = {
        f.rule_id: f.location.path for f in imported("sarif/codeql.sarif").findings if f.location
    }
    assert paths == {SQLI: "app/db.py", LOGGING: "app/auth.py"}


def test_suppressed_fixed_and_outside_results() -> None:
    report = imported("sarif/codeql.sarif")
    logging = next(f for f in report.findings if f.rule_id == LOGGING)
    assert logging.prop("suppressed") == (
        "SARIF suppression (inSource): logs a masked value; see mask_password()"
    )
    details = [s.detail for s in report.skipped]
    assert details == [
        "runs[0].results[2]: baselineState is 'absent': the problem is already gone",
        "runs[0].results[3]: the path '../outside/tool.py' climbs out of the scanned tree",
    ]
    (error,) = report.errors
    assert "syntax errors" in error.message


def test_secret_scanner_sarif_keeps_neither_snippet_nor_personal_data() -> None:
    report = imported("sarif/gitleaks.sarif")
    assert {f.kind for f in report.findings} == {FindingKind.SECRET}
    for finding in report.findings:
        assert finding.severity is Severity.HIGH
        assert finding.location is not None and finding.location.snippet is None
        assert finding.location.commit is not None
        assert not any(key.startswith("partial_fingerprint") for key, _ in finding.properties)


def test_levels_map_to_severity_when_no_score_is_given(tmp_path: Path) -> None:
    results = [
        {
            "ruleId": rule,
            "level": level,
            "message": {"text": rule},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/{rule}.c"},
                        "region": {"startLine": 3},
                    }
                }
            ],
        }
        for rule, level in (("a", "error"), ("b", "warning"), ("c", "note"), ("d", "none"))
    ]
    report = load_report(_write(tmp_path / "acme.sarif", _log(results)))
    assert {f.rule_id: f.severity for f in report.findings} == {
        "sarif/acme-scan/a": Severity.HIGH,
        "sarif/acme-scan/b": Severity.MEDIUM,
        "sarif/acme-scan/c": Severity.LOW,
        "sarif/acme-scan/d": Severity.INFO,
    }


def test_url_results_are_dast_findings(tmp_path: Path) -> None:
    result = {
        "ruleId": "missing-hsts",
        "level": "warning",
        "message": {"text": "Strict-Transport-Security header missing"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "https://shop.example.com/login?next=%2F"}
                }
            }
        ],
    }
    (finding,) = load_report(_write(tmp_path / "dast.sarif", _log([result]))).findings
    assert (finding.kind, finding.stage) == (FindingKind.DAST, Stage.TEST)
    assert finding.url == "https://shop.example.com/login?next=%2F"


def test_unknown_entries_are_skipped_not_fatal(tmp_path: Path) -> None:
    results: list[Any] = [
        "not a result",
        {"message": {"text": "no rule"}},
        {"ruleId": "x", "message": {"text": "nowhere"}},
        {"ruleId": "x", "kind": "pass", "message": {"text": "fine"}},
    ]
    report = load_report(_write(tmp_path / "odd.sarif", _log(results)))
    assert report.findings == ()
    assert [s.detail.split(": ", 1)[1] for s in report.skipped] == [
        "the result is not an object",
        "the result names no rule",
        "the result has no file location",
        "the result's kind is 'pass', not a problem",
    ]
