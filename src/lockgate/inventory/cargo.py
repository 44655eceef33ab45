"""Rust crates from ``Cargo.lock`` (formats v1 to v4).

Each ``[[package]]`` from crates.io is a component with its sha256 checksum. Packages without
a ``source`` are the workspace's own crates (or local path crates): they are the project, not
dependencies, and what they depend on is what the project uses directly. Crates from git or
from a registry other than crates.io cannot be matched against crates.io advisories and are
reported as unresolved. The lockfile records the dependency graph, so each component carries
the chains of crates that pull it in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lockgate.inventory.documents import load_toml
from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import (
    LineIndex,
    dependency_paths,
    graph_roots,
    sorted_components,
    sorted_unresolved,
)
from lockgate.inventory.purl import purl_for
from lockgate.model import Component
from lockgate.model.ecosystems import CRATES_IO

FORMAT = "Cargo.lock"
SUPPORTED_VERSIONS = (1, 2, 3, 4)
CRATES_IO_SOURCES = (
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
)

_PACKAGE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*package[ \t]*\]\]", re.MULTILINE)
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, order=True)
class _Key:
    name: str
    version: str
    source: str


def _check_version(data: dict[str, Any], path: str) -> None:
    version = data.get("version")
    if version is None:
        return
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise ManifestError(
            f"unsupported Cargo.lock version {version!r} (supported: 1 to 4)",
            path=path,
            line=1,
        )


def _packages(
    data: dict[str, Any], path: str, lines: list[int]
) -> list[tuple[_Key, int | None, dict[str, Any]]]:
    raw = data.get("package", [])
    if not isinstance(raw, list):
        raise ManifestError("'package' must be an array of [[package]] tables", path=path)
    found = []
    for index, entry in enumerate(raw):
        line = lines[index] if len(lines) == len(raw) else None
        if not isinstance(entry, dict):
            raise ManifestError("a [[package]] entry is not a table", path=path, line=line)
        name, version, src = entry.get("name"), entry.get("version"), entry.get("source", "")
        if not isinstance(name, str) or not name:
            raise ManifestError("a [[package]] has no name", path=path, line=line)
        if not isinstance(version, str) or not version:
            raise ManifestError(f"package {name!r} has no version", path=path, line=line)
        if not isinstance(src, str):
            raise ManifestError(f"package {name!r} has a non-text source", path=path, line=line)
        found.append((_Key(name, version, src), line, entry))
    return found


def _resolver(keys: list[_Key]) -> dict[str, list[_Key]]:
    """Packages by name, to resolve the short ``dependencies`` entries of v2+ lockfiles."""
    by_name: dict[str, list[_Key]] = {}
    for key in keys:
        by_name.setdefault(key.name, []).append(key)
    return by_name


def _resolve(spec: str, by_name: dict[str, list[_Key]]) -> _Key | None:
    """The package a ``dependencies`` entry names: ``name``, ``name version`` or
    ``name version (source)``."""
    parts = spec.split(" ", 2)
    candidates = by_name.get(parts[0], [])
    if len(parts) > 1:
        candidates = [key for key in candidates if key.version == parts[1]]
    if len(parts) > 2:
        wanted = parts[2].strip("()")
        candidates = [key for key in candidates if key.source == wanted] or candidates
    return candidates[0] if len(candidates) == 1 else None


def _metadata_checksums(data: dict[str, Any]) -> dict[str, str]:
    """v1 lockfiles keep checksums in ``[metadata]`` as ``"checksum name version (source)"``."""
    metadata = data.get("metadata")
    checksums: dict[str, str] = {}
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            if key.startswith("checksum ") and isinstance(value, str):
                checksums[key.removeprefix("checksum ")] = value
    return checksums


def _unsupported_source(key: _Key) -> str | None:
    if not key.source or key.source.startswith(CRATES_IO_SOURCES):
        return None
    if key.source.startswith("git+"):
        return f"git source ({key.source.removeprefix('git+').split('#', 1)[0]})"
    return f"from a registry other than crates.io ({key.source.split('+', 1)[-1]})"


def _edges(
    entries: list[tuple[_Key, int | None, dict[str, Any]]],
    data: dict[str, Any],
    path: str,
) -> tuple[dict[_Key, list[_Key]], list[_Key]]:
    """Graph edges between packages, and the project's own crates (sourceless packages and
    the v1 ``[root]`` table)."""
    by_name = _resolver([key for key, _, _ in entries])

    def resolved(specs: object, name: str, line: int | None) -> list[_Key]:
        if not isinstance(specs, list):
            raise ManifestError(f"dependencies of {name!r} must be a list", path=path, line=line)
        return [dep for spec in specs if isinstance(spec, str) and (dep := _resolve(spec, by_name))]

    edges = {
        key: resolved(raw.get("dependencies", []), key.name, line) for key, line, raw in entries
    }
    members = [key for key, _, _ in entries if not key.source]
    root_table = data.get("root")
    if isinstance(root_table, dict):
        member = _Key(str(root_table.get("name", "")), str(root_table.get("version", "")), "")
        members.append(member)
        edges[member] = resolved(root_table.get("dependencies", []), member.name, None)
    return edges, members


def _component_of(
    key: _Key,
    line: int | None,
    checksum: object,
    *,
    path: str,
    direct: bool | None,
    paths: tuple[tuple[str, ...], ...],
) -> Component:
    valid = isinstance(checksum, str) and _SHA256.fullmatch(checksum) is not None
    return component(
        ecosystem=CRATES_IO,
        name=key.name,
        version=key.version,
        path=path,
        line=line,
        direct=direct,
        dependency_paths=paths,
        hashes=(("sha256", str(checksum)),) if valid else (),
    )


def parse(source: ManifestSource) -> ParsedManifest:
    """The crates a Cargo.lock pins, with checksums, direct flags and dependency paths."""
    data = load_toml(source, "Cargo.lock")
    _check_version(data, source.path)
    index = LineIndex(source.text)
    header_lines = [index.line(m.start()) for m in _PACKAGE_HEADER.finditer(source.text)]
    entries = _packages(data, source.path, header_lines)
    edges, members = _edges(entries, data, source.path)
    member_set = set(members)
    direct_keys = {dep for member in members for dep in edges.get(member, ()) if dep.source}
    roots = sorted(direct_keys) if members else graph_roots([key for key, _, _ in entries], edges)
    paths = dependency_paths(
        {key: [d for d in deps if d not in member_set] for key, deps in edges.items()},
        roots,
        lambda key: key.name,
    )
    metadata_checksums = _metadata_checksums(data)
    components: list[Component] = []
    unresolved: list[Unresolved] = []
    shipped: set[_Key] = set()
    for key, line, raw in entries:
        if key in member_set:
            continue
        reason = _unsupported_source(key)
        if reason is not None:
            unresolved.append(
                Unresolved(name=key.name, specifier=key.version, reason=reason, line=line)
            )
            continue
        shipped.add(key)
        checksum = raw.get("checksum") or metadata_checksums.get(
            f"{key.name} {key.version} ({key.source})"
        )
        components.append(
            _component_of(
                key,
                line,
                checksum,
                path=source.path,
                direct=(key in direct_keys) if members else None,
                paths=paths.get(key, ()),
            )
        )

    def purl(key: _Key) -> str:
        return purl_for(CRATES_IO, key.name, key.version)

    graph = {
        (purl(key), tuple(sorted({purl(dep) for dep in edges[key] if dep in shipped})))
        for key in shipped
    }
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=CRATES_IO,
        components=sorted_components(components),
        unresolved=sorted_unresolved(unresolved),
        dependencies=tuple(sorted(graph)),
    )
