"""Scan byte streams for secrets in bounded memory: windows with overlap, exact positions.

Files are read in windows of ``WINDOW`` bytes plus ``OVERLAP`` bytes of look-ahead, so a
50 MB single-line file costs a few megabytes of memory and linear time. A match belongs to
the window in which it starts; lines and columns are absolute (1-based, columns counted
in characters).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import BinaryIO

from lockgate.scanners.secrets.engines import Prefilter, Selection
from lockgate.scanners.secrets.matcher import (
    LineIndex,
    SecretMatch,
    ascii_lower,
    confirm,
    confirm_span,
    keep_most_specific,
    line_scoped,
)
from lockgate.scanners.secrets.rules import SecretRule

WINDOW = 4 * 1024 * 1024
OVERLAP = 64 * 1024


def decode(data: bytes) -> str:
    """Text for the regexes: UTF-8 with undecodable bytes kept as surrogates (positions stay
    exact and nothing is silently replaced)."""
    return data.decode("utf-8", "surrogateescape")


class SecretScanner:
    """Finds confirmed secret matches in buffers and streams."""

    def __init__(self, *, rules: Sequence[SecretRule], prefilter: Prefilter) -> None:
        self.rules = tuple(rules)
        self.prefilter = prefilter

    def scan_buffer(self, data: bytes, path: str) -> list[SecretMatch]:
        """Every match in ``data`` (the whole content of ``path``), in position order."""
        return self._scan_window(data, path, final=True, limit=len(data))

    def _scan_window(self, data: bytes, path: str, *, final: bool, limit: int) -> list[SecretMatch]:
        # One prefilter pass; nothing else happens to a buffer without candidates.
        selection = self.prefilter.select(data, path)
        if not selection.rules:
            return []
        ascii_ = data.isascii() if selection.ascii is None else selection.ascii
        spans = _ascii_spans(selection, data) if ascii_ and selection.ends else {}
        if spans and all(spans.get(r.id) == [] for r in selection.rules):
            return []  # no hinted line holds a keyword: not even worth decoding
        text = decode(data)
        found = _confirm(selection, data, text, spans)
        if not found:
            return []
        found.sort(key=lambda m: (m.start, m.end, m.rule.id))
        kept = keep_most_specific(found)
        if final:
            return kept
        if ascii_:  # byte and character offsets coincide
            return [m for m in kept if m.start < limit]
        return [m for m in kept if len(text[: m.start].encode("utf-8", "surrogateescape")) < limit]

    def scan_stream(self, stream: BinaryIO, path: str) -> Iterator[SecretMatch]:
        """Every match in a stream of any size, in windows with overlap."""
        line_at, col_at = 1, 0
        buf = stream.read(WINDOW + OVERLAP)
        while buf:
            final = len(buf) < WINDOW + OVERLAP
            for match in self._scan_window(buf, path, final=final, limit=WINDOW):
                yield _shift(match, line_at, col_at)
            if final:
                return
            consumed = buf[:WINDOW]
            newlines = consumed.count(b"\n")
            if newlines:
                line_at += newlines
                col_at = len(decode(consumed[consumed.rfind(b"\n") + 1 :]))
            else:
                col_at += len(decode(consumed))
            buf = buf[WINDOW:] + stream.read(WINDOW)


def _ascii_spans(selection: Selection, data: bytes) -> dict[str, list[tuple[int, int]]]:
    """For an ASCII buffer, where byte and character offsets coincide: the lines to confirm
    for each line-scoped rule the prefilter gave hints for."""
    spans = {}
    for rule in selection.rules:
        ends = selection.ends.get(rule.id)
        if ends is not None and line_scoped(rule):
            spans[rule.id] = _ascii_hinted_lines(rule, data, ends)
    return spans


def _confirm(
    selection: Selection, data: bytes, text: str, spans: dict[str, list[tuple[int, int]]]
) -> list[SecretMatch]:
    """The accepted matches of the selected rules: on the lines in ``spans`` or hinted by the
    prefilter, on every keyword line, or on the whole text, as each rule allows."""
    index = LineIndex(text)
    lowered: str | None = None
    found: list[SecretMatch] = []
    for rule in selection.rules:
        rule_spans: Iterable[tuple[int, int]] | None = spans.get(rule.id)
        if rule_spans is None and line_scoped(rule):
            if lowered is None:
                lowered = ascii_lower(text)
            ends = selection.ends.get(rule.id)
            if ends is not None:
                rule_spans = _hinted_lines(rule, data, index, ends=ends, lowered=lowered)
        if rule_spans is None:
            found.extend(confirm(rule, text, index, lowered))
            continue
        # rule_spans are whole lines here (hinted lines of a line-scoped rule), each one
        # already past the rule's line allowlist.
        for start, end in rule_spans:
            found.extend(
                confirm_span(rule, text, index, start, end, whole_line=True, line_checked=True)
            )
    return found


def _ascii_hinted_lines(
    rule: SecretRule, data: bytes, ends: Sequence[int]
) -> list[tuple[int, int]]:
    """In an ASCII buffer: the lines, as spans in order, that hold an offset of ``ends``
    (where the prefilter says a match may end) and one of the rule's keywords, the only
    lines where the rule's regex, run on each keyword line on its own, can match. A line the
    rule's line allowlist accepts is left out: no match on it would be kept."""
    keywords = rule.keyword_bytes
    allowed = rule.allowed_line.search if rule.allow_line_patterns else None
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    for end in sorted(set(ends)):
        last = end - 1  # the last byte of the possible match
        if last < 0:
            continue
        start = data.rfind(b"\n", 0, last) + 1
        if start in seen:
            continue
        seen.add(start)
        stop = data.find(b"\n", last)
        if stop == -1:
            stop = len(data)
        line = data[start:stop]
        lowered = line.lower()
        if any(k in lowered for k in keywords) and not (
            allowed is not None and allowed(line.decode("ascii"))
        ):
            spans.append((start, stop))
    return spans


def _hinted_lines(
    rule: SecretRule, data: bytes, index: LineIndex, *, ends: Sequence[int], lowered: str
) -> Iterator[tuple[int, int]]:
    """Like :func:`_ascii_hinted_lines` for any buffer: lines are counted on the bytes (a
    newline byte is a newline character), keywords found in the ASCII-lowered text."""
    keywords = rule.keywords
    allowed = rule.allowed_line.search if rule.allow_line_patterns else None
    seen: set[int] = set()
    at, line_no = 0, 1
    for end in sorted(set(ends)):
        last = end - 1
        if last < 0:
            continue
        line_no += data.count(b"\n", at, last)
        at = last
        if line_no in seen:
            continue
        seen.add(line_no)
        start, stop = index.span(line_no)
        if any(k in lowered[start:stop] for k in keywords) and not (
            allowed is not None and allowed(index.text[start:stop])
        ):
            yield start, stop


def _shift(match: SecretMatch, line_at: int, col_at: int) -> SecretMatch:
    if line_at == 1 and col_at == 0:
        return match
    column = match.column + col_at if match.line == 1 else match.column
    end_column = match.end_column + col_at if match.end_line == 1 else match.end_column
    return replace(
        match,
        line=match.line + line_at - 1,
        end_line=match.end_line + line_at - 1,
        column=column,
        end_column=end_column,
    )
