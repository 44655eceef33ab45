"""Rule regexes rewritten for hyperscan's prefilter mode: cheaper, broader supersets.

Hyperscan only narrows down where Python's regex must look, so any pattern matching at least
everything the rule's regex matches will do. The rewrite keeps compile times short and
avoids constructs on which vectorscan 5.4.12 misses matches. Compiled databases are cached
on disk: a change here must bump ``hyperscan_prefilter.CACHE_LAYOUT``.
"""

from __future__ import annotations

import re

MAX_PREFILTER_REPEAT = 16
"""Counted repeats above this are widened for hyperscan (see :func:`prefilter_pattern`)."""

_ANCHOR_ESCAPES = frozenset({"\\A", "\\Z", "\\z", "\\G"})
_MULTILINE = re.compile(r"\(\?[aiLmsux-]*m")
"""An inline flag group turning multi-line mode on or off, ``(?m)``, ``(?im:…)``, ``(?-m:…)``."""
_QUANTIFIERS = ("?", "*", "+", "{")


def prefilter_pattern(
    pattern: str, limit: int = MAX_PREFILTER_REPEAT, *, line: bool = False
) -> str:
    """A cheaper, broader superset of ``pattern`` for hyperscan.

    * Every counted repeat ``{m}``, ``{m,n}`` or ``{m,}`` becomes ``{min(m, limit),}``: large
      bounded repeats make hyperscan's compile time and database size explode (a PEM block
      of up to 8 KiB took minutes), and any string matching ``x{m,n}`` also matches
      ``x{min(m,limit),}``.
    * In a ``line`` rule's pattern, or one using multi-line mode (``(?m)``), the anchors
      ``^``, ``$``, ``\\A``, ``\\Z``, ``\\z`` and ``\\G`` are dropped: a pattern without an
      assertion matches everything the pattern with it matches, and vectorscan 5.4.12 misses
      matches of multi-line anchors in alternations (``(?:^|[ ])-x`` after certain preceding
      lines). For a ``line`` rule, whose every match end is reported, an end anchor becomes
      "a newline or the end" instead, so that a token running to the end of its line is not
      reported at each of its characters. Other patterns keep their anchors, which mean the
      start and end of the buffer for Python and hyperscan alike, and keep a token's
      boundaries selective (``(?:^|[^A-Za-z0-9])EAA…``).
    """
    drop_anchors = line or _MULTILINE.search(pattern) is not None
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            if not in_class and drop_anchors and escape in _ANCHOR_ESCAPES:
                out.append(_replaced_anchor(pattern, i + 2, line_end=line and escape == "\\Z"))
            else:
                out.append(escape)
            i += 2
            continue
        if in_class:
            in_class = char != "]" or (bool(out) and out[-1] in ("[", "[^"))
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
            out.append(char)
            i += 1
            continue
        if char in "^$" and drop_anchors:
            out.append(_replaced_anchor(pattern, i + 1, line_end=line and char == "$"))
            i += 1
            continue
        if char == "{":
            close = pattern.find("}", i)
            body = pattern[i + 1 : close] if close != -1 else ""
            low, sep, high = body.partition(",")
            if close != -1 and low.isdigit() and (not sep or high == "" or high.isdigit()):
                out.append(f"{{{min(int(low), limit)},}}")
                i = close + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _replaced_anchor(pattern: str, after: int, *, line_end: bool) -> str:
    """What replaces an anchor: the newline a line-end anchor stands before, or nothing (an
    empty group when a quantifier follows)."""
    if line_end:
        return "(?:\\n|\\z)"
    return "(?:)" if pattern[after : after + 1] in _QUANTIFIERS else ""
