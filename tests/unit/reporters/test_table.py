"""The terminal table: new findings listed, old ones counted, failures impossible to miss."""

from __future__ import annotations

import dataclasses

import pytest

from lockgate.reporters import RenderOptions
from lockgate.reporters.table import TableReporter
from tests.helpers.sample_reports import sample, sample_report
from tests.unit.reporters import check_golden

OPTIONS = RenderOptions(tool_version="0.1.0")


def _render(options: RenderOptions = OPTIONS) -> str:
    return TableReporter().render(*sample(), options)


def _row(text: str, title: str) -> str:
    return next(line for line in text.splitlines() if title in line)


def test_golden(update_goldens: bool) -> None:
    check_golden("sample.table.txt", _render(), update_goldens)


def test_new_findings_are_marked_new_and_old_ones_are_counted() -> None:
    text = _render()
    assert "NEW" in _row(text, "config/settings.py:14:21")
    assert "deploy/old env/legacy.cfg" not in text
    assert "+ 1 existing not listed" in text
    assert "+ 1 suppressed not listed" in text


def test_verbose_lists_existing_and_suppressed_findings() -> None:
    text = _render(dataclasses.replace(OPTIONS, verbose=True, width=160))
    assert "existing" in _row(text, "deploy/old env/legacy.cfg")
    assert "suppressed" in _row(text, "osv/GHSA-j8r2-6x86-q33q")
    assert "vendor/bundle.min.js: too-large by source" in text


def test_findings_are_grouped_by_stage_then_worst_first() -> None:
    text = _render()
    code, build, test = (text.index(f"Stage: {s}") for s in ("code", "build", "test"))
    assert code < text.index("config/settings.py") < text.index("app/calc.py") < build
    assert build < text.index("left-pad") < test


def test_control_errors_come_before_the_findings() -> None:
    text = _render()
    assert text.index("FAILED iac (code, crash)") < text.index("Stage: code")
    assert "FAILED dast-active (test, timeout)" in text


def test_verdict_panel_lists_every_reason() -> None:
    text = _render(dataclasses.replace(OPTIONS, width=200))
    panel = text[text.index("lockgate: blocked") :]
    _, decision = sample()
    for reason in decision.all_reasons:
        assert reason.message in panel


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in _render()
    assert "\x1b[" in _render(dataclasses.replace(OPTIONS, color=True))


@pytest.mark.parametrize("env", [{"FORCE_COLOR": "1"}, {"COLUMNS": "40"}, {"TERM": "dumb"}])
def test_environment_does_not_change_the_output(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    expected = _render()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _render() == expected


def test_lines_fit_the_width() -> None:
    text = _render(dataclasses.replace(OPTIONS, width=60))
    assert max(len(line) for line in text.splitlines()) <= 60


def test_without_a_decision_every_finding_is_listed() -> None:
    text = TableReporter().render(sample_report(), None, dataclasses.replace(OPTIONS, width=160))
    assert "deploy/old env/legacy.cfg" in text
    assert "no gate decision" in text
