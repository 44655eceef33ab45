"""JUnit XML: CI shows blocked controls as failures, crashed ones as errors."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from lockgate.model import Decision, ScanReport, Verdict
from lockgate.reporters import RenderOptions
from lockgate.reporters.junit import JunitReporter
from tests.helpers.sample_reports import sample, sample_report
from tests.unit.reporters import check_golden

OPTIONS = RenderOptions(tool_version="0.1.0")


def _parse(report: ScanReport, decision: Decision | None) -> ET.Element:
    root = ET.fromstring(JunitReporter().render(report, decision, OPTIONS))  # noqa: S314 - ours
    _assert_counts_consistent(root)
    return root


def _assert_counts_consistent(root: ET.Element) -> None:
    """Every suite's and the root's counts equal what its test cases say."""
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        expected = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        assert {k: int(suite.attrib[k]) for k in expected} == expected, suite.attrib["name"]
        for key, value in expected.items():
            totals[key] += value
    assert {k: int(root.attrib[k]) for k in totals} == totals


def _case(root: ET.Element, name: str) -> ET.Element:
    found = [c for c in root.iter("testcase") if c.attrib["name"] == name]
    assert len(found) == 1
    return found[0]


def test_golden(update_goldens: bool) -> None:
    report, decision = sample()
    text = JunitReporter().render(report, decision, OPTIONS)
    _assert_counts_consistent(ET.fromstring(text))  # noqa: S314 - our own output
    check_golden("sample.junit.xml", text, update_goldens)


def test_one_suite_per_stage_and_one_case_per_control() -> None:
    root = _parse(*sample())
    suites = [s.attrib["name"] for s in root.iter("testsuite")]
    assert suites == ["lockgate.code", "lockgate.build", "lockgate.test", "lockgate.gate"]
    assert root.attrib["tests"] == "10"
    assert (root.attrib["failures"], root.attrib["errors"], root.attrib["skipped"]) == (
        "2",
        "2",
        "2",
    )


def test_blocking_findings_fail_their_control() -> None:
    failure = _case(_parse(*sample()), "secrets").find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "1 blocking finding"
    assert "secrets/aws-access-key-id at config/settings.py:14:21" in (failure.text or "")


def test_crashed_and_timed_out_controls_are_errors() -> None:
    root = _parse(*sample())
    crash = _case(root, "iac").find("error")
    timeout = _case(root, "dast-active").find("error")
    assert crash is not None
    assert crash.attrib["type"] == "crash"
    assert timeout is not None
    assert timeout.attrib["type"] == "timeout"


def test_not_applicable_and_deselected_controls_are_skipped() -> None:
    root = _parse(*sample())
    skipped = {c.attrib["name"] for c in root.iter("testcase") if c.find("skipped") is not None}
    assert skipped == {"container", "fuzz"}


def test_warnings_and_item_errors_go_to_system_out() -> None:
    out = _case(_parse(*sample()), "sast").find("system-out")
    assert out is not None
    assert "warning: HIGH sast/python-sql-injection" in (out.text or "")
    assert "app/broken.py:3" in (out.text or "")
    assert _case(_parse(*sample()), "sast").find("failure") is None


def test_gate_suite_fails_with_every_blocking_reason() -> None:
    failure = _case(_parse(*sample()), "verdict").find("failure")
    assert failure is not None
    assert "deny: every build must produce an SBOM" in (failure.text or "")


def test_a_passing_gate_has_no_failure() -> None:
    report, decision = sample()
    passing = dataclasses.replace(decision, verdict=Verdict.PASS)
    assert _case(_parse(report, passing), "verdict").find("failure") is None


def test_without_a_decision_nothing_fails_but_crashes_are_still_errors() -> None:
    root = _parse(sample_report(), None)
    assert root.attrib["failures"] == "0"
    assert root.attrib["errors"] == "2"
    assert "lockgate.gate" not in {s.attrib["name"] for s in root.iter("testsuite")}


def test_markup_and_control_characters_stay_well_formed() -> None:
    report, decision = sample()
    secrets = report.results[0]
    nasty = dataclasses.replace(secrets.findings[0], title="</failure><x a='1'> & \x1b[31m")
    report = report.with_results((dataclasses.replace(secrets, findings=(nasty,)),))
    failure = _case(_parse(report, decision), "secrets").find("failure")
    assert failure is not None
    assert "</failure><x a='1'> & \ufffd[31m" in (failure.text or "")
