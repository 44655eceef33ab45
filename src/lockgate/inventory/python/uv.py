"""``uv.lock``: the packages uv resolved (lockfile ``version = 1``).

Registry packages become components with the sdist (else first wheel) hash; git, path,
directory and URL sources are reported as unresolved; the project itself and workspace
members (``virtual`` and ``editable`` sources) are left out, and their dependencies, optional
dependencies and dev groups are the direct ones. The graph comes from each package's
``dependencies``.
"""

from __future__ import annotations

from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.python._documents import (
    array,
    entry_lines,
    entry_names,
    load_toml,
    optional_text,
    table,
    text_of,
)
from lockgate.inventory.python._lockfile import LockedPackage, assemble, key_line, lock_major
from lockgate.inventory.python._pins import (
    canonical,
    source_reason,
)
from lockgate.model.ecosystems import PYPI

FORMAT = "uv.lock"
_PROJECT_SOURCES = ("virtual", "editable")
_NOT_INDEX = (("git", "git"), ("path", "path"), ("directory", "directory"), ("url", "url"))


def parse(source: ManifestSource) -> ParsedManifest:
    """Components, unresolved non-registry sources and the graph of a uv.lock (an empty
    file has none)."""
    if not source.text.strip():
        return ParsedManifest(path=source.path, format=FORMAT, ecosystem=PYPI)
    data = table(load_toml(source), "the document", source)
    if "version" not in data:
        raise ManifestError(
            "not a uv.lock: the lockfile version is missing", path=source.path, line=1
        )
    lock_major(data["version"], "uv.lock version", (1,), source, key_line(source.text, "version"))
    entries = array(data.get("package", []), "package", source)
    lines = entry_lines(source.text, "package", entry_names(entries))

    packages: list[LockedPackage] = []
    node_of_entry: dict[int, int] = {}
    projects: list[int] = []
    unresolved: list[Unresolved] = []
    for position, (raw, line) in enumerate(zip(entries, lines, strict=True)):
        entry = table(raw, "each [[package]]", source, line)
        name = text_of(entry.get("name"), "package name", source, line)
        version = optional_text(entry.get("version"))
        origin = table(entry.get("source", {}), f"the source of {name}", source, line)
        if any(key in origin for key in _PROJECT_SOURCES):
            projects.append(position)
            continue
        reason = _not_index(origin)
        if reason is not None:
            unresolved.append(
                Unresolved(name=name, specifier=version or "", reason=reason, line=line)
            )
            continue
        if version is None:
            unresolved.append(
                Unresolved(
                    name=name, specifier="", reason="no version recorded in the lockfile", line=line
                )
            )
            continue
        node_of_entry[position] = len(packages)
        packages.append(
            LockedPackage(name=name, version=version, line=line, digests=_digests(entry))
        )

    resolve = _Resolver(entries, node_of_entry)
    edges = {
        node: resolve.all(_dependency_lists(entries[position], source))
        for position, node in node_of_entry.items()
    }
    roots: list[int] | None = None
    if projects:
        roots = []
        for position in projects:
            roots.extend(resolve.all(_dependency_lists(entries[position], source)))
    return assemble(
        source,
        format=FORMAT,
        packages=packages,
        edges=edges,
        roots=roots,
        unresolved=unresolved,
    )


def _not_index(origin: dict[str, Any]) -> str | None:
    for key, kind in _NOT_INDEX:
        location = origin.get(key)
        if isinstance(location, str):
            return source_reason(kind, location.replace("#", "@", 1) if kind == "git" else location)
    return None


def _dependency_lists(entry: dict[str, Any], source: ManifestSource) -> list[Any]:
    """Every dependency reference of a package: required, optional (per extra), dev groups."""
    name = entry.get("name")
    found = list(array(entry.get("dependencies", []), f"the dependencies of {name}", source))
    for key in ("optional-dependencies", "dev-dependencies"):
        groups = table(entry.get(key, {}), f"the {key} of {name}", source)
        for group, items in groups.items():
            found.extend(array(items, f"the {key} {group} of {name}", source))
    return found


def _digests(entry: dict[str, Any]) -> tuple[str, ...]:
    artifacts: list[Any] = []
    if isinstance(entry.get("sdist"), dict):
        artifacts.append(entry["sdist"])
    if isinstance(entry.get("wheels"), list):
        artifacts.extend(entry["wheels"])
    return tuple(
        item["hash"]
        for item in artifacts
        if isinstance(item, dict) and isinstance(item.get("hash"), str)
    )


class _Resolver:
    """Maps ``{ name, version? }`` dependency references to component indices."""

    def __init__(self, entries: list[Any], node_of_entry: dict[int, int]) -> None:
        self.nodes: dict[str, list[tuple[str | None, int]]] = {}
        for position, node in node_of_entry.items():
            entry = entries[position]
            self.nodes.setdefault(canonical(entry["name"]), []).append(
                (optional_text(entry.get("version")), node)
            )

    def all(self, references: list[Any]) -> list[int]:
        found: list[int] = []
        for reference in references:
            if not isinstance(reference, dict) or not isinstance(reference.get("name"), str):
                continue
            wanted = optional_text(reference.get("version"))
            for version, node in self.nodes.get(canonical(reference["name"]), ()):
                if (wanted is None or wanted == version) and node not in found:
                    found.append(node)
        return found
