"""Turning the packages of a Python lockfile into components, graph edges and paths.

The lockfile parsers list what each file pins (:class:`LockedPackage`) and which package needs
which; :func:`assemble` marks the direct ones, computes the dependency paths and builds the
:class:`ParsedManifest`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.interface import component as build_component
from lockgate.inventory.lockgraph import dependency_paths
from lockgate.inventory.purl import purl_for
from lockgate.inventory.python._pins import canonical, one_per_algorithm
from lockgate.inventory.python.pyproject import declared_names
from lockgate.model.ecosystems import PYPI

_ARCHIVE_FIRST = re.compile(r"\.(?:tar\.gz|zip|tar\.bz2|tgz)$", re.IGNORECASE)
_LEADING_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """One exact package a lockfile pins, with the line of its entry."""

    name: str
    version: str
    line: int | None
    #: ``algorithm:hexdigest`` strings, the preferred artifact's (the sdist's) first.
    digests: tuple[str, ...] = ()


def assemble(
    source: ManifestSource,
    *,
    format: str,
    packages: Sequence[LockedPackage],
    edges: Mapping[int, Iterable[int]],
    roots: Iterable[int] | None,
    unresolved: Sequence[Unresolved] = (),
    warnings: Sequence[str] = (),
) -> ParsedManifest:
    """The parsed manifest of a lockfile.

    ``edges`` and ``roots`` index into ``packages``; ``roots`` are the direct dependencies,
    or None when the file does not say (then ``direct`` stays None and no paths are given).
    """
    # One node per purl: PDM lists a package again for each set of extras, Pipenv in each
    # section; the first entry's line stands for all.
    first: dict[str, int] = {}
    node = [
        first.setdefault(purl_for(PYPI, package.name, package.version), index)
        for index, package in enumerate(packages)
    ]
    merged: dict[int, set[int]] = {}
    for parent, children in edges.items():
        merged.setdefault(node[parent], set()).update(node[child] for child in children)
    graph = {parent: sorted(children - {parent}) for parent, children in merged.items()}
    root_set = {node[index] for index in roots} if roots is not None else None
    paths = (
        dependency_paths(graph, sorted(root_set), lambda index: packages[index].name)
        if root_set is not None
        else {}
    )
    digests: dict[int, list[str]] = {}
    for index, package in enumerate(packages):
        digests.setdefault(node[index], []).extend(package.digests)
    components = {
        index: build_component(
            ecosystem=PYPI,
            name=packages[index].name,
            version=packages[index].version,
            path=source.path,
            line=packages[index].line,
            direct=(index in root_set) if root_set is not None else None,
            dependency_paths=paths.get(index, ()),
            hashes=one_per_algorithm(digests[index]),
        )
        for index in first.values()
    }
    dependencies = tuple(
        sorted(
            (components[parent].purl, tuple(sorted(components[child].purl for child in children)))
            for parent, children in graph.items()
            if children
        )
    )
    return ParsedManifest(
        path=source.path,
        format=format,
        ecosystem=PYPI,
        components=tuple(components.values()),
        unresolved=tuple(unresolved),
        dependencies=dependencies,
        warnings=tuple(warnings),
    )


def by_name(packages: Sequence[LockedPackage]) -> dict[str, list[int]]:
    """Indices of the packages under each PEP 503 name (a lockfile may hold two versions)."""
    found: dict[str, list[int]] = {}
    for index, package in enumerate(packages):
        found.setdefault(canonical(package.name), []).append(index)
    return found


def requirement_name(text: str) -> str | None:
    """The project name at the start of a requirement string (``pkg[x]>=1; marker``)."""
    match = _LEADING_NAME.match(text)
    return match.group(1) if match else None


def sibling_roots(
    source: ManifestSource,
    names: Mapping[str, list[int]],
    manifest: str = "pyproject.toml",
) -> tuple[list[int] | None, list[str]]:
    """Direct dependencies as declared in the pyproject.toml beside the lockfile:
    ``(indices, warnings)``; indices None when there is no readable pyproject.toml."""
    text = source.read_sibling(manifest)
    if text is None:
        return None, []
    declared = declared_names(text)
    if declared is None:
        return None, [f"{manifest} beside {source.path} is not readable TOML; direct unknown"]
    return [index for name in sorted(declared) for index in names.get(name, ())], []


def file_digests(files: Any) -> tuple[str, ...]:
    """The ``algorithm:hex`` hashes of a ``[{file|url = …, hash = …}]`` list (poetry.lock,
    pdm.lock), the source archive's first."""
    if not isinstance(files, list):
        return ()
    listed = [
        (str(item.get("file") or item.get("url") or ""), item["hash"])
        for item in files
        if isinstance(item, dict) and isinstance(item.get("hash"), str)
    ]
    listed.sort(key=lambda item: 0 if _ARCHIVE_FIRST.search(item[0]) else 1)
    return tuple(digest for _name, digest in listed)


def lock_major(
    value: object, what: str, known: Iterable[int], source: ManifestSource, line: int | None
) -> int:
    """The major number of a lockfile format version; ManifestError when it is not one the
    parser knows (a newer format may mean something different)."""
    text = str(value).strip()
    head = text.split(".", 1)[0]
    if not head.isdigit():
        raise ManifestError(f"{what} {text!r} is not a version number", path=source.path, line=line)
    major = int(head)
    allowed = sorted(known)
    if major not in allowed:
        supported = ", ".join(f"{n}.x" for n in allowed)
        raise ManifestError(
            f"unsupported {what} {text} (this reader knows {supported})",
            path=source.path,
            line=line,
            hint="upgrade lockgate, or regenerate the lockfile with a supported tool version",
        )
    return major


def key_line(text: str, key: str) -> int | None:
    """The line of the first top-level-looking ``key =`` in a TOML text."""
    match = re.search(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None
