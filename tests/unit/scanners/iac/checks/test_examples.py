"""Every built-in check documents its verdict with examples, and the engine agrees."""

from __future__ import annotations

import pytest

from lockgate.scanners.iac.checks import builtin_checks
from lockgate.scanners.iac.engine import example_problems

CHECKS = {c.id: c for c in builtin_checks(compile_now=True).checks}


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_examples_give_the_documented_verdict(check_id: str) -> None:
    assert example_problems(CHECKS[check_id]) == []


def test_a_wrong_example_is_reported_with_the_check_and_its_index() -> None:
    from dataclasses import replace

    check = CHECKS["LG-K8S-001"]
    broken = replace(check, examples={"fail": check.examples["pass"], "pass": ()})
    problems = example_problems(broken)
    assert any("LG-K8S-001: examples.fail[0] gave pass, expected fail" in p for p in problems)
    assert any("no 'pass' example" in p for p in problems)
