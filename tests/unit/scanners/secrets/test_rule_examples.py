"""Every built-in secret rule carries example true and false positives; run them all."""

from __future__ import annotations

import pytest

from lockgate.scanners.secrets.matcher import match_text
from lockgate.scanners.secrets.rules import SecretRule, builtin_rules

RULES = builtin_rules().rules


def _ids(rule: SecretRule) -> str:
    return rule.id


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_positive_examples_are_found(rule: SecretRule) -> None:
    for example in rule.example_positives:
        found = [m for m in match_text([rule], example, rule.example_path) if m.rule is rule]
        assert found, f"{rule.id}: positive example not matched: {example[:60]!r}"


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_negative_examples_are_not_found(rule: SecretRule) -> None:
    for example in rule.example_negatives:
        found = [m for m in match_text([rule], example, rule.example_path) if m.rule is rule]
        assert not found, f"{rule.id}: negative example matched: {example[:60]!r}"


def test_rule_set_is_large_and_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150
