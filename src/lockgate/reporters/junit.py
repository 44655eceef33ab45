"""JUnit XML, so CI systems (GitLab, Jenkins, Azure, CircleCI) show the gate as test results.

One ``testsuite`` per stage and one ``testcase`` per control: a ``<failure>`` lists the
control's blocking findings, an ``<error>`` says the control crashed or timed out, and
``<skipped>`` marks controls that did not apply. When a decision is given, a final
``lockgate.gate`` suite holds the overall verdict so policy denials fail the build too.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from lockgate.model import (
    ControlResult,
    ControlStatus,
    Decision,
    Reason,
    ScanReport,
    Stage,
    Verdict,
)
from lockgate.reporters._summary import VERDICT_WORDS, Item, items, reason_label
from lockgate.reporters.interface import RenderOptions

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SKIPPED = (ControlStatus.NOT_APPLICABLE, ControlStatus.DESELECTED)


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters even escaped; show them as U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _finding_line(item: Item) -> str:
    f = item.finding
    return f"{f.severity.value} {f.rule_id} at {f.subject}: {f.title}"


class _Counts:
    def __init__(self) -> None:
        self.tests = self.failures = self.errors = self.skipped = 0
        self.ms = 0

    def add(self, other: _Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped
        self.ms += other.ms

    def stamp(self, element: ET.Element) -> None:
        element.set("tests", str(self.tests))
        element.set("failures", str(self.failures))
        element.set("errors", str(self.errors))
        element.set("skipped", str(self.skipped))
        element.set("time", _seconds(self.ms))


def _testcase(suite: ET.Element, result: ControlResult, found: list[Item], counts: _Counts) -> None:
    """One control: error beats failure (a crashed control's findings are incomplete)."""
    case = _sub(
        suite,
        "testcase",
        classname=f"lockgate.{result.stage.value}",
        name=result.control_id,
        time=_seconds(result.duration_ms),
    )
    counts.tests += 1
    counts.ms += result.duration_ms
    blocking = [i for i in found if i.blocking]
    out = [f"warning: {_finding_line(i)}" for i in found if i.warning]
    if result.status.failed:
        fatal = [e for e in result.errors if e.fatal]
        text = "\n".join(
            f"{e.kind.value}: {e.message}" + (f"\n{e.detail}" if e.detail else "") for e in fatal
        )
        _sub(case, "error", text, message=fatal[0].message, type=fatal[0].kind.value)
        counts.errors += 1
        out += [f"blocking: {_finding_line(i)}" for i in blocking]
    elif blocking:
        noun = "finding" if len(blocking) == 1 else "findings"
        _sub(
            case,
            "failure",
            "\n".join(_finding_line(i) for i in blocking),
            message=f"{len(blocking)} blocking {noun}",
            type="blocking",
        )
        counts.failures += 1
    elif result.status in _SKIPPED:
        detail = f": {result.status_detail}" if result.status_detail else ""
        _sub(case, "skipped", message=f"{result.status.value}{detail}")
        counts.skipped += 1
    for error in result.errors:
        if not error.fatal:
            where = (
                f" {error.path}:{error.line}"
                if error.path and error.line
                else (f" {error.path}" if error.path else "")
            )
            out.append(f"error ({error.kind.value}){where}: {error.message}")
    if result.skipped:
        out.append(f"skipped {len(result.skipped)} item(s)")
    if out:
        _sub(case, "system-out", "\n".join(out))


def _suite(root: ET.Element, name: str, timestamp: str) -> ET.Element:
    suite = _sub(root, "testsuite", name=name)
    _Counts().stamp(suite)  # reserve the attribute order; the real counts come last
    suite.set("timestamp", timestamp)
    return suite


def _stages(report: ScanReport) -> list[Stage]:
    present = set(report.stages) | {r.stage for r in report.results}
    return sorted(present, key=lambda s: s.order)


def _gate_suite(root: ET.Element, decision: Decision, timestamp: str) -> _Counts:
    counts = _Counts()
    suite = _suite(root, "lockgate.gate", timestamp)
    case = _sub(suite, "testcase", classname="lockgate.gate", name="verdict", time=_seconds(0))
    counts.tests = 1
    failing = [r for r in decision.all_reasons if r.verdict is Verdict.FAIL]
    if decision.verdict is Verdict.FAIL:
        _sub(
            case,
            "failure",
            "\n".join(_reason_lines(failing)),
            message=f"lockgate: {VERDICT_WORDS[decision.verdict]}",
            type="gate",
        )
        counts.failures = 1
    warnings = [r for r in decision.all_reasons if r.verdict is Verdict.WARN]
    if warnings:
        _sub(case, "system-out", "\n".join(_reason_lines(warnings)))
    counts.stamp(suite)
    return counts


def _reason_lines(reasons: Iterable[Reason]) -> list[str]:
    return [reason_label(r) for r in reasons]


def render_junit(report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
    """The JUnit XML document with correct tests/failures/errors/skipped counts."""
    del options
    root = ET.Element("testsuites", {"name": "lockgate"})
    _Counts().stamp(root)
    # JUnit timestamps carry no zone: write UTC, never the machine's local time.
    timestamp = report.started_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    by_control: dict[tuple[Stage, str], list[Item]] = {}
    for item in items(report, decision):
        key = (item.finding.stage, item.finding.control_id)
        by_control.setdefault(key, []).append(item)
    total = _Counts()
    for stage in _stages(report):
        counts = _Counts()
        suite = _suite(root, f"lockgate.{stage.value}", timestamp)
        verdict = (
            next((s.verdict for s in decision.stages if s.stage is stage), None)
            if decision is not None
            else None
        )
        if verdict is not None:
            props = _sub(suite, "properties")
            _sub(props, "property", name="verdict", value=verdict.value)
        for result in sorted(report.results_for(stage), key=lambda r: r.control_id):
            _testcase(suite, result, by_control.get((stage, result.control_id), []), counts)
        counts.stamp(suite)
        total.add(counts)
    if decision is not None:
        total.add(_gate_suite(root, decision, timestamp))
    total.stamp(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class JunitReporter:
    """JUnit XML: stages as suites, controls as test cases, the gate as a final suite."""

    name = "junit"
    default_filename = "lockgate-junit.xml"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """See :func:`render_junit`."""
        return render_junit(report, decision, options)
