"""The tiered, branch-aware threshold policy (ARCHITECTURE.md §1).

Three severity thresholds decide what a new finding does: at or above ``block`` it blocks
on every branch, at or above ``block_protected`` it blocks on protected branches, at or
above ``warn`` it warns; anything lower is tracked. ``None`` means "never". Overrides per
stage, per finding kind and per stage-and-kind refine the defaults, most specific last.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from lockgate.model import Action, FindingKind, Severity, Stage

LEVELS = ("block", "block_protected", "warn")
CONTROL_ERROR_MODES = ("fail-protected", "fail", "warn")
INPUT_ERROR_MODES = ("warn", "fail-protected", "fail", "ignore")


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """The three severity thresholds; None disables a level."""

    block: Severity | None = Severity.CRITICAL
    block_protected: Severity | None = Severity.HIGH
    warn: Severity | None = Severity.HIGH

    def action(self, severity: Severity, *, protected: bool) -> Action:
        """What a new finding of ``severity`` does on a (non-)protected branch."""
        if self.block is not None and severity >= self.block:
            return Action.BLOCK
        if protected and self.block_protected is not None and severity >= self.block_protected:
            return Action.BLOCK
        if self.warn is not None and severity >= self.warn:
            return Action.WARN
        return Action.TRACK


@dataclass(frozen=True, kw_only=True)
class ThresholdOverride:
    """Threshold levels set for a stage, a kind, or a kind within a stage."""

    stage: Stage | None = None
    kind: FindingKind | None = None
    levels: tuple[tuple[str, Severity | None], ...] = ()

    @property
    def specificity(self) -> int:
        return (self.stage is not None) + 2 * (self.kind is not None)

    def applies(self, stage: Stage, kind: FindingKind) -> bool:
        return (self.stage in (None, stage)) and (self.kind in (None, kind))


@dataclass(frozen=True, kw_only=True)
class GatePolicy:
    """Everything the default gate needs to judge a report."""

    protected_branches: tuple[str, ...] = ("main", "master", "release/*")
    thresholds: Thresholds = Thresholds()
    overrides: tuple[ThresholdOverride, ...] = (
        ThresholdOverride(kind=FindingKind.SECRET, levels=(("block", Severity.LOW),)),
    )
    new_only: bool = True
    control_errors: str = "fail-protected"
    input_errors: str = "warn"
    transitive_block: bool = False
    """Whether vulnerabilities in transitive dependencies block on every branch too; by
    default only direct dependencies do (ARCHITECTURE.md §1: "a CRITICAL CVE in a direct
    dependency"), and transitive ones block on protected branches."""

    def thresholds_for(self, stage: Stage, kind: FindingKind) -> Thresholds:
        """The default thresholds refined by every override that applies, least specific first."""
        result = self.thresholds
        for override in sorted(
            (o for o in self.overrides if o.applies(stage, kind)), key=lambda o: o.specificity
        ):
            result = dataclasses.replace(result, **dict(override.levels))
        return result

    def is_protected(self, branch: str | None) -> bool:
        return branch is not None and any(
            fnmatch.fnmatchcase(branch, p) for p in self.protected_branches
        )


def fails_closed(mode: str, *, protected: bool) -> bool:
    """Whether a control or input error fails the gate under ``mode`` on this branch."""
    return mode == "fail" or (mode == "fail-protected" and protected)


def describe(policy: GatePolicy, stages: Sequence[Stage] = tuple(Stage)) -> list[str]:
    """Human sentences stating the policy (SECURITY.md and ``lockgate explain-policy``)."""

    def level(sev: Severity | None) -> str:
        return f"{sev} and above" if sev is not None else "never"

    t = policy.thresholds
    lines = [
        f"Protected branches: {', '.join(policy.protected_branches) or 'none'}.",
        f"Blocks on every branch: new findings of severity {level(t.block)}.",
        f"Blocks on protected branches: new findings of severity {level(t.block_protected)}.",
        f"Warns: new findings of severity {level(t.warn)}; lower severities are tracked.",
        "Vulnerabilities in transitive dependencies block like direct ones."
        if policy.transitive_block
        else "Vulnerabilities in transitive dependencies block only on protected branches.",
        "Only findings new relative to the baseline block."
        if policy.new_only
        else "Every finding counts, new or existing.",
        {
            "fail-protected": "A control that crashes or times out fails the gate on protected "
            "branches and warns elsewhere.",
            "fail": "A control that crashes or times out fails the gate on every branch.",
            "warn": "A control that crashes or times out warns (it never passes silently).",
        }[policy.control_errors],
    ]
    for o in sorted(policy.overrides, key=lambda o: (o.specificity, str(o.stage), str(o.kind))):
        scope = " ".join(
            x
            for x in (f"stage {o.stage}" if o.stage else "", f"{o.kind} findings" if o.kind else "")
            if x
        )
        if o.stage is not None and o.stage not in stages:
            continue
        detail = "; ".join(f"{name.replace('_', ' ')}: {level(sev)}" for name, sev in o.levels)
        lines.append(f"Override for {scope}: {detail}.")
    return lines
