"""``yarn.lock``: Yarn classic (v1, its own indented format) and Yarn Berry (v2+, YAML with
``__metadata``).

Each entry is keyed by the descriptors it satisfies (``lodash@^4.17.0, lodash@~4.17.2``) and
records the version installed; dependencies are descriptors too, which gives the graph.
Berry lists the project's workspaces as entries, so direct dependencies come from them (the
root workspace itself is not a component); classic does not, so they come from the
``package.json`` beside the lockfile. Aliases report the real package. Git, local
(``file:``, ``link:``, ``portal:``), URL and workspace packages are unresolved. Berry's
``checksum`` hashes Yarn's own cache archive, not the published tarball, so it is not
reported as a package hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest
from lockgate.inventory.javascript import _yamlsubset as yamlsubset
from lockgate.inventory.javascript._graph import LockedPackage, LockGraph, build_manifest
from lockgate.inventory.javascript._specs import (
    URL,
    WORKSPACE,
    alias_target,
    hex_hash,
    is_version,
    redact,
    registry_url_problem,
    source_problem,
    split_name,
    sri_hashes,
)
from lockgate.inventory.javascript.package_json import sibling_manifest

FORMAT = "yarn.lock"
#: Berry lockfile versions (``__metadata.version``) this parser knows.
BERRY_VERSIONS = frozenset(range(1, 9))
_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_DESCRIPTOR = re.compile(r'"(?:[^"\\]|\\.)*"|[^,\s][^,]*')


def parse(source: ManifestSource) -> ParsedManifest:
    """Components of a Yarn classic or Berry lockfile, with dependency paths."""
    if re.search(r"^__metadata:", source.text, re.MULTILINE):
        graph = _berry_graph(source)
    else:
        graph = _classic_graph(source)
    return build_manifest(graph, path=source.path, format=FORMAT)


@dataclass(slots=True)
class _Entry:
    """One lockfile entry: the descriptors it satisfies and its fields."""

    descriptors: list[str]
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, dict[str, str]] = field(default_factory=dict)


# --- Yarn classic -------------------------------------------------------------------------


def _unquote(token: str) -> str:
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        if "\\" not in token:
            return token[1:-1]
        try:
            return str(json.loads(token))
        except ValueError:
            return token[1:-1]
    return token


def _pair(body: str, path: str, line: int) -> tuple[str, str | None]:
    """``(key, value)`` of ``key value``, ``key: value`` or ``"key" "value"``; value None for
    ``key:`` (a nested block follows)."""
    key, _, rest = body.partition(" ")
    if (
        rest[:1] == '"'
        and key[:1] not in ('"', "")
        and rest.endswith('"')
        and rest.count('"') == 2
        and "\\" not in rest
        and not key.endswith(":")
    ):
        return key, rest[1:-1]  # the usual `key "value"` line, without the general parsing
    if body.startswith('"'):
        match = _QUOTED.match(body)
        if match is None:
            raise ManifestError("unterminated quoted string", path=path, line=line)
        key, rest = _unquote(match.group(0)), body[match.end() :]
    else:
        key, _, rest = body.partition(" ")
        if key.endswith(":"):
            key, rest = key[:-1], ":" + rest
    rest = rest.strip()
    if rest.startswith(":"):
        rest = rest[1:].strip()
    if rest.startswith('"') and not _QUOTED.fullmatch(rest):
        raise ManifestError("unterminated quoted string", path=path, line=line)
    return key, (_unquote(rest) if rest else None)


def _classic_entries(text: str, path: str) -> Iterator[_Entry]:
    entry: _Entry | None = None
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        body = raw.strip()
        if not body or body.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        if indent == 0:
            if entry is not None:
                yield entry
            if not body.endswith(":"):
                raise ManifestError(
                    f"not a yarn.lock entry header (expected 'name@range:'): {body[:80]!r}",
                    path=path,
                    line=number,
                )
            descriptors = [_unquote(d.strip()) for d in _DESCRIPTOR.findall(body[:-1])]
            entry, section = _Entry(descriptors=descriptors, line=number), None
        elif entry is None:
            raise ManifestError("indented line outside any entry", path=path, line=number)
        elif indent <= 2 or section is None:
            key, value = _pair(body, path, number)
            if value is None:
                section = key
                entry.sections[key] = {}
            else:
                entry.fields[key], section = value, None
        else:
            key, value = _pair(body, path, number)
            entry.sections[section][key] = value or ""
    if entry is not None:
        yield entry


def _descriptor_name(descriptor: str) -> tuple[str, str]:
    """(package name, range) of ``name@range``; an alias gives the real name and range."""
    name, spec = split_name(descriptor)
    alias = alias_target(spec)
    return alias if alias is not None else (name, spec)


def _classic_package(entry: _Entry) -> LockedPackage:
    name, _ = _descriptor_name(entry.descriptors[0]) if entry.descriptors else ("", "")
    ranges = [_descriptor_name(d)[1] for d in entry.descriptors]
    range_problems = {source_problem(spec) for spec in ranges} - {None}
    version = entry.fields.get("version", "")
    resolved = entry.fields.get("resolved", "")
    package = LockedPackage(
        name=name,
        version=version,
        line=entry.line,
        hashes=sri_hashes(entry.fields.get("integrity", "")),
    )
    problem = registry_url_problem(resolved) if resolved else None
    if problem == URL and URL not in range_problems:
        problem = None  # a registry with an unusual tarball URL: the range asked the registry
    if problem is None and not resolved and range_problems:
        problem = sorted(str(p) for p in range_problems)[0]
    if problem is None and not is_version(version):
        problem = f"not an exact version ({version or 'none recorded'})"
    if problem is not None:
        package.problem = problem
        package.specifier = redact(resolved or ", ".join(ranges))
    elif "#" in resolved:
        package.hashes += hex_hash("sha1", resolved.rpartition("#")[2])
    return package


def _classic_graph(source: ManifestSource) -> LockGraph:
    graph = LockGraph()
    by_descriptor: dict[str, str] = {}
    entries: dict[str, _Entry] = {}
    for entry in _classic_entries(source.text, source.path):
        node = str(entry.line)
        entries[node] = entry
        graph.packages[node] = _classic_package(entry)
        for descriptor in entry.descriptors:
            by_descriptor.setdefault(descriptor, node)
    for node, entry in entries.items():
        for section in _DEPENDENCY_FIELDS:
            for name, spec in entry.sections.get(section, {}).items():
                child = by_descriptor.get(f"{name}@{spec}")
                if child is not None:
                    graph.add_edge(node, child)
    _classic_direct(graph, source, by_descriptor)
    return graph


def _classic_direct(
    graph: LockGraph, source: ManifestSource, by_descriptor: dict[str, str]
) -> None:
    """Direct dependencies from the package.json beside the lockfile; with workspaces (whose
    own manifests are not read) a package it does not name may still be direct."""
    root, warning = sibling_manifest(source)
    if warning:
        graph.warnings.append(warning)
    if root is None:
        return
    graph.direct = [
        node
        for name, spec in root.dependencies.items()
        if (node := by_descriptor.get(f"{name}@{spec}")) is not None
    ]
    graph.direct_complete = not root.has_workspaces


# --- Yarn Berry ---------------------------------------------------------------------------


def _berry_document(source: ManifestSource) -> dict[str, Any]:
    data = yamlsubset.load(source.text, source.path)
    if not isinstance(data, dict):
        raise ManifestError(
            "a Yarn Berry lockfile must be a YAML mapping", path=source.path, line=1
        )
    metadata = data.get("__metadata")
    version = metadata.get("version") if isinstance(metadata, dict) else None
    if not (isinstance(version, str) and version.isdigit() and int(version) in BERRY_VERSIONS):
        raise ManifestError(
            f"unknown Yarn lockfile version {version!r} in __metadata: "
            f"lockgate reads versions {min(BERRY_VERSIONS)} to {max(BERRY_VERSIONS)}",
            path=source.path,
            line=_top_key_lines(source.text).get("__metadata"),
        )
    return data


def _top_key_lines(text: str) -> dict[str, int]:
    """Line of each unindented ``key:`` (a Berry entry), by its YAML key text."""
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if raw[:1] in ("", " ", "\t", "#") or not raw.rstrip().endswith(":"):
            continue
        lines.setdefault(_unquote(raw.rstrip()[:-1].strip()), number)
    return lines


def _berry_source(reference: str) -> tuple[str | None, str]:
    """(problem, version) of what a Berry resolution's reference (after ``name@``) points at."""
    if reference.startswith("npm:"):
        version = reference[4:]
        return (None, version) if is_version(version) else (f"not an exact version ({version})", "")
    if reference.startswith("patch:"):
        inner = unquote(reference[6:].partition("#")[0].partition("::")[0])
        return _berry_source(split_name(inner)[1])
    if reference.startswith("workspace:"):
        return WORKSPACE, ""
    lower = reference.lower()
    if lower.startswith(("file:", "portal:", "link:", "exec:")):
        return source_problem(reference), ""
    if lower.startswith(("http://", "https://")) and "#" not in reference:
        return registry_url_problem(reference), ""  # a registry tarball is still that release
    problem = source_problem(reference)
    if problem is None:
        problem = f"unsupported source ({reference.partition(':')[0] or reference})"
    return problem, ""


def _berry_entries(data: dict[str, Any], source: ManifestSource) -> Iterator[tuple[str, _Entry]]:
    lines = _top_key_lines(source.text)
    for key, value in data.items():
        if key == "__metadata":
            continue
        line = lines.get(key)
        if not isinstance(value, dict) or not isinstance(value.get("resolution"), str):
            raise ManifestError(f"entry {key!r} has no resolution", path=source.path, line=line)
        entry = _Entry(descriptors=[d.strip() for d in key.split(",") if d.strip()], line=line or 0)
        entry.fields = {k: v for k, v in value.items() if isinstance(v, str)}
        entry.sections = {
            k: {str(n): str(s) for n, s in v.items()}
            for k, v in value.items()
            if k in _DEPENDENCY_FIELDS and isinstance(v, dict)
        }
        yield value["resolution"], entry


def _berry_package(resolution: str, entry: _Entry) -> LockedPackage:
    name, reference = split_name(resolution)
    problem, version = _berry_source(reference)
    package = LockedPackage(name=name, version=version or entry.fields.get("version", ""))
    package.line = entry.line or None
    if problem is not None:
        package.problem = problem
        package.specifier = redact(reference)
    return package


def _berry_graph(source: ManifestSource) -> LockGraph:
    data = _berry_document(source)
    graph = LockGraph()
    by_descriptor: dict[str, str] = {}
    entries: dict[str, _Entry] = {}
    workspaces: set[str] = set()
    for resolution, entry in _berry_entries(data, source):
        entries[resolution] = entry
        package = _berry_package(resolution, entry)
        if package.problem == WORKSPACE:
            workspaces.add(resolution)
            if resolution.endswith("@workspace:."):
                continue  # the project itself
        graph.packages[resolution] = package
        for descriptor in entry.descriptors:
            by_descriptor.setdefault(descriptor, resolution)
    direct: dict[str, None] = {}
    for node, entry in entries.items():
        for section in entry.sections.values():
            for name, spec in section.items():
                child = by_descriptor.get(f"{name}@{spec}") or by_descriptor.get(
                    f"{name}@npm:{spec}"
                )
                if child is None:
                    continue
                if node in workspaces:
                    direct[child] = None
                else:
                    graph.add_edge(node, child)
    # Berry always lists the root workspace; a file without it cannot say what is direct.
    graph.direct = list(direct) if workspaces else None
    return graph
