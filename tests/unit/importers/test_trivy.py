"""Trivy JSON: vulnerabilities with components, misconfigurations, censored secrets and
VEX-suppressed findings, from filesystem and image scans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from lockgate.model import Finding, FindingKind, Severity, Stage
from lockgate.model.fingerprint import iac_fingerprint, vulnerability_fingerprint
from tests.unit.importers import fixture, imported, location, manifest, purl


def _by_rule(name: str = "trivy/fs.json") -> dict[str, Finding]:
    return {f.rule_id: f for f in imported(name).findings}


def test_vulnerabilities_carry_component_manifest_fix_and_cvss() -> None:
    django = _by_rule()["trivy/CVE-2023-31047"]
    assert (django.kind, django.stage, django.severity) == (
        FindingKind.VULNERABILITY,
        Stage.BUILD,
        Severity.CRITICAL,
    )
    assert purl(django) == "pkg:pypi/django@4.1.0"
    assert manifest(django) == "requirements.txt"
    assert django.prop("fixed_versions") == "4.2.2, 4.1.10, 3.2.20"
    assert django.prop("cvss_score") == "9.8"
    assert django.cwe == ("CWE-20",)
    assert django.fingerprint == vulnerability_fingerprint(
        advisory_id="CVE-2023-31047",
        purl_without_version="pkg:pypi/django",
        manifest_path="requirements.txt",
    )


def test_a_package_without_purl_gets_one_built_from_its_type() -> None:
    lodash = _by_rule()["trivy/CVE-2021-23337"]
    assert purl(lodash) == "pkg:npm/lodash@4.17.20"
    assert manifest(lodash) == "web/package-lock.json"
    pyyaml = _by_rule()["trivy/CVE-2020-14343"]
    assert purl(pyyaml) == "pkg:pypi/pyyaml@5.3"


def test_findings_trivy_suppressed_by_vex_stay_visible_as_suppressed() -> None:
    vex = _by_rule()["trivy/CVE-2023-36053"]
    assert vex.prop("suppressed") == (
        "VEX .vex/django.openvex.json: not_affected (vulnerable_code_not_in_execute_path)"
    )
    assert vex.prop("vex_status") == "not_affected"


def test_misconfigurations_are_deploy_findings_identified_by_resource() -> None:
    rules = _by_rule()
    s3 = rules["trivy/AVD-AWS-0086"]
    assert (s3.kind, s3.stage, s3.severity) == (
        FindingKind.MISCONFIG,
        Stage.DEPLOY,
        Severity.HIGH,
    )
    assert location(s3).display() == "infra/main.tf:12"
    assert s3.fingerprint == iac_fingerprint(
        rule_id="trivy/AVD-AWS-0086", path="infra/main.tf", resource="aws_s3_bucket.logs"
    )
    assert "trivy/AVD-DS-0002" in rules
    assert "trivy/AVD-AWS-0089" not in rules  # a PASS is not a finding


def test_secrets_show_only_the_censored_context_and_never_the_code_lines() -> None:
    secret = _by_rule()["trivy/aws-access-key-id"]
    assert secret.kind is FindingKind.SECRET
    assert location(secret).snippet == "AWS_ACCESS_KEY_ID=…"
    assert secret.prop("identity") == "censored-match"


def test_image_scans_use_the_package_database_and_package_paths() -> None:
    report = imported("trivy/image.json")
    assert report.tool_version == "0.50.1"
    assert report.target == "registry.example.com/shop/api:1.8.0"
    by_rule = {f.rule_id: f for f in report.findings}
    openssl = by_rule["trivy/CVE-2023-5363"]
    assert openssl.component is not None and openssl.component.manifest is not None
    assert manifest(openssl) == "lib/apk/db/installed"
    assert purl(openssl).startswith("pkg:apk/alpine/libcrypto3@3.1.1-r1")
    requests = by_rule["trivy/CVE-2023-32681"]
    assert requests.location is not None
    assert requests.location.path.endswith("requests-2.28.1.dist-info/METADATA")


def test_upgrading_to_another_vulnerable_version_keeps_the_identity(tmp_path: Path) -> None:
    data = json.loads(fixture("trivy/fs.json").read_text())
    vuln = data["Results"][0]["Vulnerabilities"][0]
    vuln["InstalledVersion"] = "4.1.5"
    vuln["PkgIdentifier"]["PURL"] = "pkg:pypi/django@4.1.5"
    path = tmp_path / "trivy.json"
    path.write_text(json.dumps(data))
    bumped = {f.rule_id: f.fingerprint for f in load_report(path).findings}
    assert bumped["trivy/CVE-2023-31047"] == _by_rule()["trivy/CVE-2023-31047"].fingerprint


def test_an_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"SchemaVersion": 3, "Results": []}))
    with pytest.raises(ReportFormatError, match="schema version 3 is not supported"):
        load_report(path, "trivy")
