"""Helm charts rendered with ``helm template`` when ``helm`` is on PATH.

The chart is rendered with its own ``values.yaml`` only, offline (dependencies are never
updated; a chart whose ``charts/`` are missing fails to render and says so). Each rendered
object is traced back to its template through the ``# Source:`` comment helm writes, so a
finding points at ``templates/deployment.yaml`` near the document that produced it. When
``helm`` is missing or fails, the chart is reported as skipped with the reason.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers.kubernetes import (
    ManifestObject,
    Outcome,
    SourceError,
    load_manifests,
    read_text,
    to_resource,
)
from lockgate.scanners.iac.resources import MAX_DOCUMENT_BYTES
from lockgate.scanners.iac.suppress import for_range, scan_lines

HELM_TIMEOUT_SECONDS = 60
#: The release name ``helm template`` uses when none is given.
RELEASE_NAME = "release-name"
_SOURCE = re.compile(r"^#\s*Source:\s*(?P<path>\S.*?)\s*$")
_SEPARATOR = re.compile(r"^---(?:\s|$)")


def render_chart(root: Path, chart_yaml: str) -> Outcome:
    """Resources of the chart whose ``Chart.yaml`` is ``chart_yaml`` (relative to root)."""
    outcome = Outcome()
    chart_dir = posixpath.dirname(chart_yaml)
    helm = shutil.which("helm")
    if helm is None:
        outcome.skipped.append(
            SkippedItem(
                path=chart_yaml,
                reason=SkipReason.UNSUPPORTED,
                detail="helm not found on PATH: chart not rendered",
            )
        )
        return outcome
    base = root.resolve()
    chart = (base / chart_dir).resolve()
    if not chart.is_relative_to(base):
        outcome.errors.append(_error(chart_yaml, "chart directory resolves outside the root"))
        return outcome
    rendered = _run_helm(helm, chart, chart_yaml, outcome)
    if rendered is None:
        return outcome
    loaded = load_manifests(rendered, chart_yaml, rendered=True)
    rendered_lines = rendered.splitlines()
    outcome.errors.extend(_rendered_error(e, rendered_lines) for e in loaded.errors)
    outcome.skipped.extend(loaded.skipped)
    tracer = _Tracer(root, chart_dir)
    for obj in loaded.objects:
        source = _source_of(rendered_lines, obj.start_line)
        traced = tracer.trace(obj, source)
        outcome.resources.append(to_resource(traced, path=chart_yaml, module=chart_dir or "."))
    return outcome


def _run_helm(helm: str, chart: Path, chart_yaml: str, outcome: Outcome) -> str | None:
    command = [helm, "template", RELEASE_NAME, str(chart), "--include-crds"]
    values = chart / "values.yaml"
    if values.is_file():
        command += ["--values", str(values)]
    try:
        completed = subprocess.run(  # fixed argv, no shell
            command,
            capture_output=True,
            timeout=HELM_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
            cwd=chart,
        )
    except subprocess.TimeoutExpired:
        outcome.skipped.append(
            _not_rendered(chart_yaml, f"helm template timed out after {HELM_TIMEOUT_SECONDS} s")
        )
        return None
    except OSError as exc:
        outcome.skipped.append(_not_rendered(chart_yaml, f"helm could not run: {exc}"))
        return None
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        why = stderr.splitlines()[-1] if stderr else f"exit status {completed.returncode}"
        outcome.skipped.append(_not_rendered(chart_yaml, f"helm template failed: {why[:500]}"))
        return None
    if len(completed.stdout) > MAX_DOCUMENT_BYTES:
        outcome.errors.append(
            _error(chart_yaml, f"helm template output larger than {MAX_DOCUMENT_BYTES} bytes")
        )
        return None
    try:
        return completed.stdout.decode("utf-8")
    except UnicodeDecodeError:
        outcome.errors.append(_error(chart_yaml, "helm template output is not UTF-8"))
        return None


def _source_of(lines: Sequence[str], start_line: int) -> str | None:
    """The ``# Source:`` helm wrote above the document holding ``start_line``."""
    for index in range(min(start_line, len(lines)) - 1, -1, -1):
        line = lines[index]
        match = _SOURCE.match(line)
        if match is not None:
            return match.group("path")
        if _SEPARATOR.match(line):
            return None
    return None


class _Tracer:
    """Maps a rendered object to its template file and the lines of its document there."""

    def __init__(self, root: Path, chart_dir: str) -> None:
        self.root = root
        self.chart_dir = chart_dir
        self.templates: dict[str, tuple[list[str], list[tuple[int, int]]] | None] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def trace(self, obj: ManifestObject, source: str | None) -> ManifestObject:
        template = self._template_path(source)
        loaded = self._load(template) if template is not None else None
        if template is None or loaded is None:
            return obj  # stays on the rendered output's lines, attributed to Chart.yaml
        lines, documents = loaded
        kind = str(obj.data.get("kind"))
        occurrence = self.seen.get((template, kind), 0)
        self.seen[(template, kind)] = occurrence + 1
        start, end = _document_of(lines, documents, kind, occurrence)
        markers = scan_lines(lines)
        own = for_range(markers, lines, start, end)
        known = {(s.check_id, s.reason) for s in own}
        extra = tuple(s for s in obj.suppressions if (s.check_id, s.reason) not in known)
        return replace(obj, path=template, start_line=start, end_line=end, suppressions=own + extra)

    def _template_path(self, source: str | None) -> str | None:
        if not source or source.startswith("/") or "/" not in source:
            return None
        inside = source.split("/", 1)[1]  # drop the chart name helm puts first
        joined = posixpath.normpath(posixpath.join(self.chart_dir, inside))
        if joined.startswith("../") or joined == "..":
            return None
        return joined

    def _load(self, template: str) -> tuple[list[str], list[tuple[int, int]]] | None:
        if template not in self.templates:
            try:
                text = read_text(self.root, template)
            except SourceError:
                self.templates[template] = None
            else:
                lines = text.splitlines()
                self.templates[template] = (lines, _documents(lines))
        return self.templates[template]


def _documents(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Line ranges of the ``---``-separated documents of a template, blank edges trimmed."""
    ranges: list[tuple[int, int]] = []
    start = 1
    for number, line in enumerate([*lines, "---"], start=1):
        if not _SEPARATOR.match(line):
            continue
        first, last = start, number - 1
        while first <= last and not lines[first - 1].strip():
            first += 1
        while last >= first and not lines[last - 1].strip():
            last -= 1
        if first <= last:
            ranges.append((first, last))
        start = number + 1
    return ranges or [(1, max(1, len(lines)))]


def _document_of(
    lines: Sequence[str], documents: list[tuple[int, int]], kind: str, occurrence: int
) -> tuple[int, int]:
    """The template document that declares ``kind`` (the n-th one for repeated kinds)."""
    declares = re.compile(rf"^\s*kind:\s*[\"']?{re.escape(kind)}[\"']?\s*(?:#.*)?$")
    matching = [
        (first, last)
        for first, last in documents
        if any(declares.match(lines[n - 1]) for n in range(first, last + 1))
    ]
    if matching:
        return matching[min(occurrence, len(matching) - 1)]
    if len(documents) == 1:
        return documents[0]
    return 1, max(1, len(lines))


def _not_rendered(chart_yaml: str, why: str) -> SkippedItem:
    return SkippedItem(
        path=chart_yaml, reason=SkipReason.OTHER, detail=f"{why}: chart not rendered"
    )


def _rendered_error(error: ControlError, lines: Sequence[str]) -> ControlError:
    """An error in the rendered output, said in terms of the template that produced it.

    Its line counts in the output, not in ``Chart.yaml``, so it moves into the message.
    """
    where = "helm template output"
    if error.line is not None:
        source = _source_of(lines, error.line)
        where += f" line {error.line}" + (f" (from {source})" if source else "")
    return replace(error, message=f"{where}: {error.message}", line=None)


def _error(path: str, message: str) -> ControlError:
    return ControlError(kind=ErrorKind.TOOL, message=message, fatal=False, path=path)
