"""Go module versions, ordered as the ``go`` command orders them.

Go versions are SemVer with Go's own strictness (``golang.org/x/mod/semver``): no leading
zeros in numbers, ``v1`` and ``v1.2`` are shorthands for ``v1.0.0`` and ``v1.2.0``, and
``+incompatible`` is build metadata, ignored for precedence. Pseudo-versions
(``v0.0.0-20191109021931-daa7c04131f5``, ``v1.2.4-0.20191109021931-daa7c04131f5``,
``v1.2.3-pre.0.20191109021931-daa7c04131f5``) are ordinary pre-releases and so sort by
their timestamp between the tags around them, exactly as Go sorts them.

The leading ``v`` is optional because OSV Go records write ``1.2.3`` while go.mod and
go.sum write ``v1.2.3``. Go toolchain tags as the standard library reports them
(``go1.21.3``, ``go1.21rc2``, ``go1.9beta1``) are read as ``1.21.3``, ``1.21.0-rc.2`` and
``1.9.0-beta.1``, the form OSV uses for the ``stdlib`` and ``toolchain`` packages.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.advisories.versions.semver import SemverScheme, semver_key

_NUMBER = r"(?:0|[1-9][0-9]*)"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_GO_SEMVER = re.compile(
    rf"""
    [vV]?
    (?P<major>{_NUMBER})
    (?:
        \.(?P<minor>{_NUMBER})
        (?:
            \.(?P<patch>{_NUMBER})
            (?:-(?P<pre>{_IDENTIFIER}(?:\.{_IDENTIFIER})*))?
            (?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?
        )?
    )?
    """,
    re.VERBOSE | re.ASCII,
)
_GO_TAG = re.compile(
    r"go(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+))?(?:\.(?P<patch>[0-9]+))?"
    r"(?:(?P<kind>beta|rc)(?P<number>[0-9]+))?",
    re.ASCII,
)


class GoScheme(SemverScheme):
    """Go module and toolchain versions (see the module docstring)."""

    name = "Go"

    def parse(self, text: str) -> tuple[Any, ...]:
        stripped = text.strip()
        tag = _GO_TAG.fullmatch(stripped)
        if tag is not None:
            prerelease = f"{tag['kind']}.{int(tag['number'])}" if tag["kind"] else None
            return semver_key(
                int(tag["major"]), int(tag["minor"] or 0), int(tag["patch"] or 0), prerelease
            )
        match = _GO_SEMVER.fullmatch(stripped)
        if match is None:
            raise self.invalid(
                text, "expected vMAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] without leading zeros"
            )
        return semver_key(
            int(match["major"]),
            int(match["minor"] or 0),
            int(match["patch"] or 0),
            match["pre"],
        )
