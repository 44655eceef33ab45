"""Inline suppressions: ``# lockgate:ignore=LG-XXX[,LG-YYY] <reason>`` (``//`` and ``/* */``
comments too) on a resource's lines or on the comment lines directly above it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lockgate.scanners.iac.resources import Suppression

_MARKER = re.compile(
    r"(?:#|//|/\*)\s*lockgate:ignore=(?P<ids>[A-Za-z0-9*_-]+(?:\s*,\s*[A-Za-z0-9*_-]+)*)"
    r"(?:[ \t]+(?P<reason>[^\r\n]*?))?\s*(?:\*/)?\s*$"
)
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//|/\*)")


def scan_lines(lines: Sequence[str]) -> dict[int, tuple[Suppression, ...]]:
    """Every marker of a file by 1-based line number (cheap: one substring test per line)."""
    found: dict[int, tuple[Suppression, ...]] = {}
    for index, line in enumerate(lines):
        if "lockgate:ignore=" not in line:
            continue
        match = _MARKER.search(line)
        if match is None:
            continue
        reason = (match.group("reason") or "").strip()
        found[index + 1] = tuple(
            Suppression(check_id=ident.strip().upper(), reason=reason, line=index + 1)
            for ident in match.group("ids").split(",")
            if ident.strip()
        )
    return found


def for_range(
    markers: dict[int, tuple[Suppression, ...]],
    lines: Sequence[str],
    start_line: int,
    end_line: int,
) -> tuple[Suppression, ...]:
    """Markers on lines ``start_line..end_line`` and on the comment lines just above."""
    if not markers:
        return ()
    result: list[Suppression] = []
    line = start_line - 1
    while line >= 1 and _COMMENT_ONLY.match(lines[line - 1]):
        result.extend(markers.get(line, ()))
        line -= 1
    for number in range(start_line, end_line + 1):
        result.extend(markers.get(number, ()))
    return tuple(result)
