"""Every sample report imports to its reviewed golden, and the import is a valid lockgate
report that renders to valid SARIF: imported findings pass the same gate and outputs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lockgate.importers.interface import ImportedReport
from lockgate.model import ScanReport, TargetRef
from lockgate.model.codec import report_to_json
from lockgate.reporters import RenderOptions
from lockgate.reporters.sarif import SarifReporter
from tests.helpers.schemas import validate_native, validate_sarif
from tests.unit.importers import FIXTURES, check_golden, encode, imported

#: Each sample report and the tool it must be recognised as.
SAMPLES = {
    "bandit/report.json": "bandit",
    "checkov/nothing-scanned.json": "checkov",
    "checkov/report.json": "checkov",
    "cyclonedx/vex.json": "cyclonedx",
    "gitleaks/redacted.json": "gitleaks",
    "gitleaks/report.json": "gitleaks",
    "grype/report.json": "grype",
    "osv-scanner/report.json": "osv-scanner",
    "sarif/codeql.sarif": "sarif",
    "sarif/gitleaks.sarif": "sarif",
    "semgrep/report.json": "semgrep",
    "snyk/code.sarif": "snyk",
    "snyk/test.json": "snyk",
    "trivy/fs.json": "trivy",
    "trivy/image.json": "trivy",
    "trufflehog/results.jsonl": "trufflehog",
    "zap/report.json": "zap",
    "zap/report.xml": "zap",
}
WHEN = dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.UTC)


def as_scan_report(report: ImportedReport, name: str) -> ScanReport:
    results = report.control_results()
    stages = tuple(sorted({r.stage for r in results}, key=lambda s: s.order))
    return ScanReport(
        run_id="01HZX3R5V8Q2K7J9M4N6P1T0AB",
        tool_version="0.1.0",
        target=TargetRef(kind="import", name=name),
        started_at=WHEN,
        finished_at=WHEN,
        stages=stages,
        results=results,
    )


def test_every_sample_report_has_a_golden_test() -> None:
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file()}
    assert on_disk == set(SAMPLES)


@pytest.mark.parametrize(("name", "tool"), sorted(SAMPLES.items()))
def test_golden(name: str, tool: str, update_goldens: bool) -> None:
    report = imported(name)
    assert report.tool == tool, "auto-detection picked another tool"
    assert imported(name, tool) == report, "--tool gives the same import as detection"
    check_golden(f"{name}.import.json", encode(report, name), update_goldens)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_import_is_a_valid_native_report(name: str) -> None:
    validate_native(json.loads(report_to_json(as_scan_report(imported(name), name))))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_import_renders_to_valid_sarif(name: str) -> None:
    report = as_scan_report(imported(name), name)
    text = SarifReporter().render(report, None, RenderOptions(tool_version="0.1.0"))
    validate_sarif(json.loads(text))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_fingerprints_are_unique_and_stable_across_imports(name: str) -> None:
    first = imported(name)
    fingerprints = [f.fingerprint for f in first.findings]
    assert len(fingerprints) == len(set(fingerprints))
    assert [f.fingerprint for f in imported(name).findings] == fingerprints
