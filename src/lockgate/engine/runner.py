"""Run controls in parallel with bounded workers and a per-control timeout.

Each control runs in its own daemon thread, at most ``workers`` at a time. A control that
raises becomes a typed error result; one that exceeds its timeout is reported as timed
out, its context is cancelled, and the run goes on without waiting for it (a daemon thread
cannot block interpreter exit). Results always come back in the order of the jobs.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lockgate.model import ControlError, ControlResult, ControlStatus, ErrorKind, Finding, pairs
from lockgate.scanners.interface import (
    Cancelled,
    Control,
    ControlFailure,
    ControlOutput,
    ScanContext,
)


@dataclass(frozen=True, kw_only=True)
class Job:
    """One control to run with its context and time budget (seconds)."""

    control: Control
    context: ScanContext
    timeout: float


def _traceback_summary(exc: BaseException) -> str:
    """Where the crash happened (file:line in function), without locals or values."""
    frames = traceback.extract_tb(exc.__traceback__)[-5:]
    return " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(frames)
    )


def _crash(
    job: Job,
    *,
    kind: ErrorKind,
    message: str,
    detail: str,
    ms: int,
    status: ControlStatus = ControlStatus.ERROR,
) -> ControlResult:
    control = job.control
    return ControlResult(
        control_id=control.id,
        control_version=control.version,
        stage=control.stage,
        status=status,
        duration_ms=ms,
        errors=(ControlError(kind=kind, message=message, fatal=True, detail=detail),),
        status_detail=message,
    )


def execute(job: Job, clock: Callable[[], float] = time.perf_counter) -> ControlResult:
    """Run one control and turn whatever happens into a ControlResult."""
    control = job.control
    start = clock()
    try:
        output = control.scan(job.context)
        if not isinstance(output, ControlOutput):
            raise TypeError(f"scan() returned {type(output).__name__}, not ControlOutput")
        bad = [f for f in output.findings if not isinstance(f, Finding)]
        if bad:
            raise TypeError(f"scan() returned {len(bad)} finding(s) that are not Finding objects")
    except ControlFailure as exc:
        ms = int((clock() - start) * 1000)
        return _crash(job, kind=exc.kind, message=exc.message, detail=exc.detail, ms=ms)
    except Cancelled:
        ms = int((clock() - start) * 1000)
        return _crash(
            job,
            kind=ErrorKind.TIMEOUT,
            message="cancelled",
            detail="",
            ms=ms,
            status=ControlStatus.TIMEOUT,
        )
    except Exception as exc:
        ms = int((clock() - start) * 1000)
        message = f"control crashed: {type(exc).__name__}: {exc}"
        return _crash(
            job, kind=ErrorKind.CRASH, message=message, detail=_traceback_summary(exc), ms=ms
        )
    ms = int((clock() - start) * 1000)
    return ControlResult(
        control_id=control.id,
        control_version=control.version,
        stage=control.stage,
        status=ControlStatus.OK,
        findings=tuple(sorted(output.findings)),
        components=tuple(sorted(output.components)),
        skipped=tuple(sorted(output.skipped)),
        errors=tuple(sorted(output.errors)),
        duration_ms=ms,
        files_scanned=output.files_scanned,
        data_versions=pairs(dict(output.data_versions)),
    )


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int,
    on_start: Callable[[Control], None] | None = None,
    on_done: Callable[[ControlResult], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[ControlResult]:
    """Run ``jobs`` at most ``workers`` at a time; never waits past a job's timeout."""
    pending: deque[int] = deque(range(len(jobs)))
    running: dict[int, float] = {}
    results: dict[int, ControlResult] = {}
    finished: list[tuple[int, ControlResult]] = []
    cond = threading.Condition()

    def work(index: int) -> None:
        result = execute(jobs[index])
        with cond:
            finished.append((index, result))
            cond.notify()

    def complete(index: int, result: ControlResult) -> None:
        results[index] = result
        del running[index]
        if on_done is not None:
            on_done(result)

    while pending or running:
        while pending and len(running) < max(1, workers):
            index = pending.popleft()
            if on_start is not None:
                on_start(jobs[index].control)
            running[index] = clock()
            threading.Thread(
                target=work, args=(index,), daemon=True, name=f"lockgate-{jobs[index].control.id}"
            ).start()
        with cond:
            if not finished:
                deadline = min(running[i] + jobs[i].timeout for i in running)
                cond.wait(timeout=max(0.0, deadline - clock()))
            done, finished[:] = list(finished), []
        for index, result in done:
            if index in running:
                complete(index, result)
        now = clock()
        for index in [i for i, started in running.items() if now - started >= jobs[i].timeout]:
            job = jobs[index]
            job.context.cancel.set()
            message = f"timed out after {job.timeout:g} s"
            complete(
                index,
                _crash(
                    job,
                    kind=ErrorKind.TIMEOUT,
                    message=message,
                    detail="the control was cancelled; raise its timeout with "
                    f"[controls.{job.control.id}] timeout = …",
                    ms=int(job.timeout * 1000),
                    status=ControlStatus.TIMEOUT,
                ),
            )
    return [results[i] for i in range(len(jobs))]
