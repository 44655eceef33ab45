"""The control role (ARCHITECTURE.md §5): what a scanner or check declares and returns.

A control has a unique id, a version that is bumped whenever its output changes, a stage,
a finding kind, a cheap per-file prefilter, and ``scan(context)``. It reports failure of
the whole control by raising :class:`ControlFailure`; problems with single inputs go into
``ControlOutput.errors`` and the scan goes on. Per-run state lives in the context, never on
the control object, which may be shared between runs and threads.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from lockgate.model import (
    Component,
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    Pairs,
    RuleInfo,
    SkippedItem,
    Stage,
)
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY
from lockgate.sources.interface import FileInfo, Workspace


class ControlFailure(Exception):
    """Raised by a control that cannot do its job (engine missing, data missing)."""

    def __init__(self, message: str, *, kind: ErrorKind = ErrorKind.TOOL, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail


class Cancelled(Exception):
    """Raised inside a control when its context was cancelled (timeout or fail-fast)."""


@dataclass(frozen=True, kw_only=True)
class ScanContext:
    """Everything one control run needs. Read-only; build a new one per run."""

    workspace: Workspace
    files: tuple[FileInfo, ...]
    """The files this control applies to (``applies_to`` already evaluated)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The control's own ``[controls.<id>]`` configuration table."""
    cache_dir: Path | None = None
    secret_hash_key: bytes = DEFAULT_SECRET_HASH_KEY
    cancel: threading.Event = field(default_factory=threading.Event)

    def check_cancelled(self) -> None:
        """Call in long loops: raises :class:`Cancelled` once the run was cancelled."""
        if self.cancel.is_set():
            raise Cancelled


@dataclass(frozen=True, kw_only=True)
class ControlOutput:
    """What ``Control.scan`` returns. Errors here are non-fatal (one bad input)."""

    findings: Sequence[Finding] = ()
    components: Sequence[Component] = ()
    skipped: Sequence[SkippedItem] = ()
    errors: Sequence[ControlError] = ()
    files_scanned: int = 0
    data_versions: Pairs = ()


@runtime_checkable
class Control(Protocol):
    """A scanner or check. Instances must be stateless between runs."""

    id: str
    version: str
    stage: Stage
    kind: FindingKind
    title: str
    needs_files: bool
    """True when the control only makes sense if some file applies; otherwise it is
    reported as not applicable instead of being run."""

    def applies_to(self, path: str, info: FileInfo) -> bool:
        """Cheap prefilter on a file's path and size, before any content is read."""
        ...

    def rules(self) -> Sequence[RuleInfo]:
        """Documentation of every rule the control can emit (``lockgate explain``)."""
        ...

    def scan(self, context: ScanContext) -> ControlOutput:
        """Examine the workspace and return findings; raise ControlFailure if unable."""
        ...


class BaseControl:
    """Convenience base with defaults for the optional parts of :class:`Control`."""

    id: str
    version: str
    stage: Stage
    kind: FindingKind
    title: str = ""
    needs_files: bool = True

    def applies_to(self, path: str, info: FileInfo) -> bool:  # noqa: ARG002 - the default
        return True

    def rules(self) -> Sequence[RuleInfo]:
        return ()

    def scan(self, context: ScanContext) -> ControlOutput:  # pragma: no cover - abstract
        raise NotImplementedError
