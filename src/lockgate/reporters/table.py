"""The terminal view: findings per stage, worst first, and a verdict panel with every reason.

New findings get a row each; existing and suppressed ones collapse to a count unless
``verbose``, so a developer sees what their change introduced. Controls that crashed or
timed out are shown before anything else: their silence is not a clean result.
``rich`` is imported inside ``render`` to keep ``lockgate --help`` fast.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lockgate.model import Decision, FindingStatus, ScanReport, Severity, Stage, Verdict
from lockgate.reporters._summary import (
    VERDICT_WORDS,
    Item,
    control_errors,
    items,
    reason_label,
    skip_counts,
    skipped_items,
)
from lockgate.reporters.interface import RenderOptions

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
    Severity.UNKNOWN: "dim",
}
_STATUS_STYLE = {"NEW": "bold", "existing": "dim", "suppressed": "dim italic", "-": ""}
_VERDICT_STYLE = {Verdict.PASS: "green", Verdict.WARN: "yellow", Verdict.FAIL: "bold red"}


def _console(options: RenderOptions, buffer: io.StringIO) -> Console:
    """A console that writes to memory and ignores the environment (NO_COLOR, COLUMNS, …)."""
    from rich.console import Console

    return Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        _environ={},
    )


def _shown(item: Item, verbose: bool) -> bool:
    return verbose or item.blocking or item.warning or item.status in (None, FindingStatus.NEW)


def _findings_table(rows: Sequence[Item]) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Rule", overflow="fold")
    table.add_column("Location", overflow="fold")
    table.add_column("Title", overflow="fold", ratio=1)
    for item in rows:
        f = item.finding
        label = item.status_label
        table.add_row(
            Text(f.severity.value, style=SEVERITY_STYLE[f.severity]),
            Text(label, style=_STATUS_STYLE[label]),
            Text(f.rule_id),
            Text(f.subject),
            Text(f.title),
        )
    return table


def _stage_block(
    console: Console,
    stage: Stage,
    stage_items: Sequence[Item],
    decision: Decision | None,
    verbose: bool,
) -> None:
    from rich.rule import Rule
    from rich.text import Text

    title = Text(f"Stage: {stage.value}", style="bold")
    stage_verdict = (
        next((s.verdict for s in decision.stages if s.stage is stage), None)
        if decision is not None
        else None
    )
    if stage_verdict is not None:
        title.append(f" — {stage_verdict.value}", style=_VERDICT_STYLE[stage_verdict])
    console.print(Rule(title, align="left"))
    shown = [i for i in stage_items if _shown(i, verbose)]
    if shown:
        console.print(_findings_table(shown))
    else:
        console.print(Text("no new findings", style="dim"))
    hidden = [i for i in stage_items if not _shown(i, verbose)]
    if hidden:
        existing = sum(1 for i in hidden if i.status is FindingStatus.EXISTING)
        counts = [
            f"{n} {label}"
            for n, label in ((existing, "existing"), (len(hidden) - existing, "suppressed"))
            if n
        ]
        console.print(
            Text(f"+ {' and '.join(counts)} not listed (verbose lists them)", style="dim")
        )


def _errors_panel(console: Console, report: ScanReport) -> None:
    from rich.panel import Panel
    from rich.text import Text

    errors = control_errors(report)
    if not errors:
        return
    body = Text()
    for result, error in errors:
        where = f" at {error.path}" + (f":{error.line}" if error.line else "") if error.path else ""
        mark, style = ("FAILED", "bold red") if error.fatal else ("error", "yellow")
        body.append(f"{mark} ", style=style)
        body.append(
            f"{result.control_id} ({result.stage.value}, {error.kind.value}){where}: "
            f"{error.message}\n"
        )
    body.rstrip()
    console.print(Panel(body, title="Control errors", title_align="left", border_style="red"))


def _skipped_line(console: Console, report: ScanReport, verbose: bool) -> None:
    from rich.text import Text

    counts = skip_counts(report)
    if not counts:
        return
    total = sum(n for _, n in counts)
    detail = ", ".join(f"{reason.value} {n}" for reason, n in counts)
    console.print(Text(f"Skipped {total} item(s): {detail}", style="dim"))
    if verbose:
        for who, item in skipped_items(report):
            extra = f" ({item.detail})" if item.detail else ""
            console.print(Text(f"  {item.path}: {item.reason.value} by {who}{extra}", style="dim"))


def _verdict_panel(console: Console, decision: Decision | None) -> None:
    from rich.panel import Panel
    from rich.text import Text

    if decision is None:
        console.print(
            Panel(Text("no gate decision: facts only"), title="lockgate", title_align="left")
        )
        return
    body = Text()
    reasons = sorted(decision.all_reasons, key=lambda r: -r.verdict.rank)
    for reason in reasons:
        body.append(reason_label(reason) + "\n", style=_VERDICT_STYLE[reason.verdict])
    if not reasons:
        body.append("no reasons given")
    body.rstrip()
    title = f"lockgate: {VERDICT_WORDS[decision.verdict]}"
    console.print(
        Panel(body, title=title, title_align="left", border_style=_VERDICT_STYLE[decision.verdict])
    )


def render_table(report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
    """The terminal text (ANSI colour codes only when ``options.color``)."""
    from rich.text import Text

    buffer = io.StringIO()
    console = _console(options, buffer)
    target = report.target
    header = f"lockgate {options.tool_version} · {target.kind} {target.name}"
    if target.branch:
        header += f" · branch {target.branch}"
    console.print(Text(header + f" · run {report.run_id}", style="bold"))
    _errors_panel(console, report)
    all_items = items(report, decision)
    stages = sorted(
        set(report.stages) | {i.finding.stage for i in all_items}, key=lambda s: s.order
    )
    for stage in stages:
        _stage_block(
            console,
            stage,
            [i for i in all_items if i.finding.stage is stage],
            decision,
            options.verbose,
        )
    _skipped_line(console, report, options.verbose)
    _verdict_panel(console, decision)
    return buffer.getvalue()


class TableReporter:
    """A rich table for people at a terminal."""

    name = "table"
    default_filename = "lockgate.txt"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """See :func:`render_table`."""
        return render_table(report, decision, options)
