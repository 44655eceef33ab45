"""Semantic Versioning 2.0.0 precedence, for npm, crates.io, Hex, OSV SEMVER ranges and Pub.

Precedence follows https://semver.org/#spec-item-11: major, minor and patch numerically; a
pre-release sorts before its release; pre-release identifiers compare one by one, numbers
numerically and below words, words in ASCII order, a longer list above its prefix; build
metadata is ignored (``1.0.0+a == 1.0.0+b``).

The parser is tolerant where registries and OSV data are: a leading ``v`` (or npm's ``=``),
a missing patch or minor (``1.2`` is ``1.2.0``), leading zeros in numbers, and surrounding
blanks. Anything else (four numbers, empty identifiers, stray characters) raises
:class:`InvalidVersion`.

Pub (Dart) uses the same rules except that build metadata counts: a version with a build
sorts after the same version without one (``1.0.0 < 1.0.0+1``), as ``pub_semver`` does.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.advisories.versions.interface import KeyedScheme

_IDENTIFIERS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_SEMVER = re.compile(
    rf"""
    =?\s*[vV]?
    (?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+)(?:\.(?P<patch>[0-9]+))?)?
    (?:-(?P<pre>{_IDENTIFIERS}))?
    (?:\+(?P<build>{_IDENTIFIERS}))?
    """,
    re.VERBOSE | re.ASCII,
)

#: Key part of a version without pre-release: above every pre-release list.
_RELEASE = (1,)


def identifiers_key(identifiers: str) -> tuple[Any, ...]:
    """Dot-separated identifiers as a key: numbers numerically and below words."""
    key: list[tuple[int, int, str]] = []
    for identifier in identifiers.split("."):
        if identifier.isdigit():
            key.append((0, int(identifier), ""))
        else:
            key.append((1, 0, identifier))
    return tuple(key)


def semver_key(major: int, minor: int, patch: int, prerelease: str | None) -> tuple[Any, ...]:
    """The precedence key of a SemVer version (build metadata is not part of it)."""
    if not prerelease:
        return (major, minor, patch, _RELEASE)
    return (major, minor, patch, (0, *identifiers_key(prerelease)))


class SemverScheme(KeyedScheme):
    """SemVer 2.0.0 precedence with a tolerant parser (see the module docstring)."""

    name = "SemVer"

    def match(self, text: str) -> re.Match[str]:
        """The regular-expression match of ``text``, or :class:`InvalidVersion`."""
        match = _SEMVER.fullmatch(text.strip())
        if match is None:
            raise self.invalid(text, "expected MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]")
        return match

    def parse(self, text: str) -> tuple[Any, ...]:
        match = self.match(text)
        return semver_key(
            int(match["major"]),
            int(match["minor"] or 0),
            int(match["patch"] or 0),
            match["pre"],
        )


class PubScheme(SemverScheme):
    """Pub's ``pub_semver`` ordering: SemVer, then build metadata (absent sorts first)."""

    name = "Pub"

    def parse(self, text: str) -> tuple[Any, ...]:
        match = self.match(text)
        core = semver_key(
            int(match["major"]),
            int(match["minor"] or 0),
            int(match["patch"] or 0),
            match["pre"],
        )
        build = match["build"]
        return (*core, (1, *identifiers_key(build)) if build else (0,))
