"""CycloneDX vulnerabilities and VEX: affected components become findings, not_affected and
resolved analyses suppress them, and lockgate's own CycloneDX imports back to the findings
it was made from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lockgate.importers.registry import load_report
from lockgate.model import Severity
from lockgate.reporters import RenderOptions
from lockgate.reporters.cyclonedx import CycloneDxReporter
from tests.conftest import REPO_ROOT
from tests.helpers.sample_reports import FP_VULN, sample
from tests.unit.importers import imported, purl


def _findings() -> list[Any]:
    return list(imported("cyclonedx/vex.json").findings)


def test_affected_components_become_vulnerability_findings() -> None:
    report = imported("cyclonedx/vex.json")
    assert (report.source_tool, report.tool_version) == ("grype", "0.74.5")
    django = next(f for f in _findings() if f.rule_id == "cyclonedx/CVE-2023-31047")
    assert purl(django) == "pkg:pypi/django@4.1.0"
    assert django.severity is Severity.CRITICAL
    assert django.prop("cvss_score") == "9.8"
    assert django.prop("vex_status") == "affected"  # exploitable: stays open
    assert django.prop("suppressed") is None
    assert django.remediation == "Upgrade Django to 4.1.9 or later."
    assert django.cwe == ("CWE-20",)


def test_not_affected_is_suppressed_with_the_justification() -> None:
    babel = next(f for f in _findings() if f.rule_id == "cyclonedx/GHSA-67hx-6x53-jw92")
    assert babel.prop("suppressed") == (
        "CycloneDX VEX: not_affected (code_not_reachable): "
        "Babel only compiles our own sources at build time"
    )
    assert (babel.prop("vex_status"), babel.prop("vex_justification")) == (
        "not_affected",
        "code_not_reachable",
    )


def test_every_listed_version_unaffected_suppresses_too() -> None:
    spring = next(f for f in _findings() if f.rule_id == "cyclonedx/CVE-2022-22965")
    assert spring.prop("suppressed") == "CycloneDX affects: every listed version unaffected"


def test_refs_resolve_through_bom_refs_or_purls_and_unknown_refs_are_skipped() -> None:
    log4j = sorted(purl(f) for f in _findings() if f.rule_id == "cyclonedx/CVE-2021-44228")
    assert log4j == [
        "pkg:golang/github.com/example/unlisted@v1.2.3",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    ]
    (skip,) = imported("cyclonedx/vex.json").skipped
    assert skip.detail == "vulnerabilities[2].affects[2]: unknown component ref 'missing-ref'"


def test_lockgate_cyclonedx_imports_back_with_the_original_fingerprint(tmp_path: Path) -> None:
    report, decision = sample()
    path = tmp_path / "bom.cdx.json"
    path.write_text(
        CycloneDxReporter().render(report, decision, RenderOptions(tool_version="0.1.0"))
    )
    (finding,) = load_report(path).findings
    assert finding.fingerprint == FP_VULN
    assert finding.prop("suppressed") is not None  # the gate waived it: the BOM says not_affected
    assert finding.location is not None and finding.location.path == "requirements.txt"


def test_a_plain_sbom_imports_its_components_and_no_finding(tmp_path: Path) -> None:
    sbom = REPO_ROOT / "tests" / "fixtures" / "sbom" / "cyclonedx-1.6.json"
    report = load_report(sbom, "cyclonedx")
    assert report.findings == ()
    assert report.components
