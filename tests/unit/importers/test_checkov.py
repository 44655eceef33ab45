"""Checkov JSON: failed checks as misconfigurations identified by resource, skipped checks
suppressed with their comment, parse failures kept, secrets redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lockgate.importers.registry import load_report
from lockgate.model import FindingKind, Severity, Stage
from lockgate.model.fingerprint import iac_fingerprint
from tests.unit.importers import fixture, imported, location


def _by_rule() -> dict[str, Any]:
    return {f.rule_id: f for f in imported("checkov/report.json").findings}


def test_failed_checks_are_misconfigurations_identified_by_resource() -> None:
    acl = _by_rule()["checkov/CKV_AWS_20"]
    assert (acl.kind, acl.stage) == (FindingKind.MISCONFIG, Stage.DEPLOY)
    assert acl.severity is Severity.UNKNOWN  # Checkov without a platform key rates nothing
    assert location(acl).display() == "infra/main.tf:20"
    assert acl.prop("resource") == "aws_s3_bucket.assets"
    assert acl.fingerprint == iac_fingerprint(
        rule_id="checkov/CKV_AWS_20", path="infra/main.tf", resource="aws_s3_bucket.assets"
    )
    assert _by_rule()["checkov/CKV_AWS_18"].severity is Severity.MEDIUM
    assert location(_by_rule()["checkov/CKV_K8S_20"]).path == "k8s/web.yaml"


def test_skipped_checks_stay_visible_as_suppressed_with_the_comment() -> None:
    skipped = _by_rule()["checkov/CKV_AWS_144"]
    assert skipped.prop("suppressed") == (
        "checkov:skip (single-region deployment by design (ADR-7))"
    )


def test_parse_failures_and_sca_results_are_reported_not_dropped() -> None:
    report = imported("checkov/report.json")
    assert report.tool_version == "3.2.31"
    (error,) = report.errors
    assert error.path == "infra/broken.tf"
    (skip,) = report.skipped
    assert "Checkov SCA results are not imported" in skip.detail


def test_secrets_are_high_and_show_only_the_censored_prefix() -> None:
    secret = _by_rule()["checkov/CKV_SECRET_2"]
    assert (secret.kind, secret.severity) == (FindingKind.SECRET, Severity.HIGH)
    assert location(secret).snippet == "AWS_ACCESS_KEY_ID=AKIA…"


def test_moving_the_resource_in_its_file_keeps_the_identity(tmp_path: Path) -> None:
    data = json.loads(fixture("checkov/report.json").read_text())
    for check in data[0]["results"]["failed_checks"]:
        check["file_line_range"] = [40, 43]
        check["code_block"] = [[n + 20, text] for n, text in check["code_block"]]
    path = tmp_path / "checkov.json"
    path.write_text(json.dumps(data))
    moved = {f.rule_id: f.fingerprint for f in load_report(path).findings}
    assert moved["checkov/CKV_AWS_20"] == _by_rule()["checkov/CKV_AWS_20"].fingerprint


def test_a_scan_that_found_no_files_imports_as_nothing() -> None:
    report = imported("checkov/nothing-scanned.json")
    assert report.findings == ()
    assert report.tool_version == "3.2.31"


def test_a_single_framework_report_is_read(tmp_path: Path) -> None:
    data = json.loads(fixture("checkov/report.json").read_text())
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data[1]))
    (finding,) = load_report(path).findings
    assert finding.rule_id == "checkov/CKV_K8S_20"
