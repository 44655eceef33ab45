from __future__ import annotations

import pytest

from lockgate.engine.pipeline import Pipeline, RunOptions
from lockgate.engine.registry import ControlRegistry
from lockgate.errors import UsageError
from lockgate.model import (
    ControlResult,
    ControlStatus,
    Reason,
    Stage,
    StageDecision,
    Verdict,
)
from lockgate.sources.interface import Workspace
from tests.helpers.controls import CrashingControl, MissingToolControl, PatternControl


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def stage_started(self, stage: Stage, controls: tuple[object, ...]) -> None:
        self.events.append(f"start {stage}")

    def control_started(self, control: object) -> None:
        self.events.append(f"run {control.id}")  # type: ignore[attr-defined]

    def control_finished(self, result: ControlResult) -> None:
        self.events.append(f"done {result.control_id}")

    def stage_finished(self, decision: StageDecision) -> None:
        self.events.append(f"gate {decision.stage} {decision.verdict}")


def _fail_on_findings(stage: Stage, results: tuple[ControlResult, ...]) -> StageDecision:
    bad = any(r.findings or r.status.failed for r in results)
    verdict = Verdict.FAIL if bad else Verdict.PASS
    reasons = (Reason(verdict=verdict, code="test", message="x"),) if bad else ()
    return StageDecision(stage=stage, verdict=verdict, reasons=reasons)


def _registry() -> ControlRegistry:
    return ControlRegistry(
        [
            PatternControl(),
            PatternControl(id="docs", suffix=".md"),
            MissingToolControl(),
            PatternControl(id="deploy-check", stage=Stage.DEPLOY, suffix=".yaml"),
        ]
    )


def test_stages_run_in_order_with_a_gate_after_each(workspace: Workspace) -> None:
    recorder = Recorder()
    run = Pipeline(_registry(), gate=_fail_on_findings).run(workspace, RunOptions(), recorder)
    assert run.report.stages == tuple(Stage)
    gates = [e for e in recorder.events if e.startswith("gate")]
    assert gates[:3] == ["gate plan pass", "gate code fail", "gate build fail"]
    by_id = {r.control_id: r for r in run.report.results}
    assert by_id["pattern"].status is ControlStatus.OK
    assert by_id["pattern"].findings[0].location.start_line == 4  # type: ignore[union-attr]
    assert by_id["docs"].findings  # the README line
    assert by_id["deploy-check"].status is ControlStatus.NOT_APPLICABLE
    assert by_id["missing-tool"].status is ControlStatus.ERROR


def test_fail_fast_stops_after_the_first_failing_gate(workspace: Workspace) -> None:
    run = Pipeline(_registry(), gate=_fail_on_findings).run(workspace, RunOptions(fail_fast=True))
    assert run.stopped_after is Stage.CODE
    assert run.report.stages == (Stage.PLAN, Stage.CODE)
    assert {r.control_id for r in run.report.results} == {"pattern", "docs"}


def test_only_and_skip_select_controls(workspace: Workspace) -> None:
    run = Pipeline(_registry()).run(workspace, RunOptions(only=frozenset({"pattern"})))
    statuses = {r.control_id: r.status for r in run.report.results}
    assert statuses["pattern"] is ControlStatus.OK
    assert statuses["docs"] is ControlStatus.DESELECTED
    run = Pipeline(_registry()).run(
        workspace, RunOptions(skip=frozenset({"pattern"}), stages=(Stage.CODE,))
    )
    statuses = {r.control_id: r.status for r in run.report.results}
    assert statuses == {"pattern": ControlStatus.DESELECTED, "docs": ControlStatus.OK}


def test_stage_selection_runs_only_those_stages(workspace: Workspace) -> None:
    run = Pipeline(_registry()).run(workspace, RunOptions(stages=(Stage.BUILD,)))
    assert run.report.stages == (Stage.BUILD,)
    assert [r.control_id for r in run.report.results] == ["missing-tool"]


def test_unknown_control_names_are_usage_errors(workspace: Workspace) -> None:
    with pytest.raises(UsageError, match="--only: unknown control 'patern'"):
        Pipeline(_registry()).run(workspace, RunOptions(only=frozenset({"patern"})))
    with pytest.raises(UsageError, match="not selected"):
        Pipeline(_registry()).run(
            workspace, RunOptions(only=frozenset({"missing-tool"}), stages=(Stage.CODE,))
        )


def test_a_crashing_control_keeps_the_others_findings(workspace: Workspace) -> None:
    registry = ControlRegistry([CrashingControl(), PatternControl()])
    run = Pipeline(registry).run(workspace, RunOptions(stages=(Stage.CODE,)))
    by_id = {r.control_id: r for r in run.report.results}
    assert by_id["crasher"].status is ControlStatus.ERROR
    assert len(by_id["pattern"].findings) == 1


def test_disabled_in_configuration(workspace: Workspace) -> None:
    run = Pipeline(_registry()).run(
        workspace, RunOptions(stages=(Stage.CODE,), control_options={"docs": {"enabled": False}})
    )
    statuses = {r.control_id: r.status for r in run.report.results}
    assert statuses["docs"] is ControlStatus.DESELECTED
