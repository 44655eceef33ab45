"""Ordered vocabularies of the domain: severity, confidence, stages, kinds, statuses."""

from __future__ import annotations

import enum
import functools
from typing import Self


@functools.cache
def _lookup(cls: type[enum.Enum]) -> dict[str, enum.Enum]:
    """Lower-cased values and names of an enum's members, for parsing."""
    table: dict[str, enum.Enum] = {}
    for member in cls:
        table[str(member.value).lower()] = member
        table[member.name.lower().replace("_", "-")] = member
    return table


class _Parsable(enum.Enum):
    """Enums parsed case-insensitively from configuration and reports."""

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member whose value or name matches ``text``; ValueError names the choices."""
        key = text.strip().lower().replace("_", "-")
        member = _lookup(cls).get(key)
        if member is None:
            choices = ", ".join(str(m.value) for m in cls)
            kind = cls.__name__.lower()
            raise ValueError(f"{text!r} is not a valid {kind} (choose from {choices})")
        return member  # type: ignore[return-value]

    @classmethod
    def choices(cls) -> tuple[str, ...]:
        return tuple(str(m.value) for m in cls)

    def __str__(self) -> str:
        return str(self.value)


class Severity(_Parsable):
    """How bad a finding is, ordered UNKNOWN < INFO < LOW < MEDIUM < HIGH < CRITICAL."""

    UNKNOWN = "UNKNOWN"
    INFO = "INFO"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Confidence(_Parsable):
    """How sure the control is that the finding is real."""

    UNKNOWN = "UNKNOWN"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Stage(_Parsable):
    """The seven lifecycle stages, in pipeline order."""

    PLAN = "plan"
    CODE = "code"
    BUILD = "build"
    TEST = "test"
    RELEASE = "release"
    DEPLOY = "deploy"
    OPERATE = "operate"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


class FindingKind(_Parsable):
    """What sort of problem a finding describes."""

    SECRET = "secret"  # noqa: S105 - a finding kind
    SAST = "sast"
    VULNERABILITY = "vulnerability"
    LICENSE = "license"
    MISCONFIG = "misconfig"
    DAST = "dast"
    SUPPLY_CHAIN = "supply-chain"
    RUNTIME = "runtime"
    POLICY = "policy"


class TriageStatus(_Parsable):
    """Where a finding stands in its lifecycle (set by people or the store, not scanners)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false-positive"
    ACCEPTED_RISK = "accepted-risk"
    FIXED = "fixed"


class ControlStatus(_Parsable):
    """How a control's run ended. Only ``ok`` means the control did its job."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    NOT_APPLICABLE = "not-applicable"
    DESELECTED = "deselected"

    @property
    def failed(self) -> bool:
        """A crash or timeout: never to be taken as a pass."""
        return self in (ControlStatus.ERROR, ControlStatus.TIMEOUT)


class SkipReason(_Parsable):
    """Why an item was not examined. Skips are results, never silent."""

    BINARY = "binary"
    TOO_LARGE = "too-large"
    SYMLINK_LOOP = "symlink-loop"
    SYMLINK_OUTSIDE = "symlink-outside-root"
    SPECIAL_FILE = "special-file"
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"
    UNPINNED = "unpinned"
    NOT_APPLICABLE = "not-applicable"
    LIMIT = "limit-reached"
    OTHER = "other"


class ErrorKind(_Parsable):
    """What went wrong in a control."""

    CRASH = "crash"  # the control raised an unexpected exception
    TIMEOUT = "timeout"  # the control exceeded its time budget
    INPUT = "input"  # one input item was malformed; the rest was scanned
    TOOL = "tool"  # an external engine failed or is missing
    DATA = "data"  # required data (an advisory database) is missing or corrupt


class Verdict(_Parsable):
    """The gate's answer, ordered PASS < WARN < FAIL."""

    PASS = "pass"  # noqa: S105 - a verdict
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return list(Verdict).index(self)

    def worst(self, other: Verdict) -> Verdict:
        return self if self.rank >= other.rank else other


class FindingStatus(_Parsable):
    """A finding relative to the baseline and the exceptions."""

    NEW = "new"
    EXISTING = "existing"
    SUPPRESSED = "suppressed"


class Action(_Parsable):
    """What the gate did with a finding."""

    BLOCK = "block"
    WARN = "warn"
    TRACK = "track"
    NONE = "none"
