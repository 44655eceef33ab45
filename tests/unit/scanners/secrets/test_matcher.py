"""The reference matcher's building blocks give the answers a user relies on: which rule
wins an overlap, which paths a rule covers, exact positions and entropy."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.model.globs import any_glob_match
from lockgate.scanners.secrets.matcher import (
    LineIndex,
    SecretMatch,
    keep_most_specific,
    rule_applies_to_path,
    shannon_entropy,
)
from lockgate.scanners.secrets.rules import SecretRule, builtin_rules


def _rule(priority: int) -> SecretRule:
    base = builtin_rules().rules[0]
    return replace(base, id=f"p{priority}", priority=priority)


def _match(rule: SecretRule, start: int, end: int) -> SecretMatch:
    return SecretMatch(
        rule=rule,
        value="x" * (end - start),
        start=start,
        end=end,
        line=1,
        column=start + 1,
        end_line=1,
        end_column=end + 1,
        line_text="",
    )


def _naive_most_specific(matches: list[SecretMatch]) -> list[SecretMatch]:
    ordered = sorted(matches, key=lambda m: (m.start, m.end))
    return [
        m
        for m in ordered
        if not any(
            o.rule.priority > m.rule.priority and o.start < m.end and m.start < o.end
            for o in ordered
            if o is not m
        )
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from([10, 30, 50])),
        max_size=30,
    )
)
def test_the_most_specific_overlapping_match_wins(spans: list[tuple[int, int, int]]) -> None:
    rules = {p: _rule(p) for p in (10, 30, 50)}
    matches = [_match(rules[p], start, start + length) for start, length, p in spans]
    assert keep_most_specific(matches) == _naive_most_specific(matches)


def test_a_provider_token_beats_the_generic_assignment_it_sits_in() -> None:
    generic, provider = _rule(10), _rule(50)
    matches = [_match(generic, 4, 40), _match(provider, 10, 30), _match(generic, 50, 60)]
    assert [(m.rule.priority, m.start) for m in keep_most_specific(matches)] == [
        (50, 10),
        (10, 50),
    ]


def test_entropy_is_exactly_the_textbook_formula() -> None:
    rng = random.Random(3)
    for _ in range(500):
        value = "".join(
            rng.choice("abcdefABCDEF0123456789+/=_-") for _ in range(rng.randint(1, 80))
        )
        counts = Counter(value)
        expected = -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())
        assert shannon_entropy(value) == expected
    assert shannon_entropy("") == 0.0


def test_path_filters_answer_like_the_globs_themselves() -> None:
    paths = [
        "main.tf",
        "infra/prod/main.tf",
        "infra/main.tfvars",
        "x.tf.json",
        "notes.tfm",
        ".pgpass",
        "home/u/.pgpass",
        "a/.pgpass/inner",
        "src/app.py",
        "config/master.key",
        "deploy/config/credentials/prod.key",
        "WinSCP.ini",
        "tools/winscp-portable.ini",
        "settings.xml",
        "m2/settings.xml",
        "x/.dbeaver/data-sources.json",
        ".git-credentials",
        "docs/git/credentials",
    ]
    for rule in builtin_rules().rules:
        if not (rule.paths or rule.exclude_paths):
            continue
        for path in paths:
            expected = (not rule.paths or any_glob_match(path, rule.paths)) and not (
                rule.exclude_paths and any_glob_match(path, rule.exclude_paths)
            )
            assert rule_applies_to_path(rule, path) == expected, (rule.id, path)


def test_positions_are_exact_lines_and_columns() -> None:
    text = "ab\n\ncafé\nlast"
    index = LineIndex(text)
    assert [index.position(i) for i in (0, 2, 3, 4, 7, 9, 12)] == [
        (1, 1),
        (1, 3),
        (2, 1),
        (3, 1),
        (3, 4),
        (4, 1),
        (4, 4),
    ]
    assert [index.line_text(n) for n in (1, 2, 3, 4)] == ["ab", "", "café", "last"]
    assert LineIndex("").position(0) == (1, 1)
