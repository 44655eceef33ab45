"""Gitleaks JSON: each leak a secret finding at the code stage, the raw value never kept."""

from __future__ import annotations

import json
from pathlib import Path

from lockgate.importers.registry import load_report
from lockgate.model import Confidence, Finding, FindingKind, Severity, Stage
from tests.unit.importers import imported, location


def _by_rule(name: str = "gitleaks/report.json") -> dict[str, Finding]:
    return {f.rule_id: f for f in imported(name).findings}


def test_leaks_become_secret_findings_with_location_commit_and_cwe() -> None:
    report = imported("gitleaks/report.json")
    assert sorted(f.rule_id for f in report.findings) == [
        "gitleaks/aws-access-token",
        "gitleaks/generic-api-key",
        "gitleaks/github-pat",
    ]
    pat = next(f for f in report.findings if f.rule_id == "gitleaks/github-pat")
    assert (pat.kind, pat.stage, pat.severity) == (FindingKind.SECRET, Stage.CODE, Severity.HIGH)
    assert pat.confidence is Confidence.MEDIUM
    assert pat.control_id == "import-gitleaks"
    assert pat.cwe == ("CWE-798",)
    assert pat.location is not None
    assert location(pat).display() == "scripts/release.sh:12:14"
    assert pat.location.commit == "9b1c7d2e5f3a4b6c8d0e1f2a3b4c5d6e7f8091a2"
    assert location(pat).snippet == "GH_TOKEN=ghp_…"
    assert (pat.prop("gitleaks_fingerprint") or "").endswith(":scripts/release.sh:github-pat:12")


def test_the_same_key_twice_in_a_file_is_one_finding_listing_the_other_line() -> None:
    report = imported("gitleaks/report.json")
    aws = [f for f in report.findings if f.rule_id == "gitleaks/aws-access-token"]
    assert len(aws) == 1
    assert aws[0].location is not None and aws[0].location.start_line == 3
    assert aws[0].prop("also_at_lines") == "9"


def test_an_entry_without_a_rule_is_skipped_with_the_reason() -> None:
    (skip,) = imported("gitleaks/report.json").skipped
    assert skip.detail == "[4]: not a Gitleaks leak (no RuleID and Secret)"


def test_a_redacted_report_still_gives_a_stable_identity_but_no_value_hash() -> None:
    (finding,) = imported("gitleaks/redacted.json").findings
    assert finding.prop("identity") == "redacted-match"
    assert finding.prop("value_hash") is None
    assert finding.location is not None and location(finding).snippet == "SLACK_TOKEN=REDACTED"
    assert imported("gitleaks/redacted.json").findings[0].fingerprint == finding.fingerprint


def test_moving_the_leak_within_its_file_keeps_the_fingerprint(tmp_path: Path) -> None:
    leaks = json.loads(Path(imported("gitleaks/report.json").source).read_text())
    before = load_report(_write(tmp_path / "a.json", leaks[:1]), "gitleaks")
    leaks[0]["StartLine"] = leaks[0]["EndLine"] = 40
    after = load_report(_write(tmp_path / "b.json", leaks[:1]), "gitleaks")
    assert before.findings[0].fingerprint == after.findings[0].fingerprint
    leaks[0]["File"] = "deploy/prod.env"
    moved = load_report(_write(tmp_path / "c.json", leaks[:1]), "gitleaks")
    assert moved.findings[0].fingerprint != before.findings[0].fingerprint


def test_gitleaks_finding_nothing_imports_as_nothing(tmp_path: Path) -> None:
    assert load_report(_write(tmp_path / "empty.json", []), "gitleaks").findings == ()
    blank = tmp_path / "blank.json"
    blank.write_text("\n")
    assert load_report(blank, "gitleaks").findings == ()


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
