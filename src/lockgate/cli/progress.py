"""Progress on the terminal: only on a TTY, only on standard error."""

from __future__ import annotations

import sys
from typing import Any

from lockgate.model import ControlResult, Stage, StageDecision


class RichProgress:
    """Draws one line per stage with the controls running; a PipelineObserver."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._tasks: dict[Stage, Any] = {}
        self._running: dict[Stage, set[str]] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def _describe(self, stage: Stage) -> str:
        running = ", ".join(sorted(self._running.get(stage, ()))) or "…"
        return f"{stage}: {running}"

    def stage_started(self, stage: Stage, controls: tuple[Any, ...]) -> None:
        self._running[stage] = set()
        self._tasks[stage] = self._progress.add_task(
            self._describe(stage), total=len(controls) or 1
        )

    def control_started(self, control: Any) -> None:
        self._running.setdefault(control.stage, set()).add(control.id)
        self._progress.update(self._tasks[control.stage], description=self._describe(control.stage))

    def control_finished(self, result: ControlResult) -> None:
        self._running.get(result.stage, set()).discard(result.control_id)
        self._progress.update(
            self._tasks[result.stage], advance=1, description=self._describe(result.stage)
        )

    def stage_finished(self, decision: StageDecision) -> None:
        task = self._tasks.get(decision.stage)
        if task is not None:
            self._progress.update(task, description=f"{decision.stage}: {decision.verdict}")
