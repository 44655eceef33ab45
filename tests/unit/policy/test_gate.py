"""The tiered, branch-aware gate as users meet it: what blocks, where, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pytest

from lockgate.model import (
    Action,
    Component,
    ControlError,
    ControlResult,
    ControlStatus,
    ErrorKind,
    ExceptionEntry,
    Finding,
    FindingKind,
    FindingStatus,
    Location,
    ScanReport,
    Severity,
    Stage,
    TargetRef,
    Verdict,
)
from lockgate.policy.gate import Gate, GateContext
from lockgate.policy.thresholds import GatePolicy, ThresholdOverride, Thresholds

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def finding(
    fp: str,
    severity: Severity,
    *,
    kind: FindingKind = FindingKind.SAST,
    stage: Stage = Stage.CODE,
    rule: str = "sast/rule",
    path: str = "app.py",
    component: Component | None = None,
) -> Finding:
    return Finding(
        kind=kind,
        rule_id=rule,
        title=f"{rule} title",
        severity=severity,
        fingerprint=fp,
        control_id="c",
        control_version="1",
        stage=stage,
        location=Location(path=path, start_line=3),
        component=component,
    )


def report(*findings: Finding, results: Sequence[ControlResult] = ()) -> ScanReport:
    by_stage: dict[Stage, list[Finding]] = {}
    for f in findings:
        by_stage.setdefault(f.stage, []).append(f)
    res = [
        ControlResult(
            control_id=f"c-{s}",
            control_version="1",
            stage=s,
            status=ControlStatus.OK,
            findings=tuple(fs),
        )
        for s, fs in by_stage.items()
    ]
    res += list(results)
    stages = tuple(sorted({r.stage for r in res}, key=lambda s: s.order)) or (Stage.CODE,)
    return ScanReport(
        run_id="r",
        tool_version="t",
        target=TargetRef(kind="directory", name="x"),
        started_at=NOW,
        finished_at=NOW,
        stages=stages,
        results=tuple(res),
    )


def decide(rep: ScanReport, **ctx: object) -> object:
    return Gate(GateContext(**ctx)).decide(rep)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("severity", "branch", "verdict"),
    [
        (Severity.CRITICAL, "feature/x", Verdict.FAIL),
        (Severity.CRITICAL, "main", Verdict.FAIL),
        (Severity.HIGH, "main", Verdict.FAIL),
        (Severity.HIGH, "release/1.2", Verdict.FAIL),
        (Severity.HIGH, "feature/x", Verdict.WARN),
        (Severity.MEDIUM, "main", Verdict.PASS),
        (Severity.LOW, "feature/x", Verdict.PASS),
        (Severity.INFO, "main", Verdict.PASS),
    ],
)
def test_default_tiered_policy(severity: Severity, branch: str, verdict: Verdict) -> None:
    decision = decide(report(finding("f1", severity)), branch=branch)
    assert decision.verdict is verdict  # type: ignore[attr-defined]


def test_every_blocking_reason_names_the_finding_rule_and_branch() -> None:
    decision = decide(report(finding("f1", Severity.HIGH, rule="sast/sqli")), branch="main")
    (reason,) = [r for r in decision.all_reasons if r.verdict is Verdict.FAIL]  # type: ignore[attr-defined]
    assert reason.fingerprint == "f1" and reason.rule_id == "sast/sqli"
    assert reason.code == "finding-blocks" and reason.stage is Stage.CODE
    assert "protected branch main" in reason.message and "app.py:3" in reason.message


def test_any_committed_secret_blocks_everywhere_by_default() -> None:
    secret = finding("s1", Severity.MEDIUM, kind=FindingKind.SECRET, rule="secrets/x")
    assert decide(report(secret), branch="feature/x").verdict is Verdict.FAIL  # type: ignore[attr-defined]


def test_only_new_findings_block() -> None:
    rep = report(finding("old", Severity.CRITICAL), finding("new", Severity.HIGH))
    decision = decide(
        rep, branch="feature/x", baseline=frozenset({"old"}), baseline_label="report base.json"
    )
    states = {f.fingerprint: f for f in decision.findings}  # type: ignore[attr-defined]
    assert states["old"].status is FindingStatus.EXISTING
    assert states["old"].action is Action.TRACK
    assert states["new"].status is FindingStatus.NEW
    assert decision.verdict is Verdict.WARN  # type: ignore[attr-defined]
    assert decision.baseline == "report base.json"  # type: ignore[attr-defined]


def test_new_only_off_makes_existing_findings_count() -> None:
    rep = report(finding("old", Severity.CRITICAL))
    policy = GatePolicy(new_only=False)
    decision = decide(rep, branch="x", baseline=frozenset({"old"}), policy=policy)
    assert decision.verdict is Verdict.FAIL  # type: ignore[attr-defined]


def test_thresholds_per_stage_and_kind() -> None:
    policy = GatePolicy(
        overrides=(
            ThresholdOverride(stage=Stage.BUILD, levels=(("block", Severity.HIGH),)),
            ThresholdOverride(
                stage=Stage.BUILD, kind=FindingKind.LICENSE, levels=(("block", Severity.MEDIUM),)
            ),
            ThresholdOverride(kind=FindingKind.VULNERABILITY, levels=(("warn", None),)),
        )
    )
    build_high = finding("b", Severity.HIGH, stage=Stage.BUILD, kind=FindingKind.VULNERABILITY)
    license_medium = finding("l", Severity.MEDIUM, stage=Stage.BUILD, kind=FindingKind.LICENSE)
    code_high = finding("c", Severity.HIGH)
    decision = decide(
        report(build_high, license_medium, code_high), branch="feature/x", policy=policy
    )
    actions = {f.fingerprint: f.action for f in decision.findings}  # type: ignore[attr-defined]
    assert actions == {"b": Action.BLOCK, "l": Action.BLOCK, "c": Action.WARN}
    vuln_medium = finding("v", Severity.MEDIUM, stage=Stage.CODE, kind=FindingKind.VULNERABILITY)
    assert policy.thresholds_for(Stage.CODE, FindingKind.VULNERABILITY).warn is None
    assert decide(report(vuln_medium), branch="x", policy=policy).verdict is Verdict.PASS  # type: ignore[attr-defined]


def test_protected_patterns_are_configurable() -> None:
    policy = GatePolicy(protected_branches=("develop", "hotfix/*"))
    rep = report(finding("f", Severity.HIGH))
    assert decide(rep, branch="hotfix/urgent", policy=policy).verdict is Verdict.FAIL  # type: ignore[attr-defined]
    assert decide(rep, branch="main", policy=policy).verdict is Verdict.WARN  # type: ignore[attr-defined]


def _entry(**kw: object) -> ExceptionEntry:
    base: dict[str, object] = {"id": "EXC-1", "reason": "accepted for now", "owner": "alice"}
    base.update(kw)
    return ExceptionEntry(**base)  # type: ignore[arg-type]


def test_an_exception_suppresses_and_is_named() -> None:
    rep = report(finding("f", Severity.CRITICAL, rule="sast/sqli"))
    decision = decide(
        rep,
        branch="main",
        exceptions=(_entry(rule="sast/*", expires=dt.date(2027, 1, 1)),),
        today=dt.date(2026, 12, 31),
    )
    assert decision.verdict is Verdict.PASS  # type: ignore[attr-defined]
    (state,) = decision.findings  # type: ignore[attr-defined]
    assert state.status is FindingStatus.SUPPRESSED and state.exception_id == "EXC-1"
    (reason,) = decision.all_reasons  # type: ignore[attr-defined]
    assert reason.code == "finding-suppressed" and reason.exception_id == "EXC-1"
    assert "owner alice" in reason.message and "accepted for now" in reason.message


def test_an_expired_exception_stops_suppressing_and_is_reported() -> None:
    rep = report(finding("f", Severity.CRITICAL))
    decision = decide(
        rep,
        branch="feature/x",
        today=dt.date(2027, 1, 2),
        exceptions=(_entry(fingerprint="f", expires=dt.date(2027, 1, 1)),),
    )
    assert decision.verdict is Verdict.FAIL  # type: ignore[attr-defined]
    codes = {r.code for r in decision.all_reasons}  # type: ignore[attr-defined]
    assert {"finding-blocks", "exception-expired"} <= codes


def test_a_stale_exception_is_reported_on_full_scans_only() -> None:
    rep = report(finding("f", Severity.LOW))
    entry = _entry(path="vendor/**")
    full = decide(rep, branch="main", exceptions=(entry,))
    assert [r.code for r in full.reasons] == ["exception-stale"]  # type: ignore[attr-defined]
    assert full.verdict is Verdict.PASS  # type: ignore[attr-defined]
    staged = decide(rep, branch="main", exceptions=(entry,), full_scan=False)
    assert staged.reasons == ()  # type: ignore[attr-defined]


def _failed(stage: Stage, status: ControlStatus = ControlStatus.ERROR) -> ControlResult:
    return ControlResult(
        control_id="broken",
        control_version="1",
        stage=stage,
        status=status,
        errors=(ControlError(kind=ErrorKind.CRASH, message="boom", fatal=True),),
    )


def test_a_crashed_control_fails_closed_on_protected_branches() -> None:
    rep = report(results=[_failed(Stage.CODE)])
    protected = decide(rep, branch="main")
    assert protected.verdict is Verdict.FAIL  # type: ignore[attr-defined]
    (reason,) = protected.all_reasons  # type: ignore[attr-defined]
    assert reason.control_id == "broken" and "fails the gate closed" in reason.message
    feature = decide(rep, branch="feature/x")
    assert feature.verdict is Verdict.WARN  # type: ignore[attr-defined]
    assert "never a pass" in feature.all_reasons[0].message  # type: ignore[attr-defined]
    timeout = decide(report(results=[_failed(Stage.CODE, ControlStatus.TIMEOUT)]), branch="main")
    assert timeout.all_reasons[0].code == "control-timeout"  # type: ignore[attr-defined]


def test_control_error_mode_fail_everywhere() -> None:
    rep = report(results=[_failed(Stage.BUILD)])
    decision = decide(rep, branch="feature/x", policy=GatePolicy(control_errors="fail"))
    assert decision.verdict is Verdict.FAIL  # type: ignore[attr-defined]


def test_input_errors_warn_by_default() -> None:
    res = ControlResult(
        control_id="sca",
        control_version="1",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        errors=(
            ControlError(
                kind=ErrorKind.INPUT,
                message="truncated JSON",
                fatal=False,
                path="package-lock.json",
            ),
        ),
    )
    decision = decide(report(results=[res]), branch="main")
    assert decision.verdict is Verdict.WARN  # type: ignore[attr-defined]
    assert "package-lock.json" in decision.all_reasons[0].message  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    verdict: str
    rule: str
    namespace: str
    message: str
    file: str


class FakePolicy:
    digest = "d"

    def __init__(self) -> None:
        self.documents: list[Mapping[str, object]] = []

    def evaluate(self, document: Mapping[str, object]) -> list[Outcome]:
        self.documents.append(document)
        findings = document["findings"]
        assert isinstance(findings, list)
        out = [
            Outcome(
                "fail", "deny_medium_on_main", "main", f"{f['rule_id']} is MEDIUM", "policy/p.rego"
            )
            for f in findings
            if f["severity"] == "MEDIUM"
        ]
        out.append(Outcome("warn", "warn_always", "main", "heads up", "policy/p.rego"))
        return out


def test_custom_policy_denies_and_warns_with_names() -> None:
    custom = FakePolicy()
    decision = decide(
        report(finding("m", Severity.MEDIUM)),
        branch="main",
        custom=custom,
        repository="https://git.example/repo",
        baseline=frozenset(),
    )
    assert decision.verdict is Verdict.FAIL  # type: ignore[attr-defined]
    codes = sorted(r.code for r in decision.all_reasons)  # type: ignore[attr-defined]
    assert codes == ["policy-deny", "policy-warn"]
    deny = next(r for r in decision.all_reasons if r.code == "policy-deny")  # type: ignore[attr-defined]
    assert deny.policy == "main.deny_medium_on_main" and "policy/p.rego" in deny.message
    context = custom.documents[0]["context"]
    assert context == {
        "branch": "main",
        "protected": True,
        "stage": "code",
        "repository": "https://git.example/repo",
        "baseline": {"present": True, "label": None},
    }
    findings = custom.documents[0]["findings"]
    assert isinstance(findings, list)
    (doc_finding,) = findings
    assert doc_finding["status"] == "new" and doc_finding["path"] == "app.py"


def test_policy_digest_changes_with_policy() -> None:
    a = Gate(GateContext(branch="main")).policy_digest()
    b = Gate(
        GateContext(branch="main", policy=GatePolicy(thresholds=Thresholds(block=Severity.HIGH)))
    ).policy_digest()
    assert a != b


def _vulnerability(fp: str, *, direct: str) -> Finding:
    from dataclasses import replace

    base = finding(
        fp, Severity.CRITICAL, kind=FindingKind.VULNERABILITY, stage=Stage.BUILD, rule="osv/X-1"
    )
    return replace(base, properties=(("direct", direct),))


@pytest.mark.parametrize(
    ("direct", "branch", "verdict"),
    [
        ("true", "feature/x", Verdict.FAIL),
        ("true", "main", Verdict.FAIL),
        ("false", "main", Verdict.FAIL),
        ("false", "feature/x", Verdict.WARN),
    ],
)
def test_critical_vulnerability_blocks_everywhere_only_in_a_direct_dependency(
    direct: str, branch: str, verdict: Verdict
) -> None:
    decision = decide(report(_vulnerability("v1", direct=direct)), branch=branch)
    assert decision.verdict is verdict  # type: ignore[attr-defined]


def test_transitive_block_makes_transitive_vulnerabilities_block_everywhere() -> None:
    decision = decide(
        report(_vulnerability("v1", direct="false")),
        branch="feature/x",
        policy=GatePolicy(transitive_block=True),
    )
    assert decision.verdict is Verdict.FAIL  # type: ignore[attr-defined]
