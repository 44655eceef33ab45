"""SARIF for code-scanning UIs: valid, deduplicated rules, suppressions, relative URIs."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from lockgate.model import Location
from lockgate.model.fingerprint import SARIF_KEY
from lockgate.reporters import RenderOptions
from lockgate.reporters.sarif import SarifReporter
from tests.helpers.sample_reports import (
    EXCEPTION_ID,
    FP_CSP,
    FP_LICENSE,
    FP_SECRET,
    FP_SECRET_OLD,
    FP_VULN,
    sample,
    sample_report,
)
from tests.helpers.schemas import validate_sarif
from tests.unit.reporters import check_golden

OPTIONS = RenderOptions(tool_version="0.1.0")


def _run() -> dict[str, Any]:
    report, decision = sample()
    document = json.loads(SarifReporter().render(report, decision, OPTIONS))
    validate_sarif(document)
    return dict(document["runs"][0])


def _result(run: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    found = [r for r in run["results"] if r["partialFingerprints"][SARIF_KEY] == fingerprint]
    assert len(found) == 1
    return dict(found[0])


def test_golden(update_goldens: bool) -> None:
    report, decision = sample()
    text = SarifReporter().render(report, decision, OPTIONS)
    validate_sarif(json.loads(text))
    check_golden("sample.sarif", text, update_goldens)


def test_one_rule_per_rule_id_and_results_point_at_their_rule() -> None:
    run = _run()
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["ruleId"] for r in run["results"]}
    assert len(run["results"]) == 7
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_rules_carry_help_tags_and_security_severity() -> None:
    rules = {r["id"]: r for r in _run()["tool"]["driver"]["rules"]}
    secret = rules["secrets/aws-access-key-id"]
    assert secret["properties"]["security-severity"] == "9.5"
    assert secret["defaultConfiguration"]["level"] == "error"
    assert {"secret", "CWE-798"} <= set(secret["properties"]["tags"])
    assert "Revoke the key" in secret["help"]["text"]
    assert rules["sast/python-sql-injection"]["properties"]["tags"].count("CWE-89") == 1
    assert rules["license/not-allowed"]["properties"]["security-severity"] == "2.5"
    assert rules["license/not-allowed"]["defaultConfiguration"]["level"] == "note"


def test_driver_names_lockgate_with_version() -> None:
    driver = _run()["tool"]["driver"]
    assert driver["name"] == "lockgate"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/lockgate/lockgate"


def test_levels_follow_severity() -> None:
    run = _run()
    assert _result(run, FP_SECRET)["level"] == "error"
    assert _result(run, FP_CSP)["level"] == "warning"
    assert _result(run, FP_LICENSE)["level"] == "note"


def test_excepted_findings_are_suppressed_with_the_exception_id() -> None:
    run = _run()
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [r["partialFingerprints"][SARIF_KEY] for r in suppressed] == [FP_VULN]
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert EXCEPTION_ID in suppression["justification"]


def test_file_uris_are_relative_to_srcroot_and_percent_encoded() -> None:
    run = _run()
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    artifact = _result(run, FP_SECRET_OLD)["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "deploy/old%20env/legacy.cfg", "uriBaseId": "%SRCROOT%"}
    physical = _result(run, FP_SECRET)["locations"][0]["physicalLocation"]
    assert physical["region"]["startLine"] == 14
    assert physical["region"]["snippet"]["text"] == 'aws_access_key_id = "AKIA************"'


def test_component_url_and_purl_locations() -> None:
    run = _run()
    vuln = _result(run, FP_VULN)["locations"][0]["physicalLocation"]
    assert vuln["artifactLocation"]["uri"] == "requirements.txt"
    assert vuln["region"]["startLine"] == 7
    url = _result(run, FP_CSP)["locations"][0]["physicalLocation"]["artifactLocation"]
    assert url == {"uri": "https://staging.shop.example/login?next=%2F"}
    logical = _result(run, FP_LICENSE)["locations"][0]["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "pkg:npm/left-pad@1.3.0"


def test_baseline_state_from_the_decision() -> None:
    run = _run()
    assert _result(run, FP_SECRET)["baselineState"] == "new"
    assert _result(run, FP_SECRET_OLD)["baselineState"] == "unchanged"


def test_failed_controls_make_the_run_unsuccessful_with_notifications() -> None:
    invocation = _run()["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    errors = [n["descriptor"]["id"] for n in notes if n["level"] == "error"]
    assert errors == ["iac", "dast-active"]
    assert any(n["descriptor"]["id"] == "sast" and n["level"] == "warning" for n in notes)


def test_a_clean_run_is_successful() -> None:
    report = sample_report()
    healthy = report.with_results(tuple(r for r in report.results if not r.status.failed))
    document = json.loads(SarifReporter().render(healthy, None, OPTIONS))
    validate_sarif(document)
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_without_a_decision_there_is_no_baseline_state_nor_suppression() -> None:
    document = json.loads(SarifReporter().render(sample_report(), None, OPTIONS))
    validate_sarif(document)
    for result in document["runs"][0]["results"]:
        assert "baselineState" not in result
        assert "suppressions" not in result


def test_output_does_not_depend_on_result_order() -> None:
    report, decision = sample()
    shuffled = report.with_results(tuple(reversed(report.results)))
    reporter = SarifReporter()
    assert reporter.render(shuffled, decision, OPTIONS) == reporter.render(
        report, decision, OPTIONS
    )


def test_location_without_line_has_no_region() -> None:
    report, decision = sample()
    first = report.results[0]
    finding = dataclasses.replace(first.findings[0], location=Location(path="README.md"))
    changed = report.with_results((dataclasses.replace(first, findings=(finding,)),))
    document = json.loads(SarifReporter().render(changed, decision, OPTIONS))
    validate_sarif(document)
    physical = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "README.md", "uriBaseId": "%SRCROOT%"}}
