""".NET packages from NuGet's ``packages.lock.json`` (lock format versions 1 and 2).

Packages are listed per target framework; one package at one resolved version is one
component however many frameworks use it. ``type`` says whether it is ``Direct`` or
``Transitive`` (``CentralTransitive`` with central package management); ``Project`` entries
are other projects of the same solution and are skipped. ``contentHash`` (base64 sha512)
becomes a hex digest, and each entry's ``dependencies`` give the graph.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lockgate.inventory.documents import load_json_object
from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, component
from lockgate.inventory.lockgraph import LineIndex, dependency_paths, sorted_components
from lockgate.inventory.purl import purl_for
from lockgate.model.ecosystems import NUGET

FORMAT = "packages.lock.json"
SUPPORTED_VERSIONS = (1, 2)
DIRECT_TYPES = frozenset({"Direct"})
TRANSITIVE_TYPES = frozenset({"Transitive", "CentralTransitive"})


@dataclass(slots=True)
class _Package:
    name: str
    version: str
    line: int | None
    direct: bool = False
    sha512: str | None = None
    deps: set[tuple[str, str]] = field(default_factory=set)


def _sha512_hex(content_hash: object) -> str | None:
    if not isinstance(content_hash, str) or not content_hash:
        return None
    try:
        digest = base64.b64decode(content_hash, validate=True)
    except (binascii.Error, ValueError):
        return None
    return digest.hex() if len(digest) == 64 else None


def _frameworks(data: dict[str, Any], path: str) -> dict[str, Any]:
    version = data.get("version")
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise ManifestError(
            f"unsupported packages.lock.json version {version!r} (supported: 1 and 2)",
            path=path,
            line=1,
        )
    frameworks = data.get("dependencies")
    if not isinstance(frameworks, dict):
        raise ManifestError(
            "'dependencies' must map target frameworks to packages", path=path, line=1
        )
    return frameworks


def _key_line(index: LineIndex, key: str, start: int) -> tuple[int, int] | None:
    """Line and end offset of ``"key": {`` at or after ``start`` (a package entry, not the
    ``"name": "range"`` items of a ``dependencies`` list)."""
    return index.find(re.compile(rf"{re.escape(json.dumps(key))}\s*:\s*\{{"), start)


def _read(data: dict[str, Any], source: ManifestSource) -> dict[tuple[str, str], _Package]:
    index = LineIndex(source.text)
    packages: dict[tuple[str, str], _Package] = {}
    for framework, entries in _frameworks(data, source.path).items():
        found = _key_line(index, framework, 0)
        if not isinstance(entries, dict):
            raise ManifestError(
                f"framework {framework!r} must map package names to entries",
                path=source.path,
                line=found[0] if found else None,
            )
        offset = found[1] if found else 0
        resolved_here = {
            name.lower(): entry.get("resolved")
            for name, entry in entries.items()
            if isinstance(entry, dict)
        }
        for name, entry in entries.items():
            at = _key_line(index, name, offset)
            line = at[0] if at else None
            offset = at[1] if at else offset
            if not isinstance(entry, dict):
                raise ManifestError(f"entry {name!r} is not an object", path=source.path, line=line)
            kind, version = entry.get("type"), entry.get("resolved")
            if kind == "Project":
                continue
            if not isinstance(version, str) or not version:
                raise ManifestError(
                    f"package {name!r} has no resolved version", path=source.path, line=line
                )
            package = packages.setdefault((name.lower(), version), _Package(name, version, line))
            package.direct = package.direct or kind in DIRECT_TYPES
            package.sha512 = package.sha512 or _sha512_hex(entry.get("contentHash"))
            deps = entry.get("dependencies")
            for dep in deps if isinstance(deps, dict) else ():
                target = resolved_here.get(dep.lower())
                if isinstance(target, str):
                    package.deps.add((dep.lower(), target))
    return packages


def parse(source: ManifestSource) -> ParsedManifest:
    """The packages a packages.lock.json resolves, merged across target frameworks."""
    data = load_json_object(source, "packages.lock.json")
    packages = _read(data, source)
    edges = {key: sorted(dep for dep in p.deps if dep in packages) for key, p in packages.items()}
    roots = sorted(key for key, p in packages.items() if p.direct)
    paths = dependency_paths(edges, roots, lambda key: packages[key].name)
    components = [
        component(
            ecosystem=NUGET,
            name=p.name,
            version=p.version,
            path=source.path,
            line=p.line,
            direct=p.direct,
            dependency_paths=paths.get(key, ()),
            hashes=(("sha512", p.sha512),) if p.sha512 else (),
        )
        for key, p in packages.items()
    ]

    def purl(key: tuple[str, str]) -> str:
        return purl_for(NUGET, packages[key].name, key[1])

    graph = {(purl(key), tuple(sorted({purl(dep) for dep in deps}))) for key, deps in edges.items()}
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=NUGET,
        components=sorted_components(components),
        dependencies=tuple(sorted(graph)),
    )
