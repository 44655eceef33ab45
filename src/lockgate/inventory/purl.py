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


# Characters the purl spec leaves unencoded in each component (RFC 3986 unreserved, plus
# ':' which packageurl-python also keeps); everything else is percent-encoded.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~:")
# Types whose namespace / name the spec (and packageurl-python) lower-cases.
_LOWER_NAMESPACE = frozenset({"composer", "hex", "pypi"})
_LOWER_NAME = frozenset({"composer", "hex", "pub", "npm", "pypi"})


def _encode(text: str) -> str:
    if all(ch in _SAFE for ch in text):
        return text
    from urllib.parse import quote

    return quote(text, safe=":")


@lru_cache(maxsize=65536)
def purl_for(ecosystem: str, name: str, version: str | None = None) -> str:
    """The purl of a package; Maven names are ``group:artifact``, npm names may be scoped.

    Built directly (no parsing round trip) and checked against packageurl-python in tests.
    """
    purl_type = PURL_TYPES.get(ecosystem)
    if purl_type is None:
        raise ValueError(f"no purl type for ecosystem {ecosystem!r}")
    namespace, bare = _split(ecosystem, name)
    if not bare:
        raise ValueError(f"empty package name in {name!r}")
    if ecosystem == PYPI:
        bare = _PEP503.sub("-", bare).lower()
    elif purl_type in _LOWER_NAME:
        bare = bare.lower()
        if purl_type == "pub":  # Dart names are [a-z0-9_]: the purl spec maps the rest to _
            bare = bare.replace("-", "_").replace(".", "_")
    parts = ["pkg:", purl_type, "/"]
    if namespace:
        if purl_type in _LOWER_NAMESPACE:
            namespace = namespace.lower()
        parts.append("/".join(_encode(seg) for seg in namespace.split("/") if seg))
        parts.append("/")
    parts.append(_encode(bare))
    if version:
        parts.append("@")
        parts.append(_encode(version))
    return "".join(parts)


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
