"""The pull-request comment: verdict first, blockers next, details folded, size bounded."""

from __future__ import annotations

import dataclasses

import pytest

from lockgate.model import Decision, ScanReport, Verdict
from lockgate.reporters import RenderOptions
from lockgate.reporters.markdown import MarkdownReporter, escape_cell
from tests.helpers.sample_reports import EXCEPTION_ID, sample, sample_report
from tests.unit.reporters import check_golden

OPTIONS = RenderOptions(tool_version="0.1.0")


def _render(
    report: ScanReport | None = None,
    decision: Decision | None = None,
    options: RenderOptions = OPTIONS,
) -> str:
    sample_rep, sample_dec = sample()
    return MarkdownReporter().render(report or sample_rep, decision or sample_dec, options)


def _many_existing(count: int) -> tuple[ScanReport, Decision]:
    """The sample plus ``count`` more existing secrets: a large legacy repository."""
    report, decision = sample()
    secrets = report.results[0]
    extra = tuple(
        dataclasses.replace(
            secrets.findings[1], fingerprint=f"{i:032x}", title=f"AWS access key ID number {i}"
        )
        for i in range(count)
    )
    report = report.with_results(
        (dataclasses.replace(secrets, findings=secrets.findings + extra), *report.results[1:])
    )
    known = decision.for_finding(secrets.findings[1].fingerprint)
    assert known is not None
    decision = dataclasses.replace(
        decision,
        findings=decision.findings
        + tuple(dataclasses.replace(known, fingerprint=f.fingerprint) for f in extra),
    )
    return report, decision


def test_golden(update_goldens: bool) -> None:
    check_golden("sample.md", _render(), update_goldens)


@pytest.mark.parametrize(
    ("verdict", "first_line"),
    [
        (Verdict.FAIL, "❌ **lockgate: blocked**"),
        (Verdict.WARN, "⚠️ **lockgate: passed with warnings**"),
        (Verdict.PASS, "✅ **lockgate: passed**"),
    ],
)
def test_verdict_is_the_first_line(verdict: Verdict, first_line: str) -> None:
    _, decision = sample()
    text = _render(decision=dataclasses.replace(decision, verdict=verdict))
    assert text.splitlines()[0] == first_line


def test_summary_counts_findings_by_status_and_severity() -> None:
    summary = _render().splitlines()[2]
    assert "**New:** 1 CRITICAL, 1 HIGH, 1 MEDIUM, 1 LOW" in summary
    assert "**existing:** 1 HIGH, 1 MEDIUM" in summary
    assert "**suppressed:** 1 HIGH" in summary
    assert "2 controls failed" in summary


def test_blocking_findings_come_before_the_details() -> None:
    text = _render()
    blocking = text.index("### Blocking findings (1)")
    assert (
        text.index("| CRITICAL | secrets/aws-access-key-id | config/settings.py:14:21 |") > blocking
    )
    assert blocking < text.index("<details>")
    assert "deny: every build must produce an SBOM" in text[: text.index("<details>")]


def test_details_sections_are_all_there() -> None:
    text = _render()
    for title in (
        "⚠️ Warnings (1)",
        "Other new findings (2)",
        "Existing findings (2)",
        "Suppressed findings (1)",
        "🛑 Control errors (3)",
        "Skipped items (2)",
        "Gate reasons (7)",
    ):
        assert f"<summary>{title}</summary>" in text


def test_suppressed_findings_name_their_exception_and_owner() -> None:
    text = _render()
    section = text[text.index("Suppressed findings") :]
    row = next(line for line in section.splitlines() if "GHSA-j8r2-6x86-q33q" in line)
    assert EXCEPTION_ID in row
    assert "payments-team" in row


def test_cells_escape_pipes_backticks_and_html() -> None:
    text = _render()
    assert "Use of \\`eval\\` with &lt;user&gt; input \\| unsafe &amp; risky" in text
    assert "<user>" not in text
    assert escape_cell("a|b\n`c`<i>") == "a\\|b \\`c\\`&lt;i&gt;"


def test_without_a_decision_lists_facts_only() -> None:
    text = MarkdownReporter().render(sample_report(), None, OPTIONS)
    assert text.startswith("ℹ️ **lockgate: scan report** (no gate decision)")
    assert "### Findings (7)" in text
    assert "Gate reasons" not in text


def test_a_passing_change_says_nothing_blocks() -> None:
    _, decision = sample()
    clean = dataclasses.replace(decision, verdict=Verdict.PASS, stages=(), reasons=(), findings=())
    text = _render(decision=clean)
    assert "No findings block this change." in text
    assert "### Blocking findings" not in text


def test_long_comments_are_cut_from_the_lowest_priority_and_say_so() -> None:
    report, decision = _many_existing(400)
    options = RenderOptions(tool_version="0.1.0", max_markdown_chars=6000)
    text = _render(report, decision, options)
    assert len(text) <= 6000
    assert text.startswith("❌ **lockgate: blocked**")
    assert "| CRITICAL | secrets/aws-access-key-id | config/settings.py:14:21 |" in text
    assert "more left out to keep this comment within the size limit" in text
    assert "Existing findings (402)" in text  # the count stays true when rows are cut
    full = _render(report, decision)
    assert len(full) > 6000
    assert "left out" not in full


def test_blocking_rows_are_cut_last() -> None:
    report, decision = _many_existing(300)
    blocking_all = dataclasses.replace(
        decision,
        findings=tuple(
            dataclasses.replace(d, action=d.action.BLOCK, status=d.status.NEW)
            for d in decision.findings
        ),
    )
    options = RenderOptions(tool_version="0.1.0", max_markdown_chars=3000)
    text = _render(report=report, decision=blocking_all, options=options)
    assert len(text) <= 3000
    assert "### Blocking findings" in text
    assert "| CRITICAL | secrets/aws-access-key-id |" in text
