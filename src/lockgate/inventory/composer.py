"""PHP packages from ``composer.lock``.

Every entry of ``packages`` and ``packages-dev`` is a component at its locked version (kept
as written: ``v1.2.3`` and ``1.2.3`` both occur; advisory matching normalises). A list of
licenses is a choice, so it becomes ``A OR B``. ``dist.shasum`` is a sha1 when present.
Development branches (``dev-main``, ``2.x-dev``) and path repositories are not releases and
are reported as unresolved. Which packages are direct comes from the ``composer.json`` beside
the lockfile when there is one; ``require`` entries give the graph.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lockgate.inventory.documents import load_json, load_json_object
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
from lockgate.model import Component
from lockgate.model.ecosystems import PACKAGIST

FORMAT = "composer.lock"
SECTIONS = ("packages", "packages-dev")

_SHA1 = re.compile(r"[0-9a-fA-F]{40}")


@dataclass(frozen=True, slots=True)
class _Package:
    name: str
    version: str
    line: int | None
    raw: dict[str, Any]


def _section_packages(
    data: dict[str, Any], section: str, index: LineIndex, path: str
) -> list[_Package]:
    entries = data.get(section, [])
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ManifestError(f"'{section}' must be a list of packages", path=path)
    start = index.find(re.compile(rf'"{re.escape(section)}"\s*:\s*\['))
    offset = start[1] if start else 0
    packages = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ManifestError(f"an entry of '{section}' is not an object", path=path)
        name, version = entry.get("name"), entry.get("version")
        found = None
        if isinstance(name, str):
            found = index.find(re.compile(rf'"name"\s*:\s*{re.escape(json.dumps(name))}'), offset)
        line = found[0] if found else None
        offset = found[1] if found else offset
        if not isinstance(name, str) or not name:
            raise ManifestError(f"a package in '{section}' has no name", path=path, line=line)
        if not isinstance(version, str) or not version:
            raise ManifestError(f"package {name!r} has no version", path=path, line=line)
        packages.append(_Package(name, version, line, entry))
    return packages


def _declared(source: ManifestSource) -> tuple[set[str] | None, list[str]]:
    """Lower-cased names composer.json requires (``require`` and ``require-dev``), or None
    when there is no readable composer.json beside the lockfile."""
    text = source.read_sibling("composer.json")
    if text is None:
        return None, []
    where = f"{source.directory}/composer.json" if source.directory else "composer.json"
    sibling = ManifestSource(path=where, text=text)
    try:
        data = load_json(sibling, "composer.json")
    except ManifestError as exc:
        return None, [f"composer.json beside the lockfile was ignored: {exc.message}"]
    names: set[str] = set()
    if isinstance(data, dict):
        for key in ("require", "require-dev"):
            section = data.get(key)
            if isinstance(section, dict):
                names.update(name.lower() for name in section if "/" in name)
    return names, []


def _unresolved_reason(package: _Package) -> str | None:
    version = package.version
    if version.startswith("dev-") or version.endswith("-dev"):
        return "development branch"
    dist = package.raw.get("dist")
    if isinstance(dist, dict) and dist.get("type") == "path":
        url = dist.get("url")
        return f"local path ({url})" if isinstance(url, str) and url else "local path"
    return None


def _licenses(raw: dict[str, Any]) -> str | None:
    value = raw.get("license")
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list):
        names = [item for item in value if isinstance(item, str) and item]
        if len(names) > 1:
            return " OR ".join(f"({n})" if " " in n else n for n in names)
        return names[0] if names else None
    return None


def _sha1(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    dist = raw.get("dist")
    shasum = dist.get("shasum") if isinstance(dist, dict) else None
    if isinstance(shasum, str) and _SHA1.fullmatch(shasum):
        return (("sha1", shasum.lower()),)
    return ()


def _graph(packages: list[_Package]) -> dict[str, list[str]]:
    """Lower-cased name -> names it requires, through ``replace``/``provide`` aliases."""
    present = {p.name.lower() for p in packages}
    alias: dict[str, str] = {}
    for package in packages:
        for key in ("replace", "provide"):
            section = package.raw.get(key)
            if isinstance(section, dict):
                for name in section:
                    if name.lower() not in present:
                        alias.setdefault(name.lower(), package.name.lower())
    edges: dict[str, list[str]] = {}
    for package in packages:
        require = package.raw.get("require")
        targets = []
        if isinstance(require, dict):
            for name in require:
                lowered = name.lower()
                target = lowered if lowered in present else alias.get(lowered)
                if target is not None and target != package.name.lower():
                    targets.append(target)
        edges.setdefault(package.name.lower(), []).extend(targets)
    return edges


def parse(source: ManifestSource) -> ParsedManifest:
    """The packages a composer.lock pins, with licenses, sha1 digests and dependency paths."""
    data = load_json_object(source, "composer.lock")
    if not any(section in data for section in SECTIONS):
        raise ManifestError(
            "not a composer.lock: no 'packages' or 'packages-dev' list", path=source.path, line=1
        )
    index = LineIndex(source.text)
    packages = [
        package
        for section in SECTIONS
        for package in _section_packages(data, section, index, source.path)
    ]
    declared, warnings = _declared(source)
    edges = _graph(packages)
    names = list(dict.fromkeys(p.name.lower() for p in packages))
    roots = (
        [name for name in names if name in declared]
        if declared is not None
        else graph_roots(names, edges)
    )
    display = {p.name.lower(): p.name for p in packages}
    paths = dependency_paths(edges, roots, lambda name: display[name])
    components: list[Component] = []
    unresolved: list[Unresolved] = []
    for package in packages:
        reason = _unresolved_reason(package)
        if reason is not None:
            unresolved.append(
                Unresolved(
                    name=package.name, specifier=package.version, reason=reason, line=package.line
                )
            )
            continue
        components.append(
            component(
                ecosystem=PACKAGIST,
                name=package.name,
                version=package.version,
                path=source.path,
                line=package.line,
                direct=(package.name.lower() in declared) if declared is not None else None,
                dependency_paths=paths.get(package.name.lower(), ()),
                licenses=_licenses(package.raw),
                hashes=_sha1(package.raw),
            )
        )
    shipped = {c.name.lower(): c.purl for c in components}
    graph = {
        (purl, tuple(sorted({shipped[d] for d in edges.get(name, ()) if d in shipped})))
        for name, purl in shipped.items()
    }
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=PACKAGIST,
        components=sorted_components(components),
        unresolved=sorted_unresolved(unresolved),
        dependencies=tuple(sorted(graph)),
        warnings=tuple(warnings),
    )
