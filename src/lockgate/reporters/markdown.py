"""A pull-request comment: the verdict first, what blocks next, everything else folded away.

Reviewers read the first lines; the rest sits in ``<details>`` sections. The comment stays
under ``max_markdown_chars`` (code hosts reject larger ones) by cutting the lowest-priority
sections first and saying how many entries were left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lockgate.model import Decision, Finding, FindingStatus, ScanReport, Verdict
from lockgate.reporters._summary import (
    VERDICT_WORDS,
    Item,
    buckets,
    control_errors,
    count_by_status,
    failed_controls,
    finding_key,
    format_counts,
    items,
    reasons_for,
    skip_counts,
    skipped_items,
)
from lockgate.reporters.interface import RenderOptions

_EMOJI = {Verdict.PASS: "✅", Verdict.WARN: "⚠️", Verdict.FAIL: "❌"}
_CELL_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "~": "\\~",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "\n": " ",
        "\r": " ",
    }
)
_HTML_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})
_FINDING_COLUMNS = ("Severity", "Rule", "Location", "Title")


def escape_cell(text: str) -> str:
    """Text safe inside a table cell: no column breaks, code spans, emphasis, links or HTML."""
    return text.translate(_CELL_ESCAPES)


def _html(text: str) -> str:
    return text.translate(_HTML_ESCAPES)


def _row(*cells: str) -> str:
    return "| " + " | ".join(escape_cell(c) for c in cells) + " |\n"


def _table_head(columns: Sequence[str]) -> str:
    return "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"


def _where(finding: Finding) -> str:
    if finding.location is not None:
        return finding.location.display()
    component = finding.component
    if component is not None:
        manifest = component.manifest
        return f"{manifest.display()} ({component.purl})" if manifest else component.purl
    return finding.url or "-"


def _finding_row(item: Item) -> str:
    f = item.finding
    return _row(f.severity.value, f.rule_id, _where(f), f.title)


@dataclass(slots=True)
class _Section:
    """A block of the comment whose rows may be cut; ``priority`` decides who goes first."""

    priority: int
    opening: str
    rows: list[str]
    closing: str = ""
    table_head: str = ""

    def render(self, shown: int) -> str:
        if not self.rows:
            return ""
        left_out = len(self.rows) - shown
        if shown == 0:
            note = f"_All {left_out} left out to keep this comment within the size limit._\n"
            return f"{self.opening}{note}{self.closing}"
        note = (
            f"\n_… {left_out} more left out to keep this comment within the size limit._\n"
            if left_out
            else ""
        )
        return f"{self.opening}{self.table_head}{''.join(self.rows[:shown])}{note}{self.closing}"


def _details(
    title: str,
    count: int,
    priority: int,
    rows: list[str],
    columns: Sequence[str] = _FINDING_COLUMNS,
) -> _Section:
    opening = f"<details>\n<summary>{_html(title)} ({count})</summary>\n\n"
    return _Section(priority, opening, rows, "\n</details>\n\n", _table_head(columns))


def _summary_line(all_items: Sequence[Item], report: ScanReport, judged: bool) -> str:
    counts = count_by_status(all_items)
    parts = []
    if judged:
        for label, key in (
            ("New", FindingStatus.NEW),
            ("existing", FindingStatus.EXISTING),
            ("suppressed", FindingStatus.SUPPRESSED),
        ):
            if key in counts:
                parts.append(f"**{label}:** {format_counts(counts[key])}")
        if None in counts:
            parts.append(f"**not judged:** {format_counts(counts[None])}")
    elif None in counts:
        parts.append(f"**Findings:** {format_counts(counts[None])}")
    if not parts:
        parts.append("no findings")
    failed = len(failed_controls(report))
    if failed:
        parts.append(f"**{failed} control{'s' if failed != 1 else ''} failed**")
    skipped = len(skipped_items(report))
    if skipped:
        parts.append(f"{skipped} item{'s' if skipped != 1 else ''} skipped")
    return " · ".join(parts) + "\n\n"


def _worst_first(item: Item) -> tuple[Any, ...]:
    return (-item.finding.severity.rank, finding_key(item.finding))


def _finding_sections(all_items: Sequence[Item], decision: Decision | None) -> list[_Section]:
    """Findings worst first across stages: a reviewer fixes the worst one first."""
    all_items = sorted(all_items, key=_worst_first)
    b = buckets(all_items)
    if decision is None:
        rows = [_finding_row(i) for i in all_items]
        return [
            _Section(
                100, f"### Findings ({len(rows)})\n\n", rows, "\n", _table_head(_FINDING_COLUMNS)
            )
        ]
    blocking = [_finding_row(i) for i in b.blocking]
    sections = [
        _Section(
            100,
            f"### Blocking findings ({len(blocking)})\n\n",
            blocking,
            "\n",
            _table_head(_FINDING_COLUMNS),
        )
    ]
    why = [
        f"- ⛔ {escape_cell(r.message)}\n"
        for r in decision.all_reasons
        if r.verdict is Verdict.FAIL and r.fingerprint is None
    ]
    sections.append(
        _Section(90, "**Also blocking:**\n\n" if blocking else "**Blocked by:**\n\n", why, "\n")
    )
    sections.append(
        _details("⚠️ Warnings", len(b.warnings), 60, [_finding_row(i) for i in b.warnings])
    )
    sections.append(
        _details("Other new findings", len(b.other_new), 50, [_finding_row(i) for i in b.other_new])
    )
    sections.append(
        _details("Existing findings", len(b.existing), 30, [_finding_row(i) for i in b.existing])
    )
    suppressed = []
    for i in b.suppressed:
        f = i.finding
        notes = "; ".join(r.message for r in reasons_for(decision, f.fingerprint) if r.exception_id)
        suppressed.append(
            _row(
                f.severity.value, f.rule_id, _where(f), f.title, i.exception_id or "-", notes or "-"
            )
        )
    sections.append(
        _details(
            "Suppressed findings",
            len(suppressed),
            40,
            suppressed,
            (*_FINDING_COLUMNS, "Exception", "Note"),
        )
    )
    return sections


def _fact_sections(report: ScanReport, decision: Decision | None) -> list[_Section]:
    errors = [
        _row(
            r.control_id,
            r.stage.value,
            e.kind.value,
            "yes" if e.fatal else "no",
            e.message,
            f"{e.path}:{e.line}" if e.path and e.line else e.path or "-",
        )
        for r, e in control_errors(report)
    ]
    sections = [
        _details(
            "🛑 Control errors",
            len(errors),
            80,
            errors,
            ("Control", "Stage", "Kind", "Fatal", "Message", "Where"),
        )
    ]
    skips = skipped_items(report)
    by_reason = ", ".join(f"{reason.value}: {n}" for reason, n in skip_counts(report))
    skipped = _details(
        "Skipped items",
        len(skips),
        20,
        [_row(s.path, who, s.reason.value, s.detail or "-") for who, s in skips],
        ("Path", "Skipped by", "Reason", "Detail"),
    )
    skipped.opening += f"{escape_cell(by_reason)}\n\n" if by_reason else ""
    sections.append(skipped)
    if decision is not None:
        reasons = sorted(decision.all_reasons, key=lambda r: -r.verdict.rank)
        rows = [
            _row(
                r.verdict.value,
                r.code,
                str(r.stage or "-"),
                r.message,
                r.exception_id or r.policy or r.rule_id or r.control_id or "-",
            )
            for r in reasons
        ]
        sections.append(
            _details(
                "Gate reasons",
                len(rows),
                70,
                rows,
                ("Verdict", "Code", "Stage", "Message", "Subject"),
            )
        )
    return sections


def _fit(sections: list[_Section], fixed: int, limit: int) -> list[int]:
    """Rows to show per section: cut the lowest priority first, binary search each cut."""
    shown = [len(s.rows) for s in sections]
    total = fixed + sum(len(s.render(n)) for s, n in zip(sections, shown, strict=True))
    for idx in sorted(range(len(sections)), key=lambda i: sections[i].priority):
        if total <= limit:
            break
        section = sections[idx]
        rest = total - len(section.render(shown[idx]))
        lo, hi = 0, shown[idx]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if rest + len(section.render(mid)) <= limit:
                lo = mid
            else:
                hi = mid - 1
        shown[idx] = lo
        total = rest + len(section.render(lo))
    return shown


def render_markdown(report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
    """The comment text, at most ``options.max_markdown_chars`` characters long."""
    all_items = items(report, decision)
    if decision is None:
        head = "ℹ️ **lockgate: scan report** (no gate decision)\n\n"
    else:
        head = f"{_EMOJI[decision.verdict]} **lockgate: {VERDICT_WORDS[decision.verdict]}**\n\n"
    head += _summary_line(all_items, report, decision is not None)
    if decision is not None and not buckets(all_items).blocking:
        head += "No findings block this change.\n\n"
    sections = _finding_sections(all_items, decision) + _fact_sections(report, decision)
    footer = (
        f"<sub>lockgate {_html(options.tool_version)} · run {_html(report.run_id)}"
        f" · {_html(report.target.kind)} {_html(report.target.name)}</sub>\n"
    )
    shown = _fit(sections, len(head) + len(footer), options.max_markdown_chars)
    body = "".join(s.render(n) for s, n in zip(sections, shown, strict=True))
    text = head + body + footer
    if len(text) > options.max_markdown_chars:  # only when the fixed lines alone are too long
        cut = "\n\n_… truncated to fit the comment size limit._\n"
        text = text[: options.max_markdown_chars - len(cut)] + cut
    return text


class MarkdownReporter:
    """Markdown for a pull/merge-request comment (GitHub, GitLab flavoured)."""

    name = "markdown"
    default_filename = "lockgate.md"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """See :func:`render_markdown`."""
        return render_markdown(report, decision, options)
