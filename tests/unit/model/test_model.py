"""The domain model: invariants checked at construction, total ordering, JSON round trip."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockgate.model import (
    Action,
    Component,
    Confidence,
    ControlError,
    ControlResult,
    ControlStatus,
    Decision,
    ErrorKind,
    ExceptionEntry,
    Finding,
    FindingDecision,
    FindingKind,
    FindingStatus,
    Location,
    Reason,
    ScanReport,
    Severity,
    SkippedItem,
    SkipReason,
    Stage,
    StageDecision,
    TargetRef,
    TriageStatus,
    Verdict,
    pairs,
)
from lockgate.model.codec import DecodeError, report_from_json, report_to_json

# -- strategies --------------------------------------------------------------------------

words = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
texts = st.text(max_size=24)
segments = st.from_regex(r"\.?[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
relative_paths = st.lists(segments, min_size=1, max_size=4).map("/".join)
rule_ids = st.builds(lambda ns, name: f"{ns}/{name}", words, words)
fingerprints = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
string_pairs = st.dictionaries(words, texts, max_size=3).map(pairs)
maybe_line = st.none() | st.integers(min_value=1, max_value=100_000)
moments = st.datetimes(
    min_value=dt.datetime(1971, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [
            dt.UTC,
            dt.timezone(dt.timedelta(hours=5, minutes=30)),
            dt.timezone(dt.timedelta(hours=-8)),
        ]
    ),
)


@st.composite
def locations(draw: st.DrawFn) -> Location:
    start = draw(maybe_line)
    end = None if start is None else draw(st.none() | st.integers(start, start + 50))
    return Location(
        path=draw(relative_paths),
        start_line=start,
        end_line=end,
        start_column=draw(maybe_line),
        end_column=draw(maybe_line),
        commit=draw(st.none() | fingerprints),
        snippet=draw(st.none() | texts),
    )


components = st.builds(
    Component,
    purl=st.builds(
        lambda t, n, v: f"pkg:{t}/{n}" + (f"@{v}" if v else ""),
        st.sampled_from(["pypi", "npm", "golang", "deb/debian"]),
        words,
        st.none() | st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}", fullmatch=True),
    ),
    name=words,
    version=st.none() | words,
    ecosystem=st.none() | words,
    licenses=st.none() | st.sampled_from(["MIT", "Apache-2.0 OR MIT"]),
    hashes=string_pairs,
    direct=st.none() | st.booleans(),
    dependency_paths=st.lists(st.lists(words, max_size=3).map(tuple), max_size=2).map(tuple),
    manifest=st.none() | locations(),
)

findings = st.builds(
    Finding,
    kind=st.sampled_from(FindingKind),
    rule_id=rule_ids,
    title=st.text(min_size=1, max_size=24),
    severity=st.sampled_from(Severity),
    fingerprint=fingerprints,
    control_id=words,
    control_version=st.sampled_from(["1", "2.0"]),
    stage=st.sampled_from(Stage),
    confidence=st.sampled_from(Confidence),
    location=st.none() | locations(),
    component=st.none() | components,
    url=st.none() | st.just("https://example.com/a?b=1"),
    description=texts,
    remediation=texts,
    cwe=st.lists(st.sampled_from(["CWE-79", "CWE-89"]), max_size=2).map(tuple),
    identifiers=st.lists(words, max_size=2).map(tuple),
    references=st.lists(words, max_size=2).map(tuple),
    properties=string_pairs,
    triage=st.sampled_from(TriageStatus),
)

control_errors = st.builds(
    ControlError,
    kind=st.sampled_from(ErrorKind),
    message=texts,
    fatal=st.booleans(),
    path=st.none() | relative_paths,
    line=maybe_line,
    detail=texts,
)


@st.composite
def control_results(draw: st.DrawFn) -> ControlResult:
    status = draw(st.sampled_from(ControlStatus))
    errors = draw(st.lists(control_errors, max_size=2))
    if status.failed:
        errors.append(ControlError(kind=ErrorKind.CRASH, message="boom", fatal=True))
    return ControlResult(
        control_id=draw(words),
        control_version="1",
        stage=draw(st.sampled_from(Stage)),
        status=status,
        findings=tuple(draw(st.lists(findings, max_size=3))),
        components=tuple(draw(st.lists(components, max_size=2))),
        skipped=tuple(
            draw(
                st.lists(
                    st.builds(
                        SkippedItem,
                        path=relative_paths,
                        reason=st.sampled_from(SkipReason),
                        detail=texts,
                    ),
                    max_size=2,
                )
            )
        ),
        errors=tuple(errors),
        duration_ms=draw(st.integers(0, 10**6)),
        files_scanned=draw(st.integers(0, 10**6)),
        data_versions=draw(string_pairs),
        status_detail=draw(texts),
    )


reports = st.builds(
    ScanReport,
    run_id=words,
    tool_version=st.just("0.1.0"),
    target=st.builds(
        TargetRef,
        kind=st.sampled_from(["directory", "git", "staged"]),
        name=words,
        digest=st.none() | fingerprints,
        commit=st.none() | fingerprints,
        branch=st.none() | words,
        repository=st.none() | words,
        base_commit=st.none() | fingerprints,
    ),
    started_at=moments,
    finished_at=moments,
    stages=st.lists(st.sampled_from(Stage), unique=True).map(tuple),
    results=st.lists(control_results(), max_size=3).map(tuple),
    source_skipped=st.lists(
        st.builds(SkippedItem, path=relative_paths, reason=st.sampled_from(SkipReason)), max_size=2
    ).map(tuple),
    config_digest=st.just("") | fingerprints,
)

reasons = st.builds(
    Reason,
    verdict=st.sampled_from(Verdict),
    code=words,
    message=texts,
    stage=st.none() | st.sampled_from(Stage),
    fingerprint=st.none() | fingerprints,
    rule_id=st.none() | rule_ids,
    exception_id=st.none() | words,
)

decisions = st.builds(
    Decision,
    verdict=st.sampled_from(Verdict),
    branch=words,
    protected=st.booleans(),
    stages=st.lists(
        st.builds(
            StageDecision,
            stage=st.sampled_from(Stage),
            verdict=st.sampled_from(Verdict),
            reasons=st.lists(reasons, max_size=2).map(tuple),
        ),
        max_size=2,
    ).map(tuple),
    reasons=st.lists(reasons, max_size=2).map(tuple),
    findings=st.lists(
        st.builds(
            FindingDecision,
            fingerprint=fingerprints,
            status=st.sampled_from(FindingStatus),
            action=st.sampled_from(Action),
            exception_id=st.none() | words,
        ),
        max_size=2,
    ).map(tuple),
    baseline=st.none() | words,
    policy_digest=st.just("") | fingerprints,
)

UTC_NOON = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def minimal_finding(**changes: Any) -> Finding:
    fields: dict[str, Any] = {
        "kind": FindingKind.SAST,
        "rule_id": "sast/eval",
        "title": "eval of input",
        "severity": Severity.HIGH,
        "fingerprint": "a" * 32,
        "control_id": "sast",
        "control_version": "1",
        "stage": Stage.CODE,
        **changes,
    }
    return Finding(**fields)


def minimal_report(*found: Finding) -> ScanReport:
    result = ControlResult(
        control_id="sast",
        control_version="1",
        stage=Stage.CODE,
        status=ControlStatus.OK,
        findings=found,
    )
    return ScanReport(
        run_id="run-1",
        tool_version="0.1.0",
        target=TargetRef(kind="directory", name="shop"),
        started_at=UTC_NOON,
        finished_at=UTC_NOON,
        stages=(Stage.CODE,),
        results=(result,),
    )


# -- invariants --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/etc/passwd", "src\\app.py", "../outside", "a/../../b"])
def test_locations_take_relative_posix_paths_only(path: str) -> None:
    with pytest.raises(ValueError, match="path"):
        Location(path=path)


def test_locations_are_one_based_and_ordered() -> None:
    with pytest.raises(ValueError, match="1-based"):
        Location(path="a.py", start_line=0)
    with pytest.raises(ValueError, match="before"):
        Location(path="a.py", start_line=10, end_line=9)
    assert Location(path="a.py", start_line=3, start_column=7).display() == "a.py:3:7"


@pytest.mark.parametrize("rule_id", ["eval", "/eval", "sast/", ""])
def test_rule_ids_must_be_namespaced(rule_id: str) -> None:
    with pytest.raises(ValueError, match="namespaced"):
        minimal_finding(rule_id=rule_id)


def test_findings_need_a_fingerprint_a_title_and_sorted_properties() -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        minimal_finding(fingerprint="")
    with pytest.raises(ValueError, match="title"):
        minimal_finding(title="")
    with pytest.raises(ValueError, match="sorted"):
        minimal_finding(properties=(("b", "1"), ("a", "2")))
    assert minimal_finding(properties=pairs(b=1, a=2, c=None)).prop("a") == "2"


def test_components_need_a_package_url() -> None:
    with pytest.raises(ValueError, match="purl"):
        Component(purl="django", name="django")
    component = Component(purl="pkg:npm/%40angular/core@17.0.1?arch=x", name="core")
    assert component.purl_without_version == "pkg:npm/%40angular/core"


@pytest.mark.parametrize("status", [ControlStatus.ERROR, ControlStatus.TIMEOUT])
def test_a_failed_control_result_needs_a_fatal_error(status: ControlStatus) -> None:
    warning = ControlError(kind=ErrorKind.INPUT, message="bad file", fatal=False)
    with pytest.raises(ValueError, match="fatal"):
        ControlResult(
            control_id="sast",
            control_version="1",
            stage=Stage.CODE,
            status=status,
            errors=(warning,),
        )
    fatal = ControlError(kind=ErrorKind.CRASH, message="engine crashed", fatal=True)
    result = ControlResult(
        control_id="sast",
        control_version="1",
        stage=Stage.CODE,
        status=status,
        errors=(warning, fatal),
    )
    assert result.status.failed


def test_exception_entries_need_a_matcher_reason_and_owner() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ExceptionEntry(id="x", reason="r", owner="o")
    with pytest.raises(ValueError, match="reason"):
        ExceptionEntry(id="x", reason=" ", owner="o", rule="a/*")
    with pytest.raises(ValueError, match="owner"):
        ExceptionEntry(id="x", reason="r", owner="", rule="a/*")
    entry = ExceptionEntry(id="x", reason="r", owner="o", rule="a/*", expires=dt.date(2026, 1, 31))
    assert not entry.expired(dt.date(2026, 1, 31))
    assert entry.expired(dt.date(2026, 2, 1))


def test_decision_exit_code_follows_the_verdict() -> None:
    assert Decision(verdict=Verdict.FAIL, branch="main", protected=True).exit_code == 1
    assert Decision(verdict=Verdict.WARN, branch="main", protected=True).exit_code == 0


# -- ordering ----------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(findings, max_size=8), st.data())
def test_mixed_findings_sort_totally_and_deterministically(
    items: list[Finding], data: st.DataObject
) -> None:
    ordered = sorted(items)
    assert sorted(data.draw(st.permutations(items), label="shuffled")) == ordered
    for first, second in itertools.pairwise(ordered):
        assert first <= second


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(findings, findings)
def test_ordering_agrees_with_equality(a: Finding, b: Finding) -> None:
    assert (a == b) == (not a < b and not b < a)
    assert (a < b) == (b > a)
    if a == b:
        assert hash(a) == hash(b)


def test_findings_with_and_without_optional_parts_sort() -> None:
    bare = minimal_finding()
    located = minimal_finding(location=Location(path="a.py", start_line=1))
    with_component = minimal_finding(component=Component(purl="pkg:pypi/a@1", name="a"))
    # Fields compare in declaration order (location before component); None sorts first.
    assert sorted([located, with_component, bare]) == [bare, with_component, located]
    assert (
        sorted(
            [minimal_finding(severity=Severity.CRITICAL), minimal_finding(severity=Severity.LOW)]
        )[0].severity
        is Severity.LOW
    )


# -- codec -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_report_json_round_trip(report: ScanReport) -> None:
    text = report_to_json(report)
    assert report_from_json(text) == (report, None)
    assert report_to_json(report_from_json(text)[0]) == text  # deterministic output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports, decisions)
def test_report_and_decision_json_round_trip(report: ScanReport, decision: Decision) -> None:
    assert report_from_json(report_to_json(report, decision)) == (report, decision)


def corrupt(path: list[str | int], value: Any, *, delete: bool = False) -> str:
    finding = minimal_finding(location=Location(path="src/app.py", start_line=3))
    document = json.loads(report_to_json(minimal_report(finding)))
    node = document
    for step in path[:-1]:
        node = node[step]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return json.dumps(document)


FINDING: list[str | int] = ["report", "results", 0, "findings", 0]


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        ([*FINDING, "severity"], "SEVERE", "$.report.results[0].findings[0].severity", "CRITICAL"),
        (
            [*FINDING, "location", "path"],
            "/abs/app.py",
            "$.report.results[0].findings[0].location",
            "relative",
        ),
        (
            [*FINDING, "location", "start_line"],
            "3",
            "$.report.results[0].findings[0].location.start_line",
            "integer",
        ),
        ([*FINDING, "cwe"], "CWE-79", "$.report.results[0].findings[0].cwe", "array"),
        ([*FINDING, "colour"], "red", "$.report.results[0].findings[0]", "colour"),
        (["report", "started_at"], "yesterday", "$.report.started_at", "ISO 8601"),
        (["report", "results", 0, "status"], "exploded", "$.report.results[0].status", "ok"),
    ],
)
def test_decode_errors_name_the_json_path(
    path: list[str | int], value: Any, where: str, says: str
) -> None:
    with pytest.raises(DecodeError) as info:
        report_from_json(corrupt(path, value))
    assert info.value.path == where
    assert says in str(info.value)


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(DecodeError) as info:
        report_from_json(corrupt([*FINDING, "title"], None, delete=True))
    assert info.value.path == "$.report.results[0].findings[0]"
    assert "title" in str(info.value)


@pytest.mark.parametrize("text", ["not json", "[]", '{"decision": {}}'])
def test_non_reports_are_rejected_at_the_root(text: str) -> None:
    with pytest.raises(DecodeError) as info:
        report_from_json(text)
    assert info.value.path == "$"


# -- defects found in review, fixed: they stay as regression tests ------------------------


def test_a_decision_without_branch_round_trips() -> None:
    decision = Decision(verdict=Verdict.PASS, branch=None, protected=False)
    report = minimal_report()
    assert report_from_json(report_to_json(report, decision)) == (report, decision)


def test_equal_reports_in_other_time_zones_do_not_order_apart() -> None:
    report = minimal_report()
    shifted = ScanReport(
        run_id=report.run_id,
        tool_version=report.tool_version,
        target=report.target,
        started_at=UTC_NOON.astimezone(dt.timezone(dt.timedelta(hours=2))),
        finished_at=report.finished_at,
        stages=report.stages,
        results=report.results,
    )
    assert shifted == report
    assert not shifted < report
    assert not report < shifted


def test_naive_timestamps_round_trip_or_are_rejected() -> None:
    naive = dt.datetime(2024, 5, 1, 12, 0)  # naive on purpose
    try:
        report = ScanReport(
            run_id="r",
            tool_version="1",
            target=TargetRef(kind="d", name="n"),
            started_at=naive,
            finished_at=naive,
            stages=(),
        )
    except ValueError:
        return  # rejecting naive timestamps at construction would also fix it
    assert report_from_json(report_to_json(report))[0] == report
