from __future__ import annotations

import threading
import time

from lockgate.engine.runner import Job, run_jobs
from lockgate.model import ControlStatus, ErrorKind
from lockgate.scanners.interface import ScanContext
from lockgate.sources.interface import Workspace
from tests.helpers.controls import (
    CrashingControl,
    HangingControl,
    MissingToolControl,
    PatternControl,
)


def _job(control: object, workspace: Workspace, timeout: float = 10.0) -> Job:
    files = tuple(f for f in workspace.files if control.applies_to(f.path, f))  # type: ignore[attr-defined]
    context = ScanContext(workspace=workspace, files=files, cancel=threading.Event())
    return Job(control=control, context=context, timeout=timeout)  # type: ignore[arg-type]


def test_a_crash_becomes_a_typed_error_and_others_finish(workspace: Workspace) -> None:
    results = run_jobs(
        [_job(CrashingControl(), workspace), _job(PatternControl(), workspace)], workers=2
    )
    crashed, ok = results
    assert crashed.status is ControlStatus.ERROR
    assert crashed.errors[0].kind is ErrorKind.CRASH and crashed.errors[0].fatal
    assert "RuntimeError: deliberate failure" in crashed.errors[0].message
    assert "controls.py" in crashed.errors[0].detail  # where it crashed, not the values
    assert ok.status is ControlStatus.OK and len(ok.findings) == 1


def test_control_failure_keeps_its_kind_and_detail(workspace: Workspace) -> None:
    (result,) = run_jobs([_job(MissingToolControl(), workspace)], workers=1)
    assert result.status is ControlStatus.ERROR
    assert result.errors[0].kind is ErrorKind.DATA
    assert result.errors[0].detail == "run 'lockgate db update'"


def test_a_hanging_control_times_out_without_blocking_the_run(workspace: Workspace) -> None:
    hanger = _job(HangingControl(), workspace, timeout=0.2)
    start = time.monotonic()
    results = run_jobs([hanger, _job(PatternControl(), workspace)], workers=1)
    assert time.monotonic() - start < 5
    assert results[0].status is ControlStatus.TIMEOUT
    assert results[0].errors[0].kind is ErrorKind.TIMEOUT
    assert "timed out after 0.2 s" in results[0].errors[0].message
    assert hanger.context.cancel.is_set()
    assert results[1].status is ControlStatus.OK


def test_workers_bound_parallelism(workspace: Workspace) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    class Probe(HangingControl):
        def scan(self, context: ScanContext):  # type: ignore[no-untyped-def]
            nonlocal active, peak
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1
            return super().scan(context)

    jobs = [_job(Probe(id=f"p{i}", seconds=0), workspace) for i in range(6)]
    results = run_jobs(jobs, workers=2)
    assert all(r.status is ControlStatus.OK for r in results)
    assert peak == 2
