"""Version semantics per ecosystem: parse and order versions by each ecosystem's own rules.

``scheme_for("PyPI")`` returns the scheme for an OSV ecosystem name (``PyPI``, ``npm``,
``Go``, ``crates.io``, ``RubyGems``, ``Packagist``, ``Maven``, ``NuGet``, ``Pub``, ``Hex``,
and ``SEMVER`` for OSV SEMVER ranges). Names are matched case-insensitively and a
``:suffix`` (``Debian:11``) is ignored. Any other ecosystem gets the documented generic
fallback (:mod:`lockgate.advisories.versions.generic`).

Schemes are imported on first use, so importing this package costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from lockgate.advisories.versions.interface import InvalidVersion, VersionScheme

__all__ = [
    "InvalidVersion",
    "VersionScheme",
    "cached_parse",
    "scheme_for",
]


@cache
def _pep440() -> VersionScheme:
    from lockgate.advisories.versions.pep440 import Pep440Scheme

    return Pep440Scheme()


@cache
def _semver() -> VersionScheme:
    from lockgate.advisories.versions.semver import SemverScheme

    return SemverScheme()


@cache
def _pub() -> VersionScheme:
    from lockgate.advisories.versions.semver import PubScheme

    return PubScheme()


@cache
def _go() -> VersionScheme:
    from lockgate.advisories.versions.golang import GoScheme

    return GoScheme()


@cache
def _maven() -> VersionScheme:
    from lockgate.advisories.versions.maven import MavenScheme

    return MavenScheme()


@cache
def _rubygems() -> VersionScheme:
    from lockgate.advisories.versions.rubygems import RubyGemsScheme

    return RubyGemsScheme()


@cache
def _composer() -> VersionScheme:
    from lockgate.advisories.versions.composer import ComposerScheme

    return ComposerScheme()


@cache
def _nuget() -> VersionScheme:
    from lockgate.advisories.versions.nuget import NuGetScheme

    return NuGetScheme()


@cache
def _generic() -> VersionScheme:
    from lockgate.advisories.versions.generic import GenericScheme

    return GenericScheme()


_FACTORIES: dict[str, Callable[[], VersionScheme]] = {
    "pypi": _pep440,
    "npm": _semver,
    "crates.io": _semver,
    "hex": _semver,
    "semver": _semver,
    "pub": _pub,
    "go": _go,
    "maven": _maven,
    "rubygems": _rubygems,
    "packagist": _composer,
    "nuget": _nuget,
}


@lru_cache(maxsize=256)
def scheme_for(ecosystem: str) -> VersionScheme:
    """The version scheme of an OSV ecosystem; the generic fallback for unknown ones.

    npm, crates.io, Hex and ``SEMVER`` share one SemVer scheme instance.
    """
    base = ecosystem.partition(":")[0].strip().lower()
    return _FACTORIES.get(base, _generic)()


@lru_cache(maxsize=1 << 18)
def cached_parse(scheme: VersionScheme, text: str) -> Any:
    """``scheme.parse(text)``, memoized; errors are raised again on every call."""
    return scheme.parse(text)
