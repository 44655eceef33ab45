"""``bun.lock``, Bun's text lockfile (JSON with comments and trailing commas).

``packages`` maps install paths (``chalk``, ``chalk/supports-color`` for a copy nested under
chalk) to tuples: ``["name@version", "registry", {dependencies…}, "sha512-…"]`` for registry
packages, shorter ones for git, GitHub, tarball, local and workspace packages (which are
unresolved). ``workspaces`` gives what the project and each workspace package declare, i.e.
the direct dependencies; dependencies are resolved the way Node does, nearest copy first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.javascript._graph import LockedPackage, LockGraph, build_manifest
from lockgate.inventory.javascript._jsontext import entry_lines, load_json, strip_jsonc
from lockgate.inventory.javascript._specs import (
    GIT,
    LINK,
    LOCAL,
    WORKSPACE,
    is_version,
    redact,
    source_problem,
    split_name,
    sri_hashes,
)

FORMAT = "bun.lock"
SUPPORTED_VERSIONS = (0, 1)
_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
_WORKSPACE_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_PROTOCOL_PROBLEMS = {
    "github": GIT,
    "git": GIT,
    "file": LOCAL,
    "link": LINK,
    "workspace": WORKSPACE,
    "root": WORKSPACE,
}


def parse(source: ManifestSource) -> ParsedManifest:
    """Components of a bun.lock, with dependency paths and direct dependencies."""
    text = strip_jsonc(source.text)
    data = load_json(text, source.path, what="bun.lock (JSON with comments)")
    if not isinstance(data, dict):
        raise ManifestError("bun.lock must hold an object at the top level", path=source.path)
    graph = LockGraph()
    if data:
        top = {key: line for key in data if (line := _top_line(text, key)) is not None}
        _check_version(data, source, top)
        packages = _object(data, "packages", source, top)
        found = entry_lines(text, [("packages", key) for key in packages], _is_package_key)
        lines = {
            path[1]: line
            for path, line in found.items()
            if len(path) == 2 and path[0] == "packages"
        }
        for key, value in packages.items():
            graph.packages[key] = _package(key, value, lines.get(key), source)
        _edges(graph, packages)
        _direct(graph, _object(data, "workspaces", source, top), lines, source)
    return build_manifest(graph, path=source.path, format=FORMAT)


def _is_package_key(parents: tuple[str, ...]) -> bool:
    return parents == ("packages",)


def _top_line(text: str, key: str) -> int | None:
    """Line of a top-level key of the (pretty-printed) lockfile, for error messages."""
    match = re.search(rf'^\s{{0,2}}"{re.escape(key)}"\s*:', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _check_version(
    data: Mapping[str, Any], source: ManifestSource, lines: Mapping[str, int]
) -> None:
    version = data.get("lockfileVersion")
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        shown = "missing" if version is None else repr(version)
        raise ManifestError(
            f"unknown bun.lock lockfileVersion {shown}: lockgate reads versions 0 and 1",
            path=source.path,
            line=lines.get("lockfileVersion"),
        )


def _object(
    data: Mapping[str, Any], what: str, source: ManifestSource, lines: Mapping[str, int]
) -> dict[str, Any]:
    value = data.get(what)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f'"{what}" must be an object', path=source.path, line=lines.get(what))
    return value


def _package(key: str, value: Any, line: int | None, source: ManifestSource) -> LockedPackage:
    """What one ``packages`` tuple installed; a malformed tuple is a ManifestError."""
    if not isinstance(value, list) or not value or not isinstance(value[0], str):
        raise ManifestError(
            f"package {key!r} must be a list starting with a 'name@version' string",
            path=source.path,
            line=line,
        )
    name, reference = split_name(value[0])
    package = LockedPackage(name=name or key, version=reference, line=line)
    protocol, sep, _ = reference.partition(":")
    problem = _PROTOCOL_PROBLEMS.get(protocol) if sep else None
    if problem is None and sep:
        problem = source_problem(reference) or f"unsupported source ({protocol})"
    elif problem is None and not is_version(reference):
        problem = f"not an exact version ({reference})"
    elif problem is None:
        # ["name@version", "registry base URL or ''", {metadata}, "integrity"]
        integrity = value[3] if len(value) > 3 and isinstance(value[3], str) else ""
        package.hashes = sri_hashes(integrity)
    if problem is not None:
        package.problem = problem
        package.specifier = redact(reference)
        package.version = ""
    return package


def _segments(key: str) -> list[str]:
    """The package names along an install path (``@scope/name`` is one name)."""
    parts = key.split("/")
    names: list[str] = []
    index = 0
    while index < len(parts):
        if parts[index].startswith("@") and index + 1 < len(parts):
            names.append(f"{parts[index]}/{parts[index + 1]}")
            index += 2
        else:
            names.append(parts[index])
            index += 1
    return names


def _resolve(packages: Mapping[str, Any], start: list[str], name: str) -> str | None:
    """The install path Node would load ``name`` from, required by the package at ``start``."""
    for depth in range(len(start), -1, -1):
        candidate = "/".join([*start[:depth], name])
        if candidate in packages:
            return candidate
    return None


def _dependencies(value: Any) -> dict[str, str]:
    """Name -> range of a package tuple's dependency maps (the first object in it)."""
    meta = next((part for part in value[1:] if isinstance(part, dict)), {})
    out: dict[str, str] = {}
    for field in _DEPENDENCY_FIELDS:
        section = meta.get(field)
        if isinstance(section, dict):
            for name, spec in section.items():
                out.setdefault(str(name), str(spec))
    return out


def _edges(graph: LockGraph, packages: Mapping[str, Any]) -> None:
    for key, value in packages.items():
        start = _segments(key)
        for name in _dependencies(value):
            child = _resolve(packages, start, name)
            if child is not None and child != key:
                graph.add_edge(key, child)


def _direct(
    graph: LockGraph,
    workspaces: Mapping[str, Any],
    lines: Mapping[str, int],
    source: ManifestSource,
) -> None:
    """Direct dependencies: what the root and each workspace package declare. A workspace's
    own copies are nested under its package name."""
    graph.direct = []
    for path, workspace in workspaces.items():
        if not isinstance(workspace, dict):
            raise ManifestError(f"workspace {path!r} must be an object", path=source.path)
        start = [str(workspace["name"])] if path and isinstance(workspace.get("name"), str) else []
        for field in _WORKSPACE_FIELDS:
            section = workspace.get(field)
            if not isinstance(section, dict):
                continue
            for name, spec in section.items():
                child = _resolve(graph.packages, start, str(name))
                if child is not None:
                    graph.direct.append(child)
                elif (problem := source_problem(str(spec))) is not None:
                    graph.unresolved.append(
                        Unresolved(
                            name=str(name),
                            specifier=redact(str(spec)),
                            reason=problem,
                            line=lines.get(str(name)),
                        )
                    )
