"""The security gate: judge a report against the tiered policy, the baseline, the reviewed
exceptions and custom Rego policy, naming every reason (conftest's lesson: the result
object owns the exit code; the gate returns data and prints nothing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from lockgate.model import (
    Action,
    ControlResult,
    Decision,
    ExceptionEntry,
    Finding,
    FindingDecision,
    FindingKind,
    FindingStatus,
    Reason,
    ScanReport,
    Stage,
    StageDecision,
    Verdict,
)
from lockgate.policy.exceptions import ExceptionMatcher
from lockgate.policy.thresholds import GatePolicy, fails_closed

_ACTION_VERDICT = {Action.BLOCK: Verdict.FAIL, Action.WARN: Verdict.WARN}


class PolicyOutcomeLike(Protocol):
    """One result of custom policy: verdict ``fail``, ``warn`` or ``waived``."""

    @property
    def verdict(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str: ...


class CustomPolicy(Protocol):
    """Custom policy evaluated over the gate input document (Rego, see lockgate/rego.py)."""

    @property
    def digest(self) -> str: ...

    def evaluate(self, document: Mapping[str, object]) -> Sequence[PolicyOutcomeLike]: ...


@dataclass(frozen=True, kw_only=True)
class GateContext:
    """What the gate knows besides the report: branch, baseline, exceptions, custom policy."""

    branch: str | None
    policy: GatePolicy = field(default_factory=GatePolicy)
    baseline: frozenset[str] | None = None
    """Fingerprints of the baseline, or None when there is no baseline (every finding is new)."""
    baseline_label: str | None = None
    exceptions: tuple[ExceptionEntry, ...] = ()
    custom: CustomPolicy | None = None
    today: dt.date = field(default_factory=dt.date.today)
    repository: str | None = None
    full_scan: bool = True
    """False for staged or diff scans: exceptions are not reported stale then."""

    @property
    def protected(self) -> bool:
        return self.policy.is_protected(self.branch)


class Gate:
    """Decides stages and whole reports. Stateless apart from its context."""

    def __init__(self, context: GateContext) -> None:
        self.context = context

    # -- per finding -------------------------------------------------------------------
    def matcher(self) -> ExceptionMatcher:
        """A fresh exception matcher for one decision (it records what each entry did)."""
        return ExceptionMatcher(self.context.exceptions, today=self.context.today)

    def judge_finding(self, finding: Finding, matcher: ExceptionMatcher) -> FindingDecision:
        """Status (new, existing, suppressed) and action (block, warn, track) of one finding."""
        ctx = self.context
        if finding.prop("suppressed") is not None:
            return FindingDecision(
                fingerprint=finding.fingerprint, status=FindingStatus.SUPPRESSED, action=Action.NONE
            )
        entry = matcher.match(finding)
        if entry is not None:
            return FindingDecision(
                fingerprint=finding.fingerprint,
                status=FindingStatus.SUPPRESSED,
                action=Action.NONE,
                exception_id=entry.id,
            )
        if ctx.baseline is not None:
            existing = finding.fingerprint in ctx.baseline
        else:
            # Without a baseline (a staged scan), a control may know that a finding sits on
            # lines the change did not touch (SAST marks them ``preexisting``).
            existing = finding.prop("preexisting") == "true"
        status = FindingStatus.EXISTING if existing else FindingStatus.NEW
        thresholds = ctx.policy.thresholds_for(finding.stage, finding.kind)
        if (
            finding.kind is FindingKind.VULNERABILITY
            and finding.prop("direct") == "false"
            and not ctx.policy.transitive_block
        ):
            # A transitive dependency: blocks on protected branches, warns elsewhere.
            thresholds = dataclasses.replace(thresholds, block=None)
        action = thresholds.action(finding.severity, protected=ctx.protected)
        if existing and ctx.policy.new_only:
            action = Action.TRACK
        return FindingDecision(fingerprint=finding.fingerprint, status=status, action=action)

    # -- per stage ---------------------------------------------------------------------
    def decide_stage(
        self,
        stage: Stage,
        results: Sequence[ControlResult],
        matcher: ExceptionMatcher | None = None,
        decisions: list[FindingDecision] | None = None,
    ) -> StageDecision:
        """The verdict on one stage with every reason behind it."""
        ctx = self.context
        matcher = matcher if matcher is not None else self.matcher()
        reasons: list[Reason] = []
        judged: list[tuple[Finding, FindingDecision]] = []
        for result in results:
            reasons.extend(self._control_reasons(stage, result))
            for finding in result.findings:
                fd = self.judge_finding(finding, matcher)
                judged.append((finding, fd))
                if decisions is not None:
                    decisions.append(fd)
                reasons.extend(self._finding_reasons(stage, finding, fd))
        if ctx.custom is not None:
            reasons.extend(self._custom_reasons(stage, judged))
        verdict = Verdict.PASS
        for reason in reasons:
            verdict = verdict.worst(reason.verdict)
        return StageDecision(stage=stage, verdict=verdict, reasons=tuple(sorted(reasons)))

    def _finding_reasons(self, stage: Stage, finding: Finding, fd: FindingDecision) -> list[Reason]:
        ctx = self.context
        branch = ctx.branch or "an unknown branch"
        where = "protected branch" if ctx.protected else "branch"
        common: dict[str, Any] = {
            "stage": stage,
            "fingerprint": finding.fingerprint,
            "rule_id": finding.rule_id,
            "control_id": finding.control_id,
        }
        if fd.status is FindingStatus.SUPPRESSED and fd.exception_id is None:
            return [
                Reason(
                    verdict=Verdict.PASS,
                    code="finding-suppressed",
                    message=f"{finding.rule_id} at {finding.subject} is suppressed by "
                    f"{finding.prop('suppressed')}",
                    **common,
                )
            ]
        if fd.status is FindingStatus.SUPPRESSED:
            entry = next(e for e in ctx.exceptions if e.id == fd.exception_id)
            until = f" until {entry.expires}" if entry.expires else ""
            return [
                Reason(
                    verdict=Verdict.PASS,
                    code="finding-suppressed",
                    message=f"{finding.rule_id} at {finding.subject} is waived by "
                    f"exception {entry.id} (owner {entry.owner}{until}): "
                    f"{entry.reason}",
                    exception_id=entry.id,
                    **common,
                )
            ]
        verdict = _ACTION_VERDICT.get(fd.action)
        if verdict is None:
            return []
        verb = "blocks" if verdict is Verdict.FAIL else "warns"
        scope = (
            "every branch"
            if fd.action is Action.BLOCK and not self._blocks_only_protected(finding)
            else f"{where} {branch}"
        )
        return [
            Reason(
                verdict=verdict,
                code=f"finding-{verb}",
                message=f"new {finding.severity} {finding.kind} finding {finding.rule_id} "
                f"at {finding.subject} {verb} on {scope}: {finding.title}",
                **common,
            )
        ]

    def _blocks_only_protected(self, finding: Finding) -> bool:
        t = self.context.policy.thresholds_for(finding.stage, finding.kind)
        return t.block is None or finding.severity < t.block

    def _control_reasons(self, stage: Stage, result: ControlResult) -> list[Reason]:
        ctx = self.context
        policy = ctx.policy
        out: list[Reason] = []
        if result.status.failed:
            fatal = next(e for e in result.errors if e.fatal)
            closed = fails_closed(policy.control_errors, protected=ctx.protected)
            consequence = (
                "fails the gate closed" if closed else "warns: a crashed control is never a pass"
            )
            out.append(
                Reason(
                    verdict=Verdict.FAIL if closed else Verdict.WARN,
                    code=f"control-{result.status}",
                    message=f"control {result.control_id} {result.status}: {fatal.message} "
                    f"— {consequence}",
                    stage=stage,
                    control_id=result.control_id,
                )
            )
        elif policy.input_errors != "ignore":
            closed = fails_closed(policy.input_errors, protected=ctx.protected)
            for error in result.errors:
                where = f"{error.path}: " if error.path else ""
                out.append(
                    Reason(
                        verdict=Verdict.FAIL if closed else Verdict.WARN,
                        code="input-error",
                        message=f"control {result.control_id} could not read "
                        f"{where}{error.message}",
                        stage=stage,
                        control_id=result.control_id,
                    )
                )
        return out

    # -- custom policy -----------------------------------------------------------------
    def input_document(
        self, stage: Stage, judged: Sequence[tuple[Finding, FindingDecision]]
    ) -> dict[str, object]:
        """The compact document custom policy sees: findings and context."""
        ctx = self.context
        return {
            "findings": [_compact(f, fd) for f, fd in judged],
            "context": {
                "branch": ctx.branch,
                "protected": ctx.protected,
                "stage": str(stage),
                "repository": ctx.repository,
                "baseline": {"present": ctx.baseline is not None, "label": ctx.baseline_label},
            },
        }

    def _custom_reasons(
        self, stage: Stage, judged: Sequence[tuple[Finding, FindingDecision]]
    ) -> list[Reason]:
        custom = self.context.custom
        if custom is None:
            return []
        out: list[Reason] = []
        for outcome in custom.evaluate(self.input_document(stage, judged)):
            verdict = {"fail": Verdict.FAIL, "warn": Verdict.WARN}.get(
                outcome.verdict, Verdict.PASS
            )
            code = {"fail": "policy-deny", "warn": "policy-warn"}.get(
                outcome.verdict, "policy-waived"
            )
            name = f"{outcome.namespace}.{outcome.rule}"
            where = f" ({outcome.file})" if outcome.file else ""
            out.append(
                Reason(
                    verdict=verdict,
                    code=code,
                    message=f"policy {name}{where}: {outcome.message}",
                    stage=stage,
                    policy=name,
                )
            )
        return out

    # -- whole report ------------------------------------------------------------------
    def decide(self, report: ScanReport) -> Decision:
        """The verdict on a report: every stage, expired and stale exceptions, all reasons."""
        ctx = self.context
        matcher = self.matcher()
        finding_decisions: list[FindingDecision] = []
        stages = [
            self.decide_stage(stage, report.results_for(stage), matcher, finding_decisions)
            for stage in report.stages
        ]
        reasons: list[Reason] = []
        for entry in matcher.expired:
            reasons.append(
                Reason(
                    verdict=Verdict.WARN,
                    code="exception-expired",
                    message=f"exception {entry.id} (owner {entry.owner}) expired on "
                    f"{entry.expires} and no longer suppresses its findings",
                    exception_id=entry.id,
                )
            )
        if ctx.full_scan:
            for entry in matcher.stale:
                state = f"expired on {entry.expires} and " if entry.expired(ctx.today) else ""
                reasons.append(
                    Reason(
                        verdict=Verdict.PASS,
                        code="exception-stale",
                        message=f"exception {entry.id} (owner {entry.owner}) {state}matches no "
                        "finding; remove it if the problem is gone",
                        exception_id=entry.id,
                    )
                )
        verdict = Verdict.PASS
        for reason in [*reasons, *(r for s in stages for r in s.reasons)]:
            verdict = verdict.worst(reason.verdict)
        return Decision(
            verdict=verdict,
            branch=ctx.branch,
            protected=ctx.protected,
            stages=tuple(stages),
            reasons=tuple(sorted(reasons)),
            findings=tuple(sorted(finding_decisions)),
            baseline=ctx.baseline_label,
            policy_digest=self.policy_digest(),
        )

    def policy_digest(self) -> str:
        """Digest of everything that decided: thresholds, exceptions, custom policy."""
        ctx = self.context
        material = {
            "policy": repr(ctx.policy),
            "exceptions": [repr(e) for e in ctx.exceptions],
            "custom": ctx.custom.digest if ctx.custom is not None else None,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _compact(finding: Finding, fd: FindingDecision) -> dict[str, object]:
    loc = finding.location
    doc: dict[str, object] = {
        "fingerprint": finding.fingerprint,
        "kind": str(finding.kind),
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": str(finding.severity),
        "confidence": str(finding.confidence),
        "stage": str(finding.stage),
        "control": finding.control_id,
        "status": str(fd.status),
        "action": str(fd.action),
        "cwe": list(finding.cwe),
        "identifiers": list(finding.identifiers),
        "properties": dict(finding.properties),
    }
    if loc is not None:
        doc["path"] = loc.path
        doc["line"] = loc.start_line
    if finding.component is not None:
        doc["purl"] = finding.component.purl
        doc["direct"] = finding.component.direct
    if finding.url is not None:
        doc["url"] = finding.url
    return doc
