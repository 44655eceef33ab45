"""Redaction at the scanner boundary: no raw secret value ever leaves this package."""

from __future__ import annotations

import re

MASK = "****"
SNIPPET_CHARS = 160
_VISIBLE_PREFIX = 4
_MIN_LENGTH_FOR_PREFIX = 20
_SURROGATES = re.compile("[\ud800-\udfff]")


def mask(value: str) -> str:
    """A value shown as its first four characters (for long tokens) and a fixed mask."""
    if len(value) >= _MIN_LENGTH_FOR_PREFIX:
        return value[:_VISIBLE_PREFIX] + MASK
    return MASK


def redact_line(line: str, values: list[str]) -> str:
    """``line`` with every secret value in it masked, cut to a readable window."""
    spans: list[tuple[int, int, str]] = []
    for value in sorted(set(values), key=len, reverse=True):
        first_line = value.split("\n", 1)[0]
        if not first_line:
            continue
        start = line.find(first_line)
        while start != -1:
            spans.append((start, start + len(first_line), value))
            start = line.find(first_line, start + 1)
    spans.sort()
    out: list[str] = []
    pos = 0
    first_secret = None
    for start, end, value in spans:
        if start < pos:
            continue
        out.append(line[pos:start])
        if first_secret is None:
            first_secret = sum(len(p) for p in out)
        out.append(mask(value))
        pos = end
    out.append(line[pos:])
    text = "".join(out)
    if len(text) > SNIPPET_CHARS:
        centre = first_secret or 0
        begin = max(0, min(centre - SNIPPET_CHARS // 3, len(text) - SNIPPET_CHARS))
        text = ("…" if begin else "") + text[begin : begin + SNIPPET_CHARS] + "…"
    return _SURROGATES.sub("\ufffd", text.strip())
