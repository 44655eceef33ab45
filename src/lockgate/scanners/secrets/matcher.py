"""Reference matching of secret rules over text with pure ``re``.

This module defines the semantics every engine must reproduce exactly: keyword prefilter
(case-insensitive substring of the content), path filters, the regex with its ``secret``
group, then the filters on the value (entropy, stopwords, allow regexes, allowed lines,
placeholders). The hyperscan engine only narrows down which rules run; confirmation is
always done here.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from lockgate.model.globs import any_glob_match
from lockgate.scanners.secrets.placeholders import is_placeholder
from lockgate.scanners.secrets.rules import SecretRule


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretMatch:
    """A confirmed match. ``value`` is the raw secret: it never leaves the secrets package."""

    rule: SecretRule
    value: str = field(repr=False)
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    line_text: str = field(repr=False)
    encoding: str | None = None
    """Set when the secret was found inside a decoded base64 or hex blob."""
    literal: str | None = field(default=None, repr=False)
    """What literally appears in the line when it differs from ``value`` (the encoded blob);
    redaction masks this."""


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def rule_applies_to_path(rule: SecretRule, path: str) -> bool:
    """Whether the rule's path filters admit ``path`` (rules without filters admit all)."""
    if not rule.paths and not rule.exclude_paths:
        return True
    if rule.paths and not any_glob_match(path, rule.paths):
        return False
    return not (rule.exclude_paths and any_glob_match(path, rule.exclude_paths))


def keyword_hit(rule: SecretRule, lowered: str) -> bool:
    """A keyword of the rule occurs; rules without keywords (path-restricted) always run."""
    return not rule.keywords or any(k in lowered for k in rule.keywords)


class LineIndex:
    """Offsets of line starts, for exact 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        idx = bisect.bisect_right(self.starts, offset) - 1
        return idx + 1, offset - self.starts[idx] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]


def value_rejected(rule: SecretRule, value: str, line_text: str) -> bool:
    """Whether the value filters discard a regex match."""
    if not value.strip():
        return True
    lowered = value.lower()
    if rule.entropy is not None and shannon_entropy(value) < rule.entropy:
        return True
    if any(word in lowered for word in rule.stopwords):
        return True
    if any(p.search(value) for p in rule.allow_regexes):
        return True
    if any(p.search(line_text) for p in rule.allow_line_regexes):
        return True
    return rule.placeholder_filter and is_placeholder(value)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(text: str) -> str:
    """A lower-cased copy with every position unchanged, for finding keywords.

    ``str.lower`` is fast but may lengthen a few characters ('İ'); when the length holds,
    every character mapped to exactly one and positions are exact.
    """
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


@cache
def _keyword_regex(keywords: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True)))


def keyword_lines(rule: SecretRule, lowered: str, index: LineIndex) -> list[int]:
    """The 1-based lines that contain one of the rule's keywords, in order."""
    search = _keyword_regex(rule.keywords).search
    starts = index.starts
    lines: list[int] = []
    m = search(lowered)
    while m is not None:
        line, _ = index.position(m.start())
        lines.append(line)
        if line >= len(starts):
            break
        m = search(lowered, starts[line])  # continue on the next line: one hit is enough
    return lines


def _spans(
    rule: SecretRule, text: str, index: LineIndex, lowered: str | None
) -> Iterator[tuple[int, int]]:
    """Where the rule's regex runs: the whole text, or each keyword line on its own."""
    if rule.scope == "file":
        yield 0, len(text)
        return
    if not rule.keywords:
        yield 0, len(text)
        return
    low = lowered if lowered is not None else ascii_lower(text)
    for line in keyword_lines(rule, low, index):
        start = index.starts[line - 1]
        end = index.starts[line] - 1 if line < len(index.starts) else len(text)
        yield start, end


def confirm(
    rule: SecretRule, text: str, index: LineIndex, lowered: str | None = None
) -> Iterator[SecretMatch]:
    """Every accepted match of one rule in ``text`` (``lowered``: its ASCII-lowered copy)."""
    for span_start, span_end in _spans(rule, text, index, lowered):
        yield from _confirm_span(rule, text, index, span_start, span_end)


def _confirm_span(
    rule: SecretRule, text: str, index: LineIndex, span_start: int, span_end: int
) -> Iterator[SecretMatch]:
    for m in rule.regex.finditer(text, span_start, span_end):
        value = m.group("secret")
        if not value:
            continue
        start, end = m.span("secret")
        line, column = index.position(start)
        end_line, end_column = index.position(max(start, end - 1))
        line_text = index.line_text(line)
        if value_rejected(rule, value, line_text):
            continue
        yield SecretMatch(
            rule=rule,
            value=value,
            start=start,
            end=end,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column + 1,
            line_text=line_text,
        )


def match_text(rules: Iterable[SecretRule], text: str, path: str) -> list[SecretMatch]:
    """All matches of ``rules`` in ``text`` (the content of ``path``), in order of position."""
    lowered = ascii_lower(text)
    index: LineIndex | None = None
    out: list[SecretMatch] = []
    for rule in rules:
        if not rule_applies_to_path(rule, path) or not keyword_hit(rule, lowered):
            continue
        if index is None:
            index = LineIndex(text)
        out.extend(confirm(rule, text, index, lowered))
    out.sort(key=lambda m: (m.start, m.end, m.rule.id))
    return keep_most_specific(out)


def keep_most_specific(matches: list[SecretMatch]) -> list[SecretMatch]:
    """Drop matches whose secret overlaps a match of a higher-priority rule.

    A generic ``password = …`` rule and a provider rule often see the same token; the
    provider's finding says more, so only it is kept. Matches of equal priority all stay.
    """
    if len(matches) < 2:
        return matches
    ordered = sorted(matches, key=lambda m: (m.start, m.end))
    kept: list[SecretMatch] = []
    for m in ordered:
        beaten = any(
            o.rule.priority > m.rule.priority and o.start < m.end and m.start < o.end
            for o in ordered
            if o is not m and o.start < m.end + 1
        )
        if not beaten:
            kept.append(m)
    return kept
