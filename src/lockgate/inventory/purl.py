"""Package URLs (https://github.com/package-url/purl-spec) for every inventory ecosystem,
and the name normalisation advisory lookups use."""

from __future__ import annotations

import re
from functools import lru_cache

from lockgate.model.ecosystems import (
    CRATES_IO,
    GO,
    HEX,
    MAVEN,
    NPM,
    NUGET,
    PACKAGIST,
    PUB,
    PYPI,
    RUBYGEMS,
)

#: OSV ecosystem -> purl type.
PURL_TYPES = {
    PYPI: "pypi",
    NPM: "npm",
    GO: "golang",
    CRATES_IO: "cargo",
    RUBYGEMS: "gem",
    PACKAGIST: "composer",
    MAVEN: "maven",
    NUGET: "nuget",
    PUB: "pub",
    HEX: "hex",
}
ECOSYSTEM_OF_TYPE = {purl_type: ecosystem for ecosystem, purl_type in PURL_TYPES.items()}

_PEP503 = re.compile(r"[-_.]+")


def _split(ecosystem: str, name: str) -> tuple[str | None, str]:
    if ecosystem == NPM and name.startswith("@") and "/" in name:
        scope, _, bare = name.partition("/")
        return scope, bare
    if ecosystem == MAVEN and ":" in name:
        group, _, artifact = name.partition(":")
        return group, artifact
    if ecosystem in (GO, PACKAGIST) and "/" in name:
        namespace, _, bare = name.rpartition("/")
        return namespace, bare
    return None, name


@lru_cache(maxsize=65536)
def purl_for(ecosystem: str, name: str, version: str | None = None) -> str:
    """The purl of a package; Maven names are ``group:artifact``, npm names may be scoped."""
    from packageurl import PackageURL

    purl_type = PURL_TYPES.get(ecosystem)
    if purl_type is None:
        raise ValueError(f"no purl type for ecosystem {ecosystem!r}")
    namespace, bare = _split(ecosystem, name)
    if ecosystem == PYPI:
        bare = _PEP503.sub("-", bare).lower()
    return str(PackageURL(type=purl_type, namespace=namespace, name=bare, version=version or None))


def parse_purl(purl: str) -> tuple[str, str, str | None]:
    """``(ecosystem, name, version)`` of a purl whose type lockgate knows; ValueError otherwise.
    The name is in the ecosystem's own form (``group:artifact``, ``@scope/name``)."""
    from packageurl import PackageURL

    parsed = PackageURL.from_string(purl)
    ecosystem = ECOSYSTEM_OF_TYPE.get(parsed.type)
    if ecosystem is None:
        raise ValueError(f"unsupported purl type {parsed.type!r} in {purl!r}")
    name = parsed.name
    if parsed.namespace:
        sep = ":" if ecosystem == MAVEN else "/"
        name = f"{parsed.namespace}{sep}{parsed.name}"
    return ecosystem, name, parsed.version
