"""Reference matching of secret rules over text with pure ``re``.

This module defines the semantics every engine must reproduce exactly: keyword prefilter
(case-insensitive substring of the content), path filters, the regex with its ``secret``
group, then the filters on the value (entropy, stopwords, allow regexes, allowed lines,
placeholders). The hyperscan engine only narrows down which rules run, and on which lines;
confirmation is always done here.
"""

from __future__ import annotations

import bisect
import math
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, repeat
from types import ModuleType

from lockgate.model.globs import any_glob_match
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
    total = len(value)
    log2 = math.log2
    # Counts in order of first occurrence (as ``Counter`` gives them): the same sum, bit
    # for bit, computed in C.
    return -sum([c / total * log2(c / total) for c in map(value.count, dict.fromkeys(value))])


_GLOB_SPECIAL = re.compile(r"\[[^\]]*\]|[][*?]")


class _Globs:
    """Path globs, tried only when a path holds, for some glob, the literal text that every
    path it matches contains; the last answer is remembered (rules share their globs)."""

    __slots__ = ("_last", "_literals", "patterns")

    def __init__(self, patterns: tuple[str, ...], literals: tuple[str, ...] | None) -> None:
        self.patterns = patterns
        self._literals = (
            re.compile("|".join(re.escape(lit) for lit in literals)) if literals else None
        )
        """``None`` when some glob has no literal part: then every path is tried."""
        self._last: tuple[str, bool] = ("", False)

    def match(self, path: str) -> bool:
        last_path, last = self._last
        if path == last_path and path:
            return last
        found = (self._literals is None or self._literals.search(path) is not None) and (
            any_glob_match(path, self.patterns)
        )
        self._last = (path, found)
        return found


@cache
def _globs(patterns: tuple[str, ...]) -> _Globs:
    literals: list[str] = []
    for pattern in patterns:
        # Outside wildcards and brackets, glob characters match themselves; slashes at the
        # ends of a run may be dropped by the glob ("**/" and anchoring), so they are not
        # counted.
        runs = [run.strip("/") for run in _GLOB_SPECIAL.split(pattern)]
        longest = max(runs, key=len, default="")
        if not longest:
            return _Globs(patterns, None)
        literals.append(longest)
    return _Globs(patterns, tuple(literals))


def has_path_filter(rule: SecretRule) -> bool:
    """Whether the rule is limited to, or kept away from, some paths."""
    return bool(rule.paths or rule.exclude_paths)


class PathFilter:
    """A rule's ``paths`` and ``exclude_paths``, ready to answer for many paths."""

    __slots__ = ("_exclude", "_include")

    def __init__(self, paths: tuple[str, ...], exclude_paths: tuple[str, ...]) -> None:
        self._include = _globs(paths) if paths else None
        self._exclude = _globs(exclude_paths) if exclude_paths else None

    def admits(self, path: str) -> bool:
        """Whether a rule with these filters applies to ``path``."""
        if self._include is not None and not self._include.match(path):
            return False
        return self._exclude is None or not self._exclude.match(path)


@cache
def path_filter(paths: tuple[str, ...], exclude_paths: tuple[str, ...]) -> PathFilter:
    """The (shared) filter for these globs."""
    return PathFilter(paths, exclude_paths)


def rule_applies_to_path(rule: SecretRule, path: str) -> bool:
    """Whether the rule's path filters admit ``path`` (rules without filters admit all)."""
    if not rule.paths and not rule.exclude_paths:
        return True
    return path_filter(rule.paths, rule.exclude_paths).admits(path)


def keyword_hit(rule: SecretRule, lowered: str) -> bool:
    """A keyword of the rule occurs; rules without keywords (path-restricted) always run."""
    return not rule.keywords or any(k in lowered for k in rule.keywords)


class LineIndex:
    """Offsets of line starts, for exact 1-based line and column numbers (computed on first
    use: most buffers never need them)."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        """Offset of the first character of each line."""
        if self._starts is None:
            lengths = map(len, self.text.split("\n")[:-1])
            self._starts = list(accumulate(map(operator.add, lengths, repeat(1)), initial=0))
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        starts = self.starts
        idx = bisect.bisect_right(starts, offset) - 1
        return idx + 1, offset - starts[idx] + 1

    def span(self, line: int) -> tuple[int, int]:
        """Offsets of the first character of ``line`` and of its end (its newline)."""
        starts = self.starts
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return starts[line - 1], end

    def line_text(self, line: int) -> str:
        start, end = self.span(line)
        return self.text[start:end]


@cache
def _placeholders() -> ModuleType:
    """The placeholder filter, imported on first use (its regexes cost start-up time)."""
    from lockgate.scanners.secrets import placeholders

    return placeholders


def value_rejected(
    rule: SecretRule, value: str, line_text: str, *, line_checked: bool = False
) -> bool:
    """Whether the value filters discard a regex match (``line_checked``: the rule's line
    allowlist already let ``line_text`` through)."""
    # Every test only rejects, so the cheap ones go first.
    if not value.strip():
        return True
    if rule.stopwords:
        lowered = value.lower()
        if any(word in lowered for word in rule.stopwords):
            return True
    if rule.entropy is not None and shannon_entropy(value) < rule.entropy:
        return True
    if rule.allow_patterns and rule.allowed_value.search(value):
        return True
    if rule.placeholder_filter and _placeholders().is_placeholder(value):
        return True
    return (
        not line_checked and bool(rule.allow_line_patterns) and rule.allowed_line.search(line_text)
    )


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


def line_scoped(rule: SecretRule) -> bool:
    """Whether the rule's regex runs on each keyword line on its own (else on the whole text)."""
    return rule.scope == "line" and bool(rule.keywords)


def _spans(
    rule: SecretRule, text: str, index: LineIndex, lowered: str | None
) -> Iterator[tuple[int, int]]:
    """Where the rule's regex runs: the whole text, or each keyword line on its own."""
    if not line_scoped(rule):
        yield 0, len(text)
        return
    low = lowered if lowered is not None else ascii_lower(text)
    for line in keyword_lines(rule, low, index):
        yield index.span(line)


def confirm(
    rule: SecretRule, text: str, index: LineIndex, lowered: str | None = None
) -> Iterator[SecretMatch]:
    """Every accepted match of one rule in ``text`` (``lowered``: its ASCII-lowered copy)."""
    whole_line = line_scoped(rule)
    for span_start, span_end in _spans(rule, text, index, lowered):
        yield from confirm_span(rule, text, index, span_start, span_end, whole_line=whole_line)


def confirm_span(
    rule: SecretRule,
    text: str,
    index: LineIndex,
    span_start: int,
    span_end: int,
    *,
    whole_line: bool = False,
    line_checked: bool = False,
) -> Iterator[SecretMatch]:
    """Every accepted match of the rule's regex within ``text[span_start:span_end]``.

    ``whole_line``: the span is exactly one line, so once the regex matches there, a line
    the rule's line allowlist accepts is left at once (every match on it would be rejected;
    the value filters need not run). ``line_checked``: that line is known to pass the line
    allowlist (it is not searched again)."""
    check_line = whole_line and bool(rule.allow_line_patterns) and not line_checked
    find, rfind = text.find, text.rfind
    for m in rule.regex.finditer(text, span_start, span_end):
        value = m.group("secret")
        if not value:
            continue
        if check_line:
            if rule.allowed_line.search(text[span_start:span_end]):
                return
            check_line = False
        start, end = m.span("secret")
        line_start = rfind("\n", 0, start) + 1
        line_end = find("\n", start)
        line_text = text[line_start : line_end if line_end != -1 else len(text)]
        if value_rejected(rule, value, line_text, line_checked=line_checked):
            continue
        line, column = index.position(start)
        end_line, end_column = index.position(max(start, end - 1))
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
    # Per priority: the starts of its matches (ascending) and the running maximum of their
    # ends, so "does a match of this priority overlap [start, end)?" is one bisection.
    levels: dict[int, tuple[list[int], list[int]]] = {}
    for m in ordered:
        starts, max_ends = levels.setdefault(m.rule.priority, ([], []))
        starts.append(m.start)
        max_ends.append(max(max_ends[-1], m.end) if max_ends else m.end)
    if len(levels) == 1:
        return ordered
    kept: list[SecretMatch] = []
    for m in ordered:
        priority = m.rule.priority
        for level, (starts, max_ends) in levels.items():
            if level <= priority:
                continue
            before = bisect.bisect_left(starts, m.end)  # matches starting before m ends
            if before and max_ends[before - 1] > m.start:
                break
        else:
            kept.append(m)
    return kept
