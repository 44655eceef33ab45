"""Dart and Flutter packages from ``pubspec.lock``.

Hosted packages are components at their locked version, with the sha256 pub records for the
archive (Dart 2.19+). ``dependency`` says whether a package is direct (``direct main``,
``direct dev``, ``direct overridden``) or transitive. Packages from git or a local path cannot
be matched against pub.dev advisories, and SDK packages (``flutter``, ``flutter_test``…) ship
with the SDK rather than from pub.dev; all three are reported as unresolved. The lockfile
records no dependency graph.
"""

from __future__ import annotations

import re
from typing import Any

from lockgate.inventory.interface import (
    ManifestError,
    ManifestSource,
    ParsedManifest,
    Unresolved,
    component,
)
from lockgate.inventory.lockgraph import sorted_components, sorted_unresolved
from lockgate.model import Component
from lockgate.model.ecosystems import PUB

FORMAT = "pubspec.lock"
DIRECT_KINDS = frozenset({"direct main", "direct dev", "direct overridden"})

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _load(source: ManifestSource) -> tuple[Any, dict[str, int]]:
    """The YAML document and the line of each key under ``packages``."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(source.text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ManifestError(
            f"pubspec.lock is not valid YAML: {getattr(exc, 'problem', None) or exc}",
            path=source.path,
            line=mark.line + 1 if mark is not None else None,
        ) from exc
    except RecursionError as exc:
        raise ManifestError("pubspec.lock is nested too deeply to read", path=source.path) from exc
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "packages" and isinstance(value, yaml.MappingNode):
                lines = {k.value: k.start_mark.line + 1 for k, _ in value.value}
    return data, lines


def _unresolved(name: str, entry: dict[str, Any], line: int | None) -> Unresolved | None:
    kind = entry.get("source")
    description = entry.get("description")
    version = str(entry.get("version", ""))
    if kind == "git":
        url = description.get("url") if isinstance(description, dict) else description
        reason = f"git source ({url})" if url else "git source"
        return Unresolved(name=name, specifier=version, reason=reason, line=line)
    if kind == "path":
        where = description.get("path") if isinstance(description, dict) else description
        reason = f"local path ({where})" if where else "local path"
        return Unresolved(name=name, specifier=version, reason=reason, line=line)
    if kind == "sdk":
        sdk = description if isinstance(description, str) else "an SDK"
        reason = f"SDK package (ships with {sdk})"
        return Unresolved(name=name, specifier=version, reason=reason, line=line)
    if kind != "hosted":
        return Unresolved(
            name=name, specifier=version, reason=f"unknown source {kind!r}", line=line
        )
    return None


def _sha256(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    description = entry.get("description")
    digest = description.get("sha256") if isinstance(description, dict) else None
    if isinstance(digest, str) and _SHA256.fullmatch(digest):
        return (("sha256", digest),)
    return ()


def parse(source: ManifestSource) -> ParsedManifest:
    """The packages a pubspec.lock pins, with direct flags and archive digests."""
    data, lines = _load(source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError(
            "not a pubspec.lock: the top level must be a mapping with 'packages'",
            path=source.path,
            line=1,
        )
    packages = data.get("packages") or {}
    if not isinstance(packages, dict):
        raise ManifestError("'packages' must be a mapping", path=source.path, line=1)
    components: list[Component] = []
    unresolved: list[Unresolved] = []
    for name, entry in packages.items():
        line = lines.get(str(name))
        if not isinstance(entry, dict):
            raise ManifestError(f"package {name!r} is not a mapping", path=source.path, line=line)
        skipped = _unresolved(str(name), entry, line)
        if skipped is not None:
            unresolved.append(skipped)
            continue
        version = entry.get("version")
        if not isinstance(version, str) or not version:
            raise ManifestError(f"package {name!r} has no version", path=source.path, line=line)
        kind = entry.get("dependency")
        components.append(
            component(
                ecosystem=PUB,
                name=str(name),
                version=version,
                path=source.path,
                line=line,
                direct=kind in DIRECT_KINDS if isinstance(kind, str) else None,
                hashes=_sha256(entry),
            )
        )
    return ParsedManifest(
        path=source.path,
        format=FORMAT,
        ecosystem=PUB,
        components=sorted_components(components),
        unresolved=sorted_unresolved(unresolved),
    )
