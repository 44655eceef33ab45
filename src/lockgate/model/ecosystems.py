"""Package ecosystems as OSV names them, and the name normalisation lookups use."""

from __future__ import annotations

import re
from functools import lru_cache

#: OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field).
PYPI = "PyPI"
NPM = "npm"
GO = "Go"
CRATES_IO = "crates.io"
RUBYGEMS = "RubyGems"
PACKAGIST = "Packagist"
MAVEN = "Maven"
NUGET = "NuGet"
PUB = "Pub"
HEX = "Hex"

ECOSYSTEMS = (PYPI, NPM, GO, CRATES_IO, RUBYGEMS, PACKAGIST, MAVEN, NUGET, PUB, HEX)

_PEP503 = re.compile(r"[-_.]+")


@lru_cache(maxsize=65536)
def normalize_name(ecosystem: str, name: str) -> str:
    """The name as advisory lookups index it: PEP 503 for PyPI, lower case where the
    ecosystem is case-insensitive (Packagist, NuGet, Pub, Hex), unchanged otherwise."""
    if ecosystem == PYPI:
        return _PEP503.sub("-", name).lower()
    if ecosystem in (PACKAGIST, NUGET, PUB, HEX):
        return name.lower()
    return name
