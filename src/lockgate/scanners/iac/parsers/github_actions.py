"""GitHub Actions workflows (``.github/workflows/*.yml``): one resource per workflow file.

The resource (type ``github_workflow``, address ``workflow/<file name>``, lines of the whole
file) is the workflow as written, except that:

* the ``on`` key stays the string ``"on"`` (YAML 1.1 would read it as ``true``) and is
  normalised to a map: ``on: push`` and ``on: [push, pull_request]`` become
  ``{"push": None}`` and ``{"push": None, "pull_request": None}``;
* a computed key ``"_steps"`` lists every step of every job, in file order, as
  ``{"job": <job id>, "index": <0-based position in the job>, "name", "uses", "run",
  "with": {...}, "env": {...}, "line": <line of the step>}`` (``name``, ``uses``, ``run``
  are ``None`` and ``with``/``env`` empty maps when the step does not set them), so that a
  check can ask ``resource._steps.exists(s, ...)`` without nesting over jobs.

Jobs that call a reusable workflow (``jobs.<id>.uses``) have no steps; checks read them
from ``resource.jobs``. A file that is not a mapping, or lacks ``on`` or ``jobs``, is a
located error: GitHub refuses such a workflow too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._yaml import Document, YamlError, load_documents
from lockgate.scanners.iac.parsers.dockerfile import read_source
from lockgate.scanners.iac.resources import ParseResult, Resource
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "github-actions"
TYPE = "github_workflow"


class WorkflowError(ValueError):
    """A workflow GitHub would refuse, at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """One ``github_workflow`` resource per readable, well-formed workflow file."""
    resources: list[Resource] = []
    errors: list[ControlError] = []
    skipped: list[SkippedItem] = []
    base = root.resolve()
    for path in paths:
        text = read_source(base, path, skipped, errors)
        if text is None:
            continue
        try:
            documents = [d for d in load_documents(text, path) if d.data is not None]
        except YamlError as exc:
            errors.append(exc.to_control_error(path))
            continue
        if not documents:
            skipped.append(
                SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail="empty file")
            )
            continue
        try:
            if len(documents) > 1:
                raise WorkflowError(
                    "a workflow file holds one YAML document", documents[1].start_line
                )
            resources.append(workflow_resource(documents[0], path, text.splitlines()))
        except WorkflowError as exc:
            errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    message=f"invalid workflow: {exc.message}",
                    fatal=False,
                    path=path,
                    line=exc.line,
                )
            )
    return ParseResult(resources=tuple(resources), errors=tuple(errors), skipped=tuple(skipped))


def workflow_resource(document: Document, path: str, lines: Sequence[str]) -> Resource:
    """The ``github_workflow`` resource of one loaded workflow document."""
    data = document.data
    if not isinstance(data, dict):
        raise WorkflowError("a workflow must be a mapping", document.start_line)
    if "on" not in data:
        raise WorkflowError("no 'on' trigger", document.start_line)
    jobs = data.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        raise WorkflowError(
            "'jobs' must be a non-empty mapping", document.line_of(("jobs",), nearest=True)
        )
    workflow = dict(data)
    workflow["on"] = triggers(data["on"], document.line_of(("on",)))
    workflow["_steps"] = _steps(document, jobs)
    end = max(len(lines), 1)
    return Resource(
        kind=KIND,
        type=TYPE,
        address=f"workflow/{path.rpartition('/')[2]}",
        path=path,
        start_line=1,
        end_line=end,
        data=workflow,
        suppressions=for_range(scan_lines(lines), lines, 1, end),
    )


def triggers(on: Any, line: int | None) -> dict[str, Any]:
    """``on`` as a map of event -> configuration (``None`` when the event has none)."""
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list) and all(isinstance(event, str) for event in on):
        return dict.fromkeys(on)
    if isinstance(on, dict):
        return on
    raise WorkflowError("'on' must be an event name, a list of events or a map", line)


def _steps(document: Document, jobs: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            raise WorkflowError(
                f"job {job_id!r} must be a mapping", document.line_of(("jobs", job_id))
            )
        job_steps = job.get("steps")
        if job_steps is None:
            continue
        if not isinstance(job_steps, list):
            line = document.line_of(("jobs", job_id, "steps"))
            raise WorkflowError(f"steps of job {job_id!r} must be a list", line)
        for index, step in enumerate(job_steps):
            if not isinstance(step, dict):
                line = document.line_of(("jobs", job_id, "steps", index))
                raise WorkflowError(f"step {index} of job {job_id!r} must be a mapping", line)
            steps.append(
                {
                    "job": job_id,
                    "index": index,
                    "name": step.get("name"),
                    "uses": step.get("uses"),
                    "run": step.get("run"),
                    "with": _mapping(step.get("with")),
                    "env": _mapping(step.get("env")),
                    "line": document.line_of(("jobs", job_id, "steps", index)),
                }
            )
    return steps


def _mapping(value: Any) -> Any:
    return {} if value is None else value
