"""What one engine run gives back to the control: matches, per-file errors, files it did
not scan, and, when the engine as a whole failed, why."""

from __future__ import annotations

from dataclasses import dataclass

from lockgate.model import ControlError, ErrorKind, SkippedItem
from lockgate.scanners.sast._findings import Match


@dataclass(frozen=True, kw_only=True)
class EngineFailure:
    """The engine could not do its job (missing, crashed, unreadable output, bad rules)."""

    message: str
    kind: ErrorKind = ErrorKind.TOOL
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class EngineRun:
    """The outcome of running one engine over its share of the files."""

    engine: str
    matches: tuple[Match, ...] = ()
    errors: tuple[ControlError, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
    scanned: frozenset[str] = frozenset()
    failure: EngineFailure | None = None
    version: str | None = None

    @property
    def failed(self) -> bool:
        return self.failure is not None
