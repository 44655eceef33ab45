"""What one engine run gives back to the control: matches, per-file errors, files it did
not scan, and, when the engine as a whole failed, why."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lockgate.model import ControlError, ErrorKind, SkippedItem
from lockgate.scanners.sast._findings import Match

if TYPE_CHECKING:
    from lockgate.scanners.sast._process import Completed

MAX_ERROR_MESSAGE = 400


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


def relative(path: str) -> str:
    """An engine's path as a POSIX path relative to the scan root (no leading ``./``)."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal[2:] if normal.startswith("./") else normal


def bounded(text: str, limit: int = MAX_ERROR_MESSAGE) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_report(done: Completed, engine: str, timeout: float) -> dict[str, Any] | EngineFailure:
    """An engine's JSON report, or why there is none: it timed out, or wrote no JSON object."""
    if done.timed_out:
        return EngineFailure(
            message=f"{engine} did not finish within {timeout:g} s and was stopped",
            detail=done.stderr_tail(),
        )
    try:
        document = json.loads(done.stdout)
        if not isinstance(document, dict):
            raise ValueError("the report is not a JSON object")
    except ValueError as exc:
        return EngineFailure(
            message=f"{engine} exited with code {done.returncode} without a readable JSON "
            f"report ({bounded(str(exc), 120)})",
            detail=done.stderr_tail(),
        )
    return document
