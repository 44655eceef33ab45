"""Scan byte streams for secrets in bounded memory: windows with overlap, exact positions.

Files are read in windows of ``WINDOW`` bytes plus ``OVERLAP`` bytes of look-ahead, so a
50 MB single-line file costs a few megabytes of memory and linear time. A match belongs to
the window in which it starts; lines and columns are absolute (1-based, columns counted
in characters).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import BinaryIO

from lockgate.scanners.secrets.engines import Prefilter
from lockgate.scanners.secrets.matcher import (
    LineIndex,
    SecretMatch,
    ascii_lower,
    confirm,
    keep_most_specific,
    rule_applies_to_path,
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
        return list(self._scan_window(data, path, final=True, limit=len(data)))

    def _scan_window(
        self, data: bytes, path: str, *, final: bool, limit: int
    ) -> Iterator[SecretMatch]:
        # Prefilter first (one hyperscan pass), then path filters on the few candidates.
        candidates = [r for r in self.prefilter.candidates(data) if rule_applies_to_path(r, path)]
        if not candidates:
            return
        text = decode(data)
        index = LineIndex(text)
        lowered = ascii_lower(text) if any(r.scope == "line" for r in candidates) else None
        found: list[SecretMatch] = []
        for rule in candidates:
            found.extend(confirm(rule, text, index, lowered))
        found.sort(key=lambda m: (m.start, m.end, m.rule.id))
        for match in keep_most_specific(found):
            if final or len(text[: match.start].encode("utf-8", "surrogateescape")) < limit:
                yield match

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
