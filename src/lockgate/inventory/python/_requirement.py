"""Sorting one PEP 508 requirement string into a pin, a range or a non-index source.

Shared by the requirements-file and pyproject parsers: ``requests==2.31.0`` is a pin,
``requests>=2`` a range, ``pkg @ git+https://…`` a VCS requirement, ``pkg @ file:///…`` a
local path and ``pkg @ https://…/pkg.whl`` a URL requirement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lockgate.inventory.python._pins import exact_version, redact_url

_VCS = re.compile(r"^(?:git|hg|svn|bzr)\+", re.IGNORECASE)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement, classified.

    ``version`` is set for exact pins; ``source`` (``"vcs"``, ``"url"``, ``"path"``) for
    requirements that do not come from an index, with ``location`` the redacted URL or path.
    """

    name: str
    specifier: str
    version: str | None = None
    marker: str | None = None
    source: str | None = None
    location: str = ""


class InvalidRequirementError(ValueError):
    """The text is not a PEP 508 requirement (the message says why)."""


def parse_requirement(text: str) -> Requirement:
    """Classify a PEP 508 requirement string; InvalidRequirementError when it is not one."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    try:
        parsed = Pep508(text)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "not a requirement"
        raise InvalidRequirementError(first) from exc
    marker = str(parsed.marker) if parsed.marker is not None else None
    if parsed.url:
        kind = url_kind(parsed.url)
        return Requirement(
            name=parsed.name,
            specifier=redact_url(parsed.url),
            marker=marker,
            source=kind,
            location=redact_url(parsed.url),
        )
    specifier = str(parsed.specifier)
    return Requirement(
        name=parsed.name,
        specifier=specifier,
        version=exact_version(parsed.specifier),
        marker=marker,
    )


def url_kind(url: str) -> str:
    """``"vcs"``, ``"path"`` or ``"url"`` for the target of a direct reference."""
    if _VCS.match(url):
        return "vcs"
    if url.lower().startswith("file:"):
        return "path"
    return "url"


def is_url_or_path(text: str) -> bool:
    """Whether a requirements-file argument names a URL, VCS checkout, path or archive
    rather than a project (``./pkg``, ``git+https://…``, ``foo-1.0.tar.gz``)."""
    if _VCS.match(text) or "://" in text or text.lower().startswith("file:"):
        return True
    if text.startswith((".", "/", "~")):
        return True
    head = text.split(";", 1)[0].strip()
    return ("/" in head and "@" not in head) or bool(_ARCHIVE.search(head))


def name_from_location(text: str) -> str:
    """The project name a URL or path refers to: its ``#egg=`` fragment, the name in a wheel
    or sdist file name, else the last path segment."""
    egg = _EGG.search(text)
    if egg:
        return egg.group(1)
    base = text.split("#", 1)[0].split("?", 1)[0].rstrip("/").rpartition("/")[2]
    base = base.split("@", 1)[0]
    if base.lower().endswith(".whl"):
        return base.split("-", 1)[0] or base
    archive = _ARCHIVE.search(base)
    if archive:
        stem = base[: archive.start()]
        head, sep, _version = stem.rpartition("-")
        return head if sep and head else stem
    return base.removesuffix(".git") or redact_url(text)
