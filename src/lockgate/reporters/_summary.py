"""What every format needs to say the same thing: findings joined with their gate decision,
sorted once, bucketed and counted; control errors and skipped items gathered.

Formats differ in layout only; the facts they show come from here, so a finding cannot be
"new" in the PR comment and "existing" in the table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lockgate.model import (
    Action,
    ControlError,
    ControlResult,
    Decision,
    Finding,
    FindingStatus,
    Reason,
    ScanReport,
    Severity,
    SkippedItem,
    SkipReason,
    Verdict,
)

SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))

VERDICT_WORDS = {
    Verdict.PASS: "passed",
    Verdict.WARN: "passed with warnings",
    Verdict.FAIL: "blocked",
}


@dataclass(frozen=True, slots=True)
class Item:
    """A finding with how the gate treated it; status and action are None without a decision."""

    finding: Finding
    status: FindingStatus | None = None
    action: Action | None = None
    exception_id: str | None = None

    @property
    def blocking(self) -> bool:
        """The gate blocks on this finding."""
        return self.action is Action.BLOCK

    @property
    def warning(self) -> bool:
        """The gate warns about this finding but lets the change through."""
        return self.action is Action.WARN

    @property
    def status_label(self) -> str:
        """``NEW`` shouts because only new findings block; ``-`` when nothing was decided."""
        if self.status is None:
            return "-"
        return "NEW" if self.status is FindingStatus.NEW else self.status.value


@dataclass(frozen=True, slots=True)
class Buckets:
    """Findings split the way a reviewer reads them, each bucket sorted by :func:`finding_key`."""

    blocking: tuple[Item, ...]
    warnings: tuple[Item, ...]
    other_new: tuple[Item, ...]
    existing: tuple[Item, ...]
    suppressed: tuple[Item, ...]


def finding_key(finding: Finding) -> tuple[Any, ...]:
    """Stage order, worst severity first, then rule and place; the model order breaks ties."""
    loc = finding.location
    return (
        finding.stage.order,
        -finding.severity.rank,
        finding.rule_id,
        finding.subject if loc is None else loc.path,
        (loc.start_line or 0) if loc else 0,
        (loc.start_column or 0) if loc else 0,
        finding.fingerprint,
        finding.sort_key(),
    )


def items(report: ScanReport, decision: Decision | None) -> tuple[Item, ...]:
    """Every finding of the report joined with its decision, in :func:`finding_key` order."""
    by_fp = {d.fingerprint: d for d in decision.findings} if decision is not None else {}
    out = []
    for finding in sorted(report.findings, key=finding_key):
        fd = by_fp.get(finding.fingerprint)
        if fd is None:
            out.append(Item(finding))
        else:
            out.append(Item(finding, fd.status, fd.action, fd.exception_id))
    return tuple(out)


def buckets(all_items: Iterable[Item]) -> Buckets:
    """Blocking and warning findings first; the rest by status. Undecided ones count as new."""
    blocking, warnings, other, existing, suppressed = [], [], [], [], []
    for item in all_items:
        if item.blocking:
            blocking.append(item)
        elif item.warning:
            warnings.append(item)
        elif item.status is FindingStatus.SUPPRESSED:
            suppressed.append(item)
        elif item.status is FindingStatus.EXISTING:
            existing.append(item)
        else:
            other.append(item)
    return Buckets(
        tuple(blocking), tuple(warnings), tuple(other), tuple(existing), tuple(suppressed)
    )


def count_by_status(all_items: Iterable[Item]) -> dict[FindingStatus | None, Counter[Severity]]:
    """Severity counts per status (key None: findings without a decision)."""
    out: dict[FindingStatus | None, Counter[Severity]] = {}
    for item in all_items:
        out.setdefault(item.status, Counter())[item.finding.severity] += 1
    return out


def format_counts(counts: Counter[Severity]) -> str:
    """``2 CRITICAL, 1 LOW``: worst first, zero counts left out."""
    return ", ".join(f"{counts[s]} {s.value}" for s in SEVERITIES_DESC if counts[s])


def control_errors(report: ScanReport) -> tuple[tuple[ControlResult, ControlError], ...]:
    """Every control error, fatal ones first, each with the result it belongs to."""
    pairs = [(r, e) for r in report.results for e in r.errors]
    return tuple(
        sorted(
            pairs,
            key=lambda p: (not p[1].fatal, p[0].stage.order, p[0].control_id, p[1].sort_key()),
        )
    )


def failed_controls(report: ScanReport) -> tuple[ControlResult, ...]:
    """Controls that crashed or timed out: their silence is not a pass."""
    return tuple(r for r in report.results if r.status.failed)


def skipped_items(report: ScanReport) -> tuple[tuple[str, SkippedItem], ...]:
    """Every skipped item with who skipped it (``source`` or a control id), sorted."""
    pairs = [("source", s) for s in report.source_skipped]
    pairs += [(r.control_id, s) for r in report.results for s in r.skipped]
    return tuple(sorted(pairs, key=lambda p: (p[1].path, p[0], p[1].sort_key())))


def skip_counts(report: ScanReport) -> tuple[tuple[SkipReason, int], ...]:
    """How many items were skipped for each reason, in reason declaration order."""
    counts = Counter(s.reason for _, s in skipped_items(report))
    return tuple((reason, counts[reason]) for reason in SkipReason if counts[reason])


def reasons_for(decision: Decision | None, fingerprint: str) -> tuple[Reason, ...]:
    """The gate's reasons that name this finding."""
    if decision is None:
        return ()
    return tuple(r for r in decision.all_reasons if r.fingerprint == fingerprint)


def reason_label(reason: Reason) -> str:
    """One line for a reason: ``[fail] code (stage, rule, exception): message``."""
    context = [
        str(x)
        for x in (
            reason.stage,
            reason.control_id,
            reason.rule_id,
            reason.policy,
            reason.exception_id,
        )
        if x
    ]
    where = f" ({', '.join(context)})" if context else ""
    return f"[{reason.verdict.value}] {reason.code}{where}: {reason.message}"
