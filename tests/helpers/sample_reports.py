"""A deterministic sample report and decision that exercise every part of every format.

Fixed run id and timestamps; three stages; every severity a reviewer cares about; a secret
with a redacted snippet, a vulnerability in a component with a manifest, a license finding
with only a purl, a URL finding, suppressed and existing findings, a crashed control, a
timed-out control, a not-applicable and a deselected control, skipped files. One SAST title
carries Markdown, HTML and XML metacharacters to prove the formats escape them.

Use ``sample_report()``, ``sample_decision()`` or ``sample()`` for both; the ``FP_*``
constants name the fingerprints so tests can look findings up.
"""

from __future__ import annotations

import datetime as dt

from lockgate.model import (
    Action,
    Component,
    Confidence,
    ControlError,
    ControlResult,
    ControlStatus,
    Decision,
    ErrorKind,
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
    Verdict,
    pairs,
)

RUN_ID = "01HZX3R5V8Q2K7J9M4N6P1T0AB"
TOOL_VERSION = "0.1.0"
STARTED_AT = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
FINISHED_AT = dt.datetime(2024, 5, 1, 12, 0, 42, tzinfo=dt.UTC)

FP_SECRET = "5e0c1d2a9b8f7e6d5c4b3a2918273645"
FP_SECRET_OLD = "6f1d2e3b0c9a8f7e6d5c4b3a29182736"
FP_SQLI = "7a2e3f4c1d0b9a8f7e6d5c4b3a291827"
FP_EVAL = "8b3f4a5d2e1c0b9a8f7e6d5c4b3a2918"
FP_VULN = "9c4a5b6e3f2d1c0b9a8f7e6d5c4b3a29"
FP_LICENSE = "ad5b6c7f4a3e2d1c0b9a8f7e6d5c4b3a"
FP_CSP = "be6c7d8a5b4f3e2d1c0b9a8f7e6d5c4b"

EXCEPTION_ID = "EX-0012"


def _secret(fingerprint: str, path: str, line: int, severity: Severity) -> Finding:
    return Finding(
        kind=FindingKind.SECRET,
        rule_id="secrets/aws-access-key-id",
        title="AWS access key ID",
        severity=severity,
        confidence=Confidence.HIGH,
        fingerprint=fingerprint,
        control_id="secrets",
        control_version="1.0.0",
        stage=Stage.CODE,
        location=Location(
            path=path,
            start_line=line,
            start_column=21,
            end_line=line,
            end_column=41,
            snippet='aws_access_key_id = "AKIA************"',
        ),
        description="An AWS access key ID is committed to the repository.",
        remediation="Revoke the key in IAM, remove it from the history, and load it from "
        "the environment or a secrets manager.",
        cwe=("CWE-798",),
        references=(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        ),
    )


def _code_stage() -> tuple[ControlResult, ...]:
    secrets = ControlResult(
        control_id="secrets",
        control_version="1.0.0",
        stage=Stage.CODE,
        status=ControlStatus.OK,
        duration_ms=120,
        files_scanned=412,
        findings=(
            _secret(FP_SECRET, "config/settings.py", 14, Severity.CRITICAL),
            _secret(FP_SECRET_OLD, "deploy/old env/legacy.cfg", 3, Severity.HIGH),
        ),
        skipped=(SkippedItem(path="assets/logo.png", reason=SkipReason.BINARY),),
    )
    sast = ControlResult(
        control_id="sast",
        control_version="2.3.1",
        stage=Stage.CODE,
        status=ControlStatus.OK,
        duration_ms=2300,
        files_scanned=180,
        findings=(
            Finding(
                kind=FindingKind.SAST,
                rule_id="sast/python-sql-injection",
                title="SQL query built from user input",
                severity=Severity.HIGH,
                fingerprint=FP_SQLI,
                control_id="sast",
                control_version="2.3.1",
                stage=Stage.CODE,
                cwe=("89",),
                location=Location(
                    path="app/db.py",
                    start_line=42,
                    start_column=5,
                    end_line=43,
                    end_column=30,
                    snippet='cursor.execute(f"SELECT … WHERE id={uid}")',
                ),
                description="String formatting is used to build a SQL statement.",
                remediation="Use parameterised queries (`cursor.execute(sql, params)`).",
            ),
            Finding(
                kind=FindingKind.SAST,
                rule_id="sast/python-eval",
                title="Use of `eval` with <user> input | unsafe & risky",
                severity=Severity.MEDIUM,
                fingerprint=FP_EVAL,
                control_id="sast",
                control_version="2.3.1",
                stage=Stage.CODE,
                cwe=("CWE-95",),
                location=Location(path="app/calc.py", start_line=7, snippet="return eval(expr)"),
                remediation="Parse the expression with `ast.literal_eval`.",
            ),
        ),
        errors=(
            ControlError(
                kind=ErrorKind.INPUT,
                message="could not parse file: invalid syntax",
                fatal=False,
                path="app/broken.py",
                line=3,
            ),
        ),
    )
    iac = ControlResult(
        control_id="iac",
        control_version="0.9.0",
        stage=Stage.CODE,
        status=ControlStatus.ERROR,
        duration_ms=15,
        errors=(
            ControlError(
                kind=ErrorKind.CRASH,
                fatal=True,
                message="RuntimeError: unexpected token in main.tf",
                detail="Traceback (most recent call last): …",
            ),
        ),
    )
    return (secrets, sast, iac)


def _build_stage() -> tuple[ControlResult, ...]:
    manifest = Location(path="requirements.txt", start_line=7)
    requests = Component(
        purl="pkg:pypi/requests@2.19.0",
        name="requests",
        version="2.19.0",
        ecosystem="PyPI",
        direct=True,
        manifest=manifest,
    )
    leftpad = Component(
        purl="pkg:npm/left-pad@1.3.0",
        name="left-pad",
        version="1.3.0",
        ecosystem="npm",
        licenses="WTFPL",
        direct=False,
    )
    sca = ControlResult(
        control_id="sca",
        control_version="1.2.0",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        duration_ms=800,
        components=(requests, leftpad),
        data_versions=pairs(osv="2024-05-01"),
        findings=(
            Finding(
                kind=FindingKind.VULNERABILITY,
                rule_id="osv/GHSA-j8r2-6x86-q33q",
                title="requests: Proxy-Authorization header leaked on redirect",
                severity=Severity.HIGH,
                fingerprint=FP_VULN,
                control_id="sca",
                control_version="1.2.0",
                stage=Stage.BUILD,
                component=requests,
                identifiers=("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
                remediation="Upgrade requests to 2.31.0 or later.",
                references=("https://osv.dev/vulnerability/GHSA-j8r2-6x86-q33q",),
            ),
        ),
    )
    licenses = ControlResult(
        control_id="licenses",
        control_version="1.0.0",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        duration_ms=30,
        findings=(
            Finding(
                kind=FindingKind.LICENSE,
                rule_id="license/not-allowed",
                title="License WTFPL is not on the allow list",
                severity=Severity.LOW,
                fingerprint=FP_LICENSE,
                control_id="licenses",
                control_version="1.0.0",
                stage=Stage.BUILD,
                component=leftpad,
            ),
        ),
    )
    container = ControlResult(
        control_id="container",
        control_version="1.0.0",
        stage=Stage.BUILD,
        status=ControlStatus.NOT_APPLICABLE,
        status_detail="no container image in the target",
    )
    return (sca, licenses, container)


def _test_stage() -> tuple[ControlResult, ...]:
    baseline = ControlResult(
        control_id="dast-baseline",
        control_version="1.1.0",
        stage=Stage.TEST,
        status=ControlStatus.OK,
        duration_ms=5400,
        findings=(
            Finding(
                kind=FindingKind.DAST,
                rule_id="dast/missing-csp",
                title="Content-Security-Policy header missing",
                severity=Severity.MEDIUM,
                fingerprint=FP_CSP,
                control_id="dast-baseline",
                control_version="1.1.0",
                stage=Stage.TEST,
                url="https://staging.shop.example/login?next=%2F",
                cwe=("CWE-693",),
                remediation="Send a restrictive Content-Security-Policy.",
            ),
        ),
    )
    active = ControlResult(
        control_id="dast-active",
        control_version="1.1.0",
        stage=Stage.TEST,
        status=ControlStatus.TIMEOUT,
        duration_ms=600000,
        errors=(
            ControlError(
                kind=ErrorKind.TIMEOUT, fatal=True, message="exceeded its 600 s time budget"
            ),
        ),
    )
    fuzz = ControlResult(
        control_id="fuzz",
        control_version="0.1.0",
        stage=Stage.TEST,
        status=ControlStatus.DESELECTED,
    )
    return (baseline, active, fuzz)


def sample_report() -> ScanReport:
    """The sample scan: code, build and test stages of a feature branch."""
    return ScanReport(
        run_id=RUN_ID,
        tool_version=TOOL_VERSION,
        target=TargetRef(
            kind="git",
            name="acme/shop",
            branch="feature/login",
            commit="3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345",
            repository="https://github.com/acme/shop",
        ),
        started_at=STARTED_AT,
        finished_at=FINISHED_AT,
        stages=(Stage.CODE, Stage.BUILD, Stage.TEST),
        results=_code_stage() + _build_stage() + _test_stage(),
        source_skipped=(
            SkippedItem(
                path="vendor/bundle.min.js",
                reason=SkipReason.TOO_LARGE,
                detail="3.2 MB exceeds the 2 MB limit",
            ),
        ),
        config_digest="sha256:4f2a",
    )


def sample_decision() -> Decision:
    """The gate on an unprotected branch: the new secret blocks, HIGH SAST only warns."""
    blocked = Reason(
        verdict=Verdict.FAIL,
        code="finding.blocked",
        stage=Stage.CODE,
        message="new CRITICAL secrets/aws-access-key-id blocks on every branch",
        fingerprint=FP_SECRET,
        rule_id="secrets/aws-access-key-id",
        control_id="secrets",
    )
    warned = Reason(
        verdict=Verdict.WARN,
        code="finding.warned",
        stage=Stage.CODE,
        message="new HIGH finding warns on unprotected branch feature/login",
        fingerprint=FP_SQLI,
        rule_id="sast/python-sql-injection",
        control_id="sast",
    )
    crashed = Reason(
        verdict=Verdict.WARN,
        code="control.failed",
        stage=Stage.CODE,
        message="control iac failed (crash); fails closed only on protected branches",
        control_id="iac",
    )
    suppressed = Reason(
        verdict=Verdict.PASS,
        code="exception.applied",
        stage=Stage.BUILD,
        message=f"suppressed by {EXCEPTION_ID} (owner: payments-team, "
        "expires 2024-12-31): not reachable, no proxy in use",
        fingerprint=FP_VULN,
        rule_id="osv/GHSA-j8r2-6x86-q33q",
        exception_id=EXCEPTION_ID,
    )
    timed_out = Reason(
        verdict=Verdict.WARN,
        code="control.failed",
        stage=Stage.TEST,
        message="control dast-active timed out",
        control_id="dast-active",
    )
    return Decision(
        verdict=Verdict.FAIL,
        branch="feature/login",
        protected=False,
        baseline="main@9e8d7c6",
        policy_digest="sha256:77aa",
        stages=(
            StageDecision(
                stage=Stage.CODE, verdict=Verdict.FAIL, reasons=(blocked, warned, crashed)
            ),
            StageDecision(stage=Stage.BUILD, verdict=Verdict.PASS, reasons=(suppressed,)),
            StageDecision(stage=Stage.TEST, verdict=Verdict.WARN, reasons=(timed_out,)),
        ),
        reasons=(
            Reason(
                verdict=Verdict.WARN,
                code="exception.stale",
                exception_id="EX-0007",
                message="exception EX-0007 matched no finding; remove it",
            ),
            Reason(
                verdict=Verdict.FAIL,
                code="policy.deny",
                policy="policies/release.rego",
                message="deny: every build must produce an SBOM",
            ),
        ),
        findings=(
            FindingDecision(fingerprint=FP_SECRET, status=FindingStatus.NEW, action=Action.BLOCK),
            FindingDecision(
                fingerprint=FP_SECRET_OLD, status=FindingStatus.EXISTING, action=Action.TRACK
            ),
            FindingDecision(fingerprint=FP_SQLI, status=FindingStatus.NEW, action=Action.WARN),
            FindingDecision(fingerprint=FP_EVAL, status=FindingStatus.NEW, action=Action.TRACK),
            FindingDecision(
                fingerprint=FP_VULN,
                status=FindingStatus.SUPPRESSED,
                action=Action.NONE,
                exception_id=EXCEPTION_ID,
            ),
            FindingDecision(fingerprint=FP_LICENSE, status=FindingStatus.NEW, action=Action.TRACK),
            FindingDecision(fingerprint=FP_CSP, status=FindingStatus.EXISTING, action=Action.TRACK),
        ),
    )


def sample() -> tuple[ScanReport, Decision]:
    """The sample report with its decision."""
    return sample_report(), sample_decision()
