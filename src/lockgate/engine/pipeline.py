"""Plan the controls of each selected stage, run them, gate after each stage.

The pipeline knows nothing about output or configuration files: it takes a workspace, a
registry, :class:`RunOptions` and a stage gate, and returns the facts of the run.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lockgate import __version__
from lockgate.engine.registry import ControlRegistry, did_you_mean
from lockgate.engine.runner import Job, run_jobs
from lockgate.errors import UsageError
from lockgate.model import (
    ControlResult,
    ControlStatus,
    ScanReport,
    Stage,
    StageDecision,
    Verdict,
)
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY
from lockgate.scanners.interface import Control, ScanContext
from lockgate.sources.interface import Workspace

StageGate = Callable[[Stage, tuple[ControlResult, ...]], StageDecision]
"""Decides one stage from its control results (the gate runs after every stage)."""


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Which stages and controls to run, and how."""

    stages: tuple[Stage, ...] = tuple(Stage)
    only: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    workers: int = 4
    timeout: float = 600.0
    fail_fast: bool = False
    control_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    cache_dir: Path | None = None
    secret_hash_key: bytes = DEFAULT_SECRET_HASH_KEY
    config_digest: str = ""


class PipelineObserver(Protocol):
    """Progress callbacks (the CLI draws a progress bar on a TTY; tests record calls)."""

    def stage_started(self, stage: Stage, controls: tuple[Control, ...]) -> None: ...
    def control_started(self, control: Control) -> None: ...
    def control_finished(self, result: ControlResult) -> None: ...
    def stage_finished(self, decision: StageDecision) -> None: ...


@dataclass(frozen=True, kw_only=True)
class PipelineRun:
    """The facts of a run, and the stage decisions taken on the way."""

    report: ScanReport
    stage_decisions: tuple[StageDecision, ...]
    stopped_after: Stage | None = None
    """Set when ``fail_fast`` stopped the run after this stage's gate failed."""


class Pipeline:
    """Runs the stages in order over one workspace."""

    def __init__(self, registry: ControlRegistry, *, gate: StageGate | None = None) -> None:
        self.registry = registry
        self.gate = gate

    def validate(self, options: RunOptions) -> None:
        """Reject unknown control ids in --only/--skip, with a did-you-mean hint."""
        known = self.registry.ids()
        for flag, ids in (("--only", options.only), ("--skip", options.skip)):
            for cid in sorted(ids):
                if cid not in known:
                    close = did_you_mean(cid, known)
                    raise UsageError(
                        f"{flag}: unknown control {cid!r}",
                        hint=f"did you mean {close!r}?"
                        if close
                        else "run 'lockgate controls' to list the installed controls",
                    )
        if options.only:
            outside = sorted(
                c for c in options.only if self.registry.get(c).stage not in options.stages
            )
            if outside and not (options.only - set(outside)):
                stages = ", ".join(str(self.registry.get(c).stage) for c in outside)
                raise UsageError(
                    f"--only selects {', '.join(outside)} but its stage ({stages}) is not selected"
                )

    def run(
        self, workspace: Workspace, options: RunOptions, observer: PipelineObserver | None = None
    ) -> PipelineRun:
        """Run every selected stage in order; gate after each; stop early on fail-fast."""
        self.validate(options)
        started = _now()
        results: list[ControlResult] = []
        decisions: list[StageDecision] = []
        stages_run: list[Stage] = []
        stopped: Stage | None = None
        for stage in sorted(options.stages, key=lambda s: s.order):
            stage_results = self._run_stage(stage, workspace, options, observer)
            results.extend(stage_results)
            stages_run.append(stage)
            if self.gate is not None:
                decision = self.gate(stage, tuple(stage_results))
                decisions.append(decision)
                if observer is not None:
                    observer.stage_finished(decision)
                if options.fail_fast and decision.verdict is Verdict.FAIL:
                    stopped = stage
                    break
        report = ScanReport(
            run_id=str(uuid.uuid4()),
            tool_version=__version__,
            target=workspace.target,
            started_at=started,
            finished_at=_now(),
            stages=tuple(stages_run),
            results=tuple(results),
            source_skipped=tuple(sorted(workspace.skipped)),
            config_digest=options.config_digest,
        )
        return PipelineRun(report=report, stage_decisions=tuple(decisions), stopped_after=stopped)

    def _selected(self, control: Control, options: RunOptions) -> str | None:
        """Why a control is deselected, or None when it runs."""
        if options.only and control.id not in options.only:
            return "not named by --only"
        if control.id in options.skip:
            return "named by --skip"
        if options.control_options.get(control.id, {}).get("enabled") is False:
            return "disabled in the configuration"
        return None

    def _run_stage(
        self,
        stage: Stage,
        workspace: Workspace,
        options: RunOptions,
        observer: PipelineObserver | None,
    ) -> list[ControlResult]:
        controls = self.registry.for_stage(stage)
        if observer is not None:
            observer.stage_started(stage, controls)
        slots: list[ControlResult | None] = []
        jobs: list[Job] = []
        job_slots: list[int] = []
        for control in controls:
            why = self._selected(control, options)
            if why is not None:
                slots.append(_static(control, ControlStatus.DESELECTED, why))
                continue
            files = tuple(f for f in workspace.files if control.applies_to(f.path, f))
            if control.needs_files and not files:
                slots.append(
                    _static(control, ControlStatus.NOT_APPLICABLE, "no file in scope applies")
                )
                continue
            own = options.control_options.get(control.id, {})
            timeout = float(own.get("timeout", options.timeout))
            context = ScanContext(
                workspace=workspace,
                files=files,
                options=own,
                cache_dir=options.cache_dir,
                secret_hash_key=options.secret_hash_key,
                cancel=threading.Event(),
            )
            job_slots.append(len(slots))
            slots.append(None)
            jobs.append(Job(control=control, context=context, timeout=timeout))
        ran = run_jobs(
            jobs,
            workers=options.workers,
            on_start=observer.control_started if observer else None,
            on_done=observer.control_finished if observer else None,
        )
        for slot, result in zip(job_slots, ran, strict=True):
            slots[slot] = result
        return [r for r in slots if r is not None]


def _static(control: Control, status: ControlStatus, detail: str) -> ControlResult:
    return ControlResult(
        control_id=control.id,
        control_version=control.version,
        stage=control.stage,
        status=status,
        status_detail=detail,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
