"""osv-scanner JSON: one finding per group of aliasing advisories, under the id lockgate's
own SCA would choose, so both give the vulnerability the same fingerprint. Checked against
the real OSV records of ../shared/datasets as well."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lockgate.importers.registry import load_report
from lockgate.model import Severity
from lockgate.model.fingerprint import vulnerability_fingerprint
from tests.conftest import shared_dataset
from tests.unit.importers import fixture, imported, manifest, purl


def _by_rule() -> dict[str, Any]:
    return {f.rule_id: f for f in imported("osv-scanner/report.json").findings}


def test_a_group_of_aliases_is_one_finding_under_the_home_database_id() -> None:
    report = imported("osv-scanner/report.json")
    django = [f for f in report.findings if purl(f) == "pkg:pypi/django@4.1.0"]
    assert [f.rule_id for f in django] == ["osv-scanner/PYSEC-2023-61"]
    finding = django[0]
    assert finding.identifiers == ("CVE-2023-31047", "GHSA-jh3w-4vvf-mjgr", "PYSEC-2023-61")
    assert finding.severity is Severity.CRITICAL
    assert finding.prop("severity_source") == "max_severity"
    # What lockgate's SCA control computes for the same package, manifest and advisory.
    assert finding.fingerprint == vulnerability_fingerprint(
        advisory_id="PYSEC-2023-61",
        purl_without_version="pkg:pypi/django",
        manifest_path="requirements.txt",
    )


def test_severity_from_cvss_vectors_when_the_group_has_no_score() -> None:
    jinja = _by_rule()["osv-scanner/GHSA-h5c8-rqwp-cp95"]
    assert jinja.severity is Severity.MEDIUM
    assert jinja.prop("cvss_score") == "5.4"
    assert jinja.cwe == ("CWE-79",)
    assert jinja.remediation == "Upgrade Jinja2 from 3.1.2 to 3.1.3 or later."


def test_scoped_npm_packages_and_source_paths() -> None:
    babel = _by_rule()["osv-scanner/GHSA-67hx-6x53-jw92"]
    assert purl(babel) == "pkg:npm/%40babel/traverse@7.22.5"
    assert manifest(babel) == "web/package-lock.json"
    assert babel.prop("fixed_versions") == "7.23.2, 8.0.0-alpha.4"


def test_packages_known_only_by_commit_are_skipped_with_the_reason() -> None:
    (skip,) = imported("osv-scanner/report.json").skipped
    assert "no name (a git commit?)" in skip.detail


def test_the_older_packageSource_key_is_read(tmp_path: Path) -> None:
    data = json.loads(fixture("osv-scanner/report.json").read_text())
    for result in data["results"]:
        result["packageSource"] = result.pop("source")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    old = load_report(path, "osv-scanner", base=Path("/home/runner/work/shop/shop"))
    assert [f.fingerprint for f in old.findings] == [
        f.fingerprint for f in imported("osv-scanner/report.json").findings
    ]


def _report_of(records: list[dict[str, Any]], ecosystem: str) -> dict[str, Any]:
    packages = []
    for record in records:
        affected = next(
            (a for a in record.get("affected", []) if a.get("package", {}).get("name")), None
        )
        if affected is None:
            continue
        name = affected["package"]["name"]
        packages.append(
            {
                "package": {"name": name, "version": "0.0.1", "ecosystem": ecosystem},
                "vulnerabilities": [record],
            }
        )
    return {
        "results": [{"source": {"path": "/src/lock", "type": "lockfile"}, "packages": packages}]
    }


@pytest.mark.parametrize("ecosystem", ["crates.io", "Go"])
def test_real_osv_records_import_one_finding_each(ecosystem: str, tmp_path: Path) -> None:
    folder = shared_dataset("osv", ecosystem)
    records = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))[:1500]]
    data = _report_of(records, ecosystem)
    path = tmp_path / "osv.json"
    path.write_text(json.dumps(data))
    report = load_report(path, "osv-scanner")
    packages = data["results"][0]["packages"]
    assert len(packages) > 1000
    assert len(report.findings) == len(packages)
    assert report.skipped == ()
    by_id = {f.prop("advisory_id"): f for f in report.findings}
    # The ecosystem's own database (RUSTSEC, GO) is the canonical id, as in lockgate's SCA.
    assert set(by_id) == {
        r["id"] for r in records if any(p["vulnerabilities"][0] is r for p in packages)
    }
    for record in records:
        vectors = [s["score"] for s in record.get("severity", []) if "CVSS" in s.get("type", "")]
        if vectors and record["id"] in by_id:
            assert by_id[record["id"]].severity is not Severity.UNKNOWN, record["id"]
            assert by_id[record["id"]].prop("cvss_vector") in vectors
    fixable = sum(
        any(
            "fixed" in e
            for a in r.get("affected", [])
            for g in a.get("ranges", [])
            for e in g["events"]
        )
        for r in records
    )
    assert sum(1 for f in report.findings if f.prop("fixed_versions")) >= fixable * 0.9
