"""Prefilter patterns are broader supersets of the rule regexes that hyperscan compiles fast
and matches reliably."""

from __future__ import annotations

import pytest

from lockgate.scanners.secrets.prefilter_patterns import prefilter_pattern
from lockgate.scanners.secrets.rules import builtin_rules


def test_counted_repeats_keep_at_most_the_limit_as_a_lower_bound() -> None:
    assert prefilter_pattern(r"a{2}b{3,5}c{40,8192}d{7,}", limit=16) == r"a{2,}b{3,}c{16,}d{7,}"


def test_multi_line_anchors_are_dropped_and_a_line_end_becomes_a_newline() -> None:
    assert prefilter_pattern(r"(?m)(?:^|[ =])-x\Ay\Z$") == r"(?m)(?:|[ =])-xy"
    assert prefilter_pattern(r"(?i)(?-m:^x)$") == r"(?i)(?-m:x)"
    assert prefilter_pattern(r"(?:\x22|$)", line=True) == r"(?:\x22|(?:\n|\z))"
    assert prefilter_pattern(r"^?a$*", line=True) == r"(?:)?a(?:\n|\z)*"


def test_buffer_anchors_keep_a_token_bounded() -> None:
    pattern = r"(?:^|[^A-Za-z0-9])(?P<secret>EAA[A-Za-z0-9]{100,400})(?:[^A-Za-z0-9]|$)"
    assert prefilter_pattern(pattern, 256) == pattern.replace("{100,400}", "{100,}")


def test_classes_and_escapes_are_left_alone() -> None:
    pattern = r"[^\s$^\]]{3}\^\$\\[]x{2}]"
    assert prefilter_pattern(pattern, limit=2) == r"[^\s$^\]]{2,}\^\$\\[]x{2}]"


@pytest.mark.slow
def test_every_shipped_rule_compiles_in_utf8_mode_too() -> None:
    """A rule hyperscan cannot compile still works (keywords decide), only slower."""
    hyperscan = pytest.importorskip("hyperscan")
    rules = builtin_rules().rules
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_UTF8
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[prefilter_pattern(r.pattern, line=r.scope == "line").encode() for r in rules],
        ids=list(range(len(rules))),
        elements=len(rules),
        flags=[flags] * len(rules),
    )
