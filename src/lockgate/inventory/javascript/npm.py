"""npm lockfiles: ``package-lock.json`` and ``npm-shrinkwrap.json``, lockfileVersion 1, 2, 3.

Versions 2 and 3 list every installed package in ``packages`` by install path
(``node_modules/a/node_modules/b``); version 1 (and version-2 files without ``packages``)
nest them in a ``dependencies`` tree. Both become the same path-keyed map, and each
package's dependencies are resolved the way Node does: the nearest ``node_modules`` up the
tree. Direct dependencies are those the project's root (and its workspaces) declare — for
version 1, read from the ``package.json`` beside the lockfile. Aliases (``npm:real@1.2.3``)
report the real package; git, local, linked and URL-tarball packages are unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.javascript._graph import LockedPackage, LockGraph, build_manifest
from lockgate.inventory.javascript._jsontext import entry_lines, load_json
from lockgate.inventory.javascript._specs import (
    LINK,
    URL,
    WORKSPACE,
    alias_target,
    is_version,
    redact,
    registry_url_problem,
    source_problem,
    sri_hashes,
)
from lockgate.inventory.javascript.package_json import sibling_manifest

FORMAT = "package-lock.json"
SUPPORTED_VERSIONS = (1, 2, 3)
_DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
_ROOT_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_NM = "node_modules/"


@dataclass(slots=True)
class _Tree:
    """The lockfile as install paths: entries by path, local package folders (the root ``""``
    and workspaces) with what they declare, and the line of each path."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared: dict[str, dict[str, str]] = field(default_factory=dict)
    importers: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    root_known: bool = True
    warnings: list[str] = field(default_factory=list)


def parse(source: ManifestSource) -> ParsedManifest:
    """Components of a package-lock.json / npm-shrinkwrap.json, with dependency paths."""
    data = load_json(source.text, source.path)
    if not isinstance(data, dict):
        raise ManifestError(
            "not an npm lockfile: the top level must be a JSON object", path=source.path, line=1
        )
    version = _lockfile_version(data, source)
    packages = data.get("packages")
    if version >= 2 and packages is not None:
        tree = _tree_from_packages(packages, source)
    else:
        tree = _tree_from_dependencies(data.get("dependencies"), source)
    graph = _graph(tree)
    base = source.path.rpartition("/")[2]
    fmt = base if base == "npm-shrinkwrap.json" else FORMAT
    return build_manifest(graph, path=source.path, format=fmt)


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _lockfile_version(data: Mapping[str, Any], source: ManifestSource) -> int:
    version = data.get("lockfileVersion")
    if version is None and isinstance(data.get("dependencies"), dict):
        return 1  # npm-shrinkwrap.json from npm before 5 has no version field
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        shown = "missing" if version is None else repr(version)
        raise ManifestError(
            f"unknown npm lockfileVersion {shown}: lockgate reads versions 1, 2 and 3",
            path=source.path,
            line=_line_of(source.text, "lockfileVersion"),
        )
    return int(version)


def _entry(value: Any, key: str, source: ManifestSource, line: int | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"entry {key!r} must be a JSON object", path=source.path, line=line)
    version = value.get("version")
    if version is not None and not isinstance(version, str):
        raise ManifestError(f"entry {key!r} has a non-text version", path=source.path, line=line)
    return value


def _declared(entry: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    """Name -> specifier over the given dependency fields (later fields do not override)."""
    out: dict[str, str] = {}
    for name in fields:
        section = entry.get(name)
        if isinstance(section, dict):
            for dep, spec in section.items():
                out.setdefault(str(dep), spec if isinstance(spec, str) else "")
    return out


def _tree_from_packages(packages: Any, source: ManifestSource) -> _Tree:
    if not isinstance(packages, dict):
        raise ManifestError(
            '"packages" must be a JSON object',
            path=source.path,
            line=_line_of(source.text, "packages"),
        )
    found = entry_lines(source.text, [("packages", key) for key in packages], _is_packages_key)
    lines = {
        path[1]: line for path, line in found.items() if len(path) == 2 and path[0] == "packages"
    }
    tree = _Tree(lines=lines)
    for key, value in packages.items():
        entry = _entry(value, key, source, lines.get(key))
        if _NM not in key:
            tree.importers[key] = _declared(entry, (*_ROOT_FIELDS, "peerDependencies"))
        else:
            tree.entries[key] = entry
            tree.declared[key] = _declared(entry, _DEPENDENCY_FIELDS)
    if "" not in tree.importers:
        tree.root_known = False
    return tree


def _is_packages_key(path: tuple[str, ...]) -> bool:
    return path == ("packages",)


def _is_tree_key(path: tuple[str, ...]) -> bool:
    return len(path) % 2 == 1 and all(part == "dependencies" for part in path[::2])


def _tree_from_dependencies(dependencies: Any, source: ManifestSource) -> _Tree:
    """The version-1 nested tree as install paths, with direct dependencies from the
    package.json beside the lockfile (unknown when there is none)."""
    if dependencies is None:
        dependencies = {}
    if not isinstance(dependencies, dict):
        raise ManifestError(
            '"dependencies" must be a JSON object',
            path=source.path,
            line=_line_of(source.text, "dependencies"),
        )
    tree = _Tree()
    json_paths: dict[str, tuple[str, ...]] = {}
    pending: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
        ("", ("dependencies",), dependencies)
    ]
    while pending:
        parent, json_path, children = pending.pop()
        for name, value in children.items():
            key = f"{parent}/{_NM}{name}" if parent else f"{_NM}{name}"
            json_paths[key] = (*json_path, name)
            entry = _entry(value, key, source, None)
            tree.entries[key] = entry
            requires = entry.get("requires")
            tree.declared[key] = (
                {str(k): v if isinstance(v, str) else "" for k, v in requires.items()}
                if isinstance(requires, dict)
                else {}
            )
            nested = entry.get("dependencies")
            if isinstance(nested, dict) and nested:
                pending.append((key, (*json_path, name, "dependencies"), nested))
    if json_paths:
        found = entry_lines(source.text, json_paths.values(), _is_tree_key)
        tree.lines = {key: found[path] for key, path in json_paths.items() if path in found}
    root, warning = sibling_manifest(source)
    tree.root_known = root is not None
    tree.importers[""] = root.dependencies if root is not None else {}
    if warning:
        tree.warnings.append(warning)
    return tree


def _resolve(keys: Mapping[str, Any], start: str, name: str) -> str | None:
    """The install path Node would load ``name`` from when required at ``start``."""
    base = start
    while True:
        candidate = f"{base}/{_NM}{name}" if base else f"{_NM}{name}"
        if candidate in keys:
            return candidate
        if not base:
            return None
        cut = base.rfind("/" + _NM)
        if cut >= 0:
            base = base[:cut]
        elif base.startswith(_NM):
            base = ""
        else:
            base = base.rpartition("/")[0]


def _name_at(key: str) -> str:
    return key.rpartition(_NM)[2]


def _package(key: str, entry: Mapping[str, Any], line: int | None) -> LockedPackage:
    """What the entry at ``key`` installed: name (the real one for aliases), version, and
    the problem that keeps it from matching a registry release, if any."""
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    version = str(entry.get("version") or "")
    resolved = entry.get("resolved")
    resolved = resolved if isinstance(resolved, str) else ""
    alias = alias_target(version)
    if alias is not None:
        name, version = alias
    name = name or _name_at(key)
    integrity = entry.get("integrity")
    package = LockedPackage(
        name=name,
        version=version,
        line=line,
        hashes=sri_hashes(integrity) if isinstance(integrity, str) else (),
        license=_license(entry.get("license")),
    )
    if entry.get("link"):
        target = resolved or "?"
        package.problem = LINK if target.startswith("..") else WORKSPACE
        package.specifier = f"link:{target}"
    elif version and not is_version(version):
        package.problem = source_problem(version) or f"not an exact version ({version})"
        package.specifier = redact(version)
    elif resolved and registry_url_problem(resolved) not in (None, URL):
        package.problem = registry_url_problem(resolved)
        package.specifier = redact(resolved)
    elif not version:
        package.problem = "no version recorded"
        package.specifier = redact(resolved)
    return package


def _license(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return str(value["type"])
    return None


def _graph(tree: _Tree) -> LockGraph:
    graph = LockGraph()
    for key, entry in tree.entries.items():
        graph.packages[key] = _package(key, entry, tree.lines.get(key))
    url_specs: set[str] = set()
    for key, wanted in tree.declared.items():
        if graph.packages[key].problem in (LINK, WORKSPACE):
            continue
        for name, spec in wanted.items():
            child = _resolve(tree.entries, key, name)
            if child is not None:
                graph.add_edge(key, child)
                if source_problem(spec) == URL:
                    url_specs.add(child)
    direct: list[str] = []
    for importer, wanted in tree.importers.items():
        line = tree.lines.get(importer)
        for name, spec in wanted.items():
            child = _resolve(tree.entries, importer, name)
            if child is not None:
                direct.append(child)
                if source_problem(spec) == URL:
                    url_specs.add(child)
            elif (problem := source_problem(spec)) is not None:
                graph.unresolved.append(
                    Unresolved(name=name, specifier=redact(spec), reason=problem, line=line)
                )
    _flag_url_tarballs(graph, tree, url_specs)
    graph.direct = direct if tree.root_known else None
    graph.top_level = [key for key in tree.entries if key.count(_NM) == 1 and key.startswith(_NM)]
    graph.warnings.extend(tree.warnings)
    return graph


def _flag_url_tarballs(graph: LockGraph, tree: _Tree, url_specs: set[str]) -> None:
    """Packages installed from a plain tarball URL: their ``resolved`` is not a registry
    download and something asked for them by URL (a private registry's odd URL alone is not
    enough to give up on matching)."""
    for key in url_specs:
        package = graph.packages[key]
        resolved = tree.entries[key].get("resolved")
        if (
            package.problem is None
            and isinstance(resolved, str)
            and registry_url_problem(resolved) == URL
        ):
            package.problem = URL
            package.specifier = redact(resolved)
