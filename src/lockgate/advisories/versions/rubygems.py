"""RubyGems versions, ordered as ``Gem::Version#<=>`` orders them.

- The text must match Gem's pattern (``1.2.3``, ``1.0.a``, ``2.0.0.rc1``, ``1.0.0-rc1``);
  a ``-`` reads as ``.pre.`` (``1.0.0-rc1`` is ``1.0.0.pre.rc1``).
- Segments are runs of digits or of letters, so ``1.0.rc1`` is ``1, 0, "rc", 1``.
- Trailing zeros are dropped, both from the numbers before the first word and from the
  end (``1.0 == 1``, ``1.0.a == 1.a``); a missing segment counts as ``0``.
- A word sorts below any number, so any letter makes a pre-release of the numbers before
  it: ``1.0.a < 1.0 < 1.0.1``. Words compare case-sensitively (``"B" < "a"``), as Ruby does.

Gem reads an empty string as ``0``; here it raises :class:`InvalidVersion`, because an
empty component version is a data error, not version zero.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.advisories.versions.generic import release_zeros_dropped, zero_padded_key
from lockgate.advisories.versions.interface import KeyedScheme

_PATTERN = re.compile(
    r"\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*", re.ASCII
)
_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.IGNORECASE | re.ASCII)


class RubyGemsScheme(KeyedScheme):
    """``Gem::Version`` ordering (see the module docstring)."""

    name = "RubyGems"

    def parse(self, text: str) -> tuple[Any, ...]:
        match = _PATTERN.fullmatch(text)
        if match is None:
            raise self.invalid(text, "not a Gem::Version")
        version = match[1].replace("-", ".pre.")
        segments: list[int | str] = [
            int(part) if part.isdigit() else part for part in _SEGMENT.findall(version)
        ]
        # Gem::Version#canonical_segments trims the zeros that end the leading numbers and
        # the zeros at the very end; the key's zero padding takes care of the latter.
        return zero_padded_key(release_zeros_dropped(segments))
