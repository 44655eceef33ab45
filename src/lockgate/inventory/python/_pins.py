"""What counts as an exact Python pin, and the small helpers every Python parser shares:
PEP 503 names, hash pairs, credential-free URLs and the reasons given for unresolved entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from lockgate.model.ecosystems import PYPI, normalize_name

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

#: Digest algorithms pip and the lockfile formats record, with their hex lengths.
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_DIGEST = re.compile(r"\s*(md5|sha1|sha224|sha256|sha384|sha512)\s*[:=]\s*([0-9a-fA-F]+)\s*$", re.I)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def canonical(name: str) -> str:
    """The PEP 503 form of a project name (``Zope.Interface`` -> ``zope-interface``)."""
    return normalize_name(PYPI, name)


@lru_cache(maxsize=1)
def _version_pattern() -> re.Pattern[str]:
    from packaging.version import VERSION_PATTERN

    return re.compile(r"^\s*" + VERSION_PATTERN + r"\s*$", re.VERBOSE | re.IGNORECASE)


def is_version(text: str) -> bool:
    """Whether ``text`` is a valid PEP 440 version."""
    return bool(_version_pattern().match(text))


def exact_version(specifier: SpecifierSet) -> str | None:
    """The version a specifier set pins exactly (``==1.2``, ``===1.2-x``), else None.

    ``==1.*`` is a range, not a pin; a set that also carries other clauses still pins when one
    of them is an exact ``==``.
    """
    for clause in specifier:
        if clause.operator == "===":
            return clause.version
        if clause.operator == "==" and not clause.version.endswith(".*"):
            return clause.version
    return None


def not_pinned(specifier: str) -> str:
    """The reason given for a requirement without an exact version."""
    if not specifier.strip():
        return "not pinned to an exact version (no version specifier)"
    return f"not pinned to an exact version ({specifier})"


def redact_url(text: str) -> str:
    """``text`` with any ``user:password@`` in URLs replaced: reports never carry credentials."""
    return _USERINFO.sub("***@", text)


def hash_pair(text: str) -> tuple[str, str] | None:
    """``("sha256", hexdigest)`` from ``sha256:…`` or ``sha256=…``; None when malformed."""
    match = _DIGEST.match(text)
    if match is None:
        return None
    algorithm = match.group(1).lower()
    digest = match.group(2)
    if len(digest) != HASH_LENGTHS.get(algorithm):
        return None
    return algorithm, digest.lower()


def one_per_algorithm(digests: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The first well-formed digest of each algorithm among ``sha256:…`` strings.

    A Component holds one digest per algorithm, while lockfiles list one per artifact (each
    wheel and the sdist); callers pass the preferred artifact (the sdist) first.
    """
    chosen: dict[str, str] = {}
    for text in digests:
        algorithm = text.partition(":")[0].strip().lower()
        if algorithm in chosen:
            continue
        pair = hash_pair(text)
        if pair is not None:
            chosen[pair[0]] = pair[1]
    return tuple(sorted(chosen.items()))


def source_reason(kind: str, where: str) -> str:
    """The reason for a dependency taken from somewhere other than a package index."""
    where = redact_url(where)
    reasons = {
        "git": "git source",
        "vcs": "VCS requirement",
        "path": "local path",
        "directory": "local path",
        "file": "local path",
        "url": "URL requirement",
        "editable": "editable install",
    }
    reason = reasons.get(kind, f"{kind} source")
    return f"{reason} ({where})" if where else reason
