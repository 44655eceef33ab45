"""The fallback order for ecosystems without a dedicated scheme (Debian, Alpine, CRAN, …).

A version is read as a list of segments: runs of digits and runs of letters; every other
character (``.``, ``-``, ``_``, ``+``, ``~``, …) only separates. Segments compare in order:

- numbers numerically (leading zeros do not matter), words case-insensitively;
- a word sorts below any number, and below a missing segment, which counts as ``0``:
  ``1.0 == 1.0.0``, ``1.0-rc1 < 1.0 < 1.0.1``, ``1.0 < 1.0.1-beta``;
- zeros at the end of the leading numbers do not count, before a word either, as in
  RubyGems: ``1.0-rc1 == 1.0.0-rc1``;
- a version needs at least one digit; anything else raises :class:`InvalidVersion`.

This is deliberately simple and is right for the common ``MAJOR.MINOR.PATCH[-word]``
shapes; it does not know an ecosystem's special rules (Debian's ``~`` and epochs, RPM's
release part), so matches for those ecosystems should be read as approximate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lockgate.advisories.versions.interface import KeyedScheme

_SEGMENT = re.compile(r"[0-9]+|[^\W\d_]+")

#: Token that stands for the endless zeros after a version's last segment.
_PADDING = (1,)


def zero_padded_key(segments: Iterable[int | str]) -> tuple[Any, ...]:
    """An ordered key for segment lists where a missing segment is ``0`` and words < 0.

    Comparing such lists with padding is not plain tuple comparison (``[1]`` vs ``[1, 0,
    "a"]`` is decided by ``"a" < 0``), so each run of zeros is folded into the segment that
    follows it: a word after ``z`` zeros becomes ``(0, z, word)``, a positive number after
    ``z`` zeros ``(2, -z, n)``, and the endless zeros at the end ``(1,)``. Plain tuple
    comparison of these tokens gives the padded order exactly.
    """
    tokens: list[tuple[Any, ...]] = []
    zeros = 0
    for segment in segments:
        if isinstance(segment, str):
            tokens.append((0, zeros, segment))
        elif segment == 0:
            zeros += 1
            continue
        else:
            tokens.append((2, -zeros, segment))
        zeros = 0
    tokens.append(_PADDING)
    return tuple(tokens)


def release_zeros_dropped(segments: list[int | str]) -> list[int | str]:
    """``segments`` without the zeros that end its leading run of numbers (``1.0.0.a``
    reads as ``1.a``), the first half of ``Gem::Version#canonical_segments``."""
    first_word = next(
        (index for index, part in enumerate(segments) if isinstance(part, str)), len(segments)
    )
    end = first_word
    while end and segments[end - 1] == 0:
        end -= 1
    return segments[:end] + segments[first_word:]


class GenericScheme(KeyedScheme):
    """Dotted numeric/word segments (see the module docstring)."""

    name = "generic"

    def parse(self, text: str) -> tuple[Any, ...]:
        segments = _SEGMENT.findall(text.lower())
        if not any(segment[0].isdigit() for segment in segments):
            raise self.invalid(text, "a version needs at least one number")
        values: list[int | str] = [
            int(segment) if segment[0].isdigit() else segment for segment in segments
        ]
        return zero_padded_key(release_zeros_dropped(values))
