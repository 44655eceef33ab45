"""OWASP ZAP JSON and XML: one DAST finding per URL and parameter, identified by the URL
without its query values; false positives suppressed; XML read safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.importers.interface import ReportFormatError
from lockgate.importers.registry import load_report
from lockgate.model import Confidence, FindingKind, Severity, Stage
from lockgate.model.fingerprint import url_fingerprint
from tests.unit.importers import imported


def test_alerts_become_dast_findings_with_risk_as_severity() -> None:
    findings = imported("zap/report.json").findings
    xss = next(f for f in findings if f.rule_id == "zap/40012")
    assert (xss.kind, xss.stage, xss.severity) == (FindingKind.DAST, Stage.TEST, Severity.HIGH)
    assert xss.confidence is Confidence.MEDIUM
    assert xss.cwe == ("CWE-79",)
    assert xss.prop("parameter") == "q"
    assert xss.fingerprint == url_fingerprint(
        rule_id="zap/40012", url="https://shop.example.com/search?q=x&page=2", parameter="q"
    )
    assert xss.description.startswith("Cross-site Scripting (XSS) is an attack technique")
    assert "https://owasp.org/www-community/attacks/xss/" in xss.references
    assert "<p>" not in xss.remediation
    assert {f.severity for f in findings if f.rule_id == "zap/10021"} == {Severity.LOW}


def test_variants_of_a_plugin_keep_their_alert_reference() -> None:
    rules = {f.rule_id for f in imported("zap/report.json").findings}
    assert "zap/10020-1" in rules


def test_instances_differing_only_in_query_values_are_one_finding() -> None:
    headers = [f for f in imported("zap/report.json").findings if f.rule_id == "zap/10021"]
    assert sorted(f.url or "" for f in headers) == [
        "https://shop.example.com/",
        "https://shop.example.com/static/app.js?v=1709631138",
    ]


def test_false_positives_marked_in_zap_are_suppressed() -> None:
    timestamp = next(f for f in imported("zap/report.json").findings if f.rule_id == "zap/10096")
    assert timestamp.prop("suppressed") == "marked as a false positive in ZAP"


def test_attack_and_evidence_are_not_imported() -> None:
    for finding in imported("zap/report.json").findings:
        assert "alert(1)" not in repr(finding)


def test_xml_and_json_reports_give_the_same_identities() -> None:
    from_xml = {f.fingerprint: f for f in imported("zap/report.xml").findings}
    from_json = {f.fingerprint: f for f in imported("zap/report.json").findings}
    assert set(from_xml) <= set(from_json)
    for fingerprint, finding in from_xml.items():
        assert finding == from_json[fingerprint]


def test_xml_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        "<OWASPZAPReport><site name='&b;'/></OWASPZAPReport>\n"
    )
    with pytest.raises(ReportFormatError, match="refused for safety"):
        load_report(bomb)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(
        '<?xml version="1.0"?>\n<OWASPZAPReport>\n<site name="x">\n</OWASPZAPReport>\n'
    )
    with pytest.raises(ReportFormatError) as caught:
        load_report(broken, "zap")
    assert caught.value.line == 4
