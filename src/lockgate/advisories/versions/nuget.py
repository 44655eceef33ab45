"""NuGet versions, ordered as NuGet's ``VersionComparer`` orders them.

- One to four numbers (``1``, ``1.0``, ``1.0.0``, ``1.0.0.1``), missing ones are ``0`` and
  leading zeros do not matter: ``1.01 == 1.1.0.0``.
- A pre-release (``-beta.2``, legacy ``-beta02``) sorts before its release; labels compare
  one by one, numbers numerically and below words, words case-insensitively
  (``1.0.0-BETA == 1.0.0-beta``), a longer label list above its prefix.
- Build metadata (``+sha.abc``) is ignored.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.advisories.versions.interface import KeyedScheme

_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_NUGET = re.compile(
    rf"""
    (?P<numbers>[0-9]+(?:\.[0-9]+){{0,3}})
    (?:-(?P<pre>{_IDENTIFIERS}))?
    (?:\+(?P<build>{_IDENTIFIERS}))?
    """,
    re.VERBOSE | re.ASCII,
)

_RELEASE = (1,)


class NuGetScheme(KeyedScheme):
    """NuGet SemVer 2 ordering with four-part versions (see the module docstring)."""

    name = "NuGet"

    def parse(self, text: str) -> tuple[Any, ...]:
        match = _NUGET.fullmatch(text.strip())
        if match is None:
            raise self.invalid(text, "expected 1 to 4 numbers, then -PRERELEASE and +METADATA")
        numbers = [int(number) for number in match["numbers"].split(".")]
        numbers.extend([0] * (4 - len(numbers)))
        prerelease = match["pre"]
        if not prerelease:
            return (*numbers, _RELEASE)
        labels = tuple(
            (0, int(label), "") if label.isdigit() else (1, 0, label.upper())
            for label in prerelease.split(".")
        )
        return (*numbers, (0, *labels))
