"""The frozen, keyword-only, totally ordered domain types (ARCHITECTURE.md §3).

Everything here is pure data built from the standard library. Collections are tuples, free-form
properties are sorted ``(name, value)`` pairs of strings, and every object validates its
invariants when built so that a malformed finding cannot travel further than its scanner.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from lockgate.model._ordering import Ordered
from lockgate.model.enums import (
    Action,
    Confidence,
    ControlStatus,
    ErrorKind,
    FindingKind,
    FindingStatus,
    Severity,
    SkipReason,
    Stage,
    TriageStatus,
    Verdict,
)

Pairs = tuple[tuple[str, str], ...]
"""Sorted ``(name, value)`` string pairs: the frozen stand-in for a small mapping."""

PAIRS = {"json": "object"}
"""Field metadata: serialise these pairs as a JSON object."""

REPORT_SCHEMA_VERSION = "1.0"


def pairs(mapping: Mapping[str, object] | None = None, /, **values: object) -> Pairs:
    """Build sorted string pairs from a mapping and/or keywords, dropping ``None`` values."""
    merged: dict[str, object] = dict(mapping or {})
    merged.update(values)
    return tuple(sorted((str(k), str(v)) for k, v in merged.items() if v is not None))


def _check_relative_path(path: str, what: str) -> None:
    if not path:
        raise ValueError(f"{what} must not be empty")
    if path.startswith("/") or "\\" in path or any(p == ".." for p in path.split("/")):
        raise ValueError(f"{what} must be a POSIX path relative to the target root: {path!r}")


def _check_sorted_pairs(value: Pairs, what: str) -> None:
    if list(value) != sorted(value) or len({k for k, _ in value}) != len(value):
        raise ValueError(f"{what} must be sorted pairs with unique names; build them with pairs()")


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class Location(Ordered):
    """Where in the target a finding sits. The snippet is always redacted by the scanner."""

    path: str
    start_line: int | None = None
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    commit: str | None = None
    snippet: str | None = None

    def __post_init__(self) -> None:
        _check_relative_path(self.path, "Location.path")
        for name in ("start_line", "start_column", "end_line", "end_column"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"Location.{name} is 1-based, got {value}")
        if self.start_line and self.end_line and self.end_line < self.start_line:
            raise ValueError("Location.end_line is before start_line")

    def display(self) -> str:
        """``path:line:column`` as shown to developers."""
        text = self.path
        if self.start_line:
            text += f":{self.start_line}"
            if self.start_column:
                text += f":{self.start_column}"
        return text


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class Component(Ordered):
    """A software component the target ships: a package, an OS package, a base image."""

    purl: str
    name: str
    version: str | None = None
    ecosystem: str | None = None
    licenses: str | None = None
    hashes: Pairs = field(default=(), metadata=PAIRS)
    direct: bool | None = None
    dependency_paths: tuple[tuple[str, ...], ...] = ()
    dependencies: tuple[str, ...] = ()
    """purls of the components this one depends on directly (the SBOM dependency graph)."""
    manifest: Location | None = None

    def __post_init__(self) -> None:
        if not self.purl.startswith("pkg:"):
            raise ValueError(f"Component.purl must be a package URL (pkg:…), got {self.purl!r}")
        if not self.name:
            raise ValueError("Component.name must not be empty")
        _check_sorted_pairs(self.hashes, "Component.hashes")

    @property
    def purl_without_version(self) -> str:
        """The purl with ``@version``, qualifiers and subpath removed (fingerprint input)."""
        base = self.purl.split("?", 1)[0].split("#", 1)[0]
        head, sep, tail = base.rpartition("@")
        return head if sep and "/" not in tail else base


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class Finding(Ordered):
    """One problem found by one control, with a stable fingerprint (docs/fingerprints.md)."""

    kind: FindingKind
    rule_id: str
    title: str
    severity: Severity
    fingerprint: str
    control_id: str
    control_version: str
    stage: Stage
    confidence: Confidence = Confidence.MEDIUM
    location: Location | None = None
    component: Component | None = None
    url: str | None = None
    description: str = ""
    remediation: str = ""
    cwe: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    properties: Pairs = field(default=(), metadata=PAIRS)
    triage: TriageStatus = TriageStatus.OPEN

    def __post_init__(self) -> None:
        if "/" not in self.rule_id or self.rule_id.startswith("/") or self.rule_id.endswith("/"):
            raise ValueError(
                f"Finding.rule_id must be namespaced like 'secrets/aws-key': {self.rule_id!r}"
            )
        if not self.fingerprint:
            raise ValueError("Finding.fingerprint must not be empty")
        if not self.title:
            raise ValueError("Finding.title must not be empty")
        _check_sorted_pairs(self.properties, "Finding.properties")

    def prop(self, name: str, default: str | None = None) -> str | None:
        """The value of a free-form property, or ``default``."""
        for key, value in self.properties:
            if key == name:
                return value
        return default

    @property
    def subject(self) -> str:
        """What the finding is about, for humans: a location, a component or a URL."""
        if self.location is not None:
            return self.location.display()
        if self.component is not None:
            return self.component.purl
        return self.url or "-"


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class RuleInfo(Ordered):
    """Documentation of one rule a control can emit (``lockgate explain``)."""

    rule_id: str
    title: str
    severity: Severity
    kind: FindingKind
    description: str = ""
    remediation: str = ""
    cwe: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class SkippedItem(Ordered):
    """An item a source or control did not examine, and why."""

    path: str
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class ControlError(Ordered):
    """Something that went wrong in a control. ``fatal`` means the control as a whole failed."""

    kind: ErrorKind
    message: str
    fatal: bool
    path: str | None = None
    line: int | None = None
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class ControlResult(Ordered):
    """What one control produced in one run: findings, components, skips, errors, timing."""

    control_id: str
    control_version: str
    stage: Stage
    status: ControlStatus
    findings: tuple[Finding, ...] = ()
    components: tuple[Component, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
    errors: tuple[ControlError, ...] = ()
    duration_ms: int = 0
    files_scanned: int = 0
    data_versions: Pairs = field(default=(), metadata=PAIRS)
    status_detail: str = ""

    def __post_init__(self) -> None:
        _check_sorted_pairs(self.data_versions, "ControlResult.data_versions")
        if self.status.failed and not any(e.fatal for e in self.errors):
            raise ValueError(
                f"ControlResult for {self.control_id} is {self.status} "
                "but carries no fatal error explaining why"
            )


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class TargetRef(Ordered):
    """What was scanned: a directory, a git tree, staged changes, a diff, a history, an SBOM."""

    kind: str
    name: str
    digest: str | None = None
    commit: str | None = None
    branch: str | None = None
    repository: str | None = None
    base_commit: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class ScanReport(Ordered):
    """The facts of one run. Judgement lives in :class:`Decision`."""

    run_id: str
    tool_version: str
    target: TargetRef
    started_at: dt.datetime
    finished_at: dt.datetime
    stages: tuple[Stage, ...]
    results: tuple[ControlResult, ...] = ()
    source_skipped: tuple[SkippedItem, ...] = ()
    config_digest: str = ""
    schema_version: str = REPORT_SCHEMA_VERSION

    def __post_init__(self) -> None:
        for name in ("started_at", "finished_at"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"ScanReport.{name} must be timezone-aware: {value!r}")

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of every control, in report order."""
        return tuple(f for r in self.results for f in r.findings)

    def results_for(self, stage: Stage) -> tuple[ControlResult, ...]:
        return tuple(r for r in self.results if r.stage is stage)

    def with_results(self, results: tuple[ControlResult, ...]) -> ScanReport:
        return dataclasses.replace(self, results=results)


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class ExceptionEntry(Ordered):
    """One reviewed entry of ``.lockgate/exceptions.toml``: what it waives, who, why, until when.

    Every matcher that is set must match (they combine with AND); at least one is required.
    """

    id: str
    reason: str
    owner: str
    fingerprint: str | None = None
    rule: str | None = None
    path: str | None = None
    purl: str | None = None
    advisory: str | None = None
    approver: str | None = None
    expires: dt.date | None = None
    source: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        if not any((self.fingerprint, self.rule, self.path, self.purl, self.advisory)):
            raise ValueError(
                "an exception needs at least one of fingerprint, rule, path, purl or advisory"
            )
        if not self.reason.strip():
            raise ValueError("an exception needs a reason")
        if not self.owner.strip():
            raise ValueError("an exception needs an owner")

    def expired(self, today: dt.date) -> bool:
        """True from the day after ``expires``: the expiry date itself is still covered."""
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class Reason(Ordered):
    """One reason behind a verdict: which finding, rule, control, policy or exception."""

    verdict: Verdict
    code: str
    message: str
    stage: Stage | None = None
    fingerprint: str | None = None
    rule_id: str | None = None
    control_id: str | None = None
    policy: str | None = None
    exception_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class FindingDecision(Ordered):
    """How the gate treated one finding."""

    fingerprint: str
    status: FindingStatus
    action: Action
    exception_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class StageDecision(Ordered):
    """The gate's verdict on one stage, with every reason."""

    stage: Stage
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True, eq=True)
class Decision(Ordered):
    """The gate's verdict on a report: per stage and overall. It owns the exit code."""

    verdict: Verdict
    branch: str | None = None
    protected: bool = False
    stages: tuple[StageDecision, ...] = ()
    reasons: tuple[Reason, ...] = ()
    findings: tuple[FindingDecision, ...] = ()
    baseline: str | None = None
    policy_digest: str = ""

    @property
    def exit_code(self) -> int:
        """0 when the gate passed (possibly with warnings), 1 when it blocked."""
        return 1 if self.verdict is Verdict.FAIL else 0

    @property
    def all_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for s in self.stages for r in s.reasons) + self.reasons

    def for_finding(self, fingerprint: str) -> FindingDecision | None:
        for item in self.findings:
            if item.fingerprint == fingerprint:
                return item
        return None
