"""Snyk Open Source and Snyk Code: one finding per issue and package version with all its
dependency paths, license issues as license findings, Snyk ignores kept as suppressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from lockgate.model import FindingKind, Severity
from lockgate.model.fingerprint import license_fingerprint
from tests.unit.importers import fixture, imported, manifest, purl


def _by_rule() -> dict[str, Any]:
    return {f.rule_id: f for f in imported("snyk/test.json").findings}


def test_an_issue_on_several_paths_is_one_finding_listing_them() -> None:
    lodash = _by_rule()["snyk/SNYK-JS-LODASH-1040724"]
    assert (lodash.kind, lodash.severity) == (FindingKind.VULNERABILITY, Severity.HIGH)
    assert purl(lodash) == "pkg:npm/lodash@4.17.20"
    assert manifest(lodash) == "web/package-lock.json"
    assert lodash.component is not None
    assert lodash.component.dependency_paths == (
        ("lodash@4.17.20",),
        ("express-validator@6.9.2", "lodash@4.17.20"),
    )
    assert lodash.component.direct is True
    assert lodash.identifiers == (
        "CVE-2021-23337",
        "GHSA-35jh-r3h4-6jhm",
        "SNYK-JS-LODASH-1040724",
    )
    assert lodash.cwe == ("CWE-78",)
    assert lodash.prop("advisory_id") == "GHSA-35jh-r3h4-6jhm"
    assert "https://security.snyk.io/vuln/SNYK-JS-LODASH-1040724" in lodash.references


def test_license_issues_are_license_findings() -> None:
    forge = _by_rule()["snyk/snyk:lic:npm:node-forge:GPL-2.0"]
    assert forge.kind is FindingKind.LICENSE
    assert forge.fingerprint == license_fingerprint(
        purl_without_version="pkg:npm/node-forge", license_id="GPL-2.0"
    )


def test_issues_ignored_in_snyk_stay_visible_as_suppressed() -> None:
    semver = _by_rule()["snyk/SNYK-JS-SEMVER-3247795"]
    assert semver.prop("suppressed") == (
        "ignored in Snyk: only used at build time (until 2024-06-30T00:00:00.000Z)"
    )


def test_a_snyk_error_instead_of_results_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "snyk.json"
    path.write_text(
        json.dumps(
            {
                "ok": False,
                "error": "Could not detect supported target files in /src",
                "path": "/src",
            }
        )
    )
    with pytest.raises(ReportFormatError, match="Could not detect supported target files"):
        load_report(path)


def test_all_projects_output_keeps_the_projects_that_worked(tmp_path: Path) -> None:
    project = json.loads(fixture("snyk/test.json").read_text())
    failed = {"ok": False, "error": "missing node_modules", "path": "/src/admin"}
    path = tmp_path / "all.json"
    path.write_text(json.dumps([project, failed]))
    report = load_report(path)
    assert report.tool == "snyk"
    assert len(report.findings) == 4
    (error,) = report.errors
    assert "missing node_modules" in error.message


def test_snyk_code_sarif_is_namespaced_as_snyk_with_suppressions() -> None:
    report = imported("snyk/code.sarif")
    assert report.tool == "snyk"
    assert {f.rule_id for f in report.findings} == {"snyk/javascript/Sqli"}
    assert {f.kind for f in report.findings} == {FindingKind.SAST}
    admin = next(f for f in report.findings if f.location and "admin" in f.location.path)
    assert admin.prop("suppressed") == (
        "SARIF suppression (external): admin-only endpoint behind VPN; tracked in SEC-412"
    )
    assert admin.cwe == ("CWE-89",)
