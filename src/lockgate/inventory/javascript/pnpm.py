"""``pnpm-lock.yaml``, lockfileVersion 5.x (``/name/1.2.3`` keys), 6.x (``/name@1.2.3``),
7.x and 9.x (``packages`` for metadata plus ``snapshots`` for the installed instances).

Peer-dependency suffixes (``(react@18.0.0)``, ``_react@18.0.0``) are stripped from versions;
each instance's ``dependencies`` give the graph; importers (the root and each workspace
project, or the top-level ``dependencies`` of older single-project files) give the direct
dependencies. Registry packages carry their ``resolution.integrity`` hash; git, tarball-URL,
local directory and ``link:`` packages are unresolved.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest, Unresolved
from lockgate.inventory.javascript import _yamlsubset as yamlsubset
from lockgate.inventory.javascript._graph import LockedPackage, LockGraph, build_manifest
from lockgate.inventory.javascript._specs import (
    GIT,
    LINK,
    LOCAL,
    WORKSPACE,
    is_version,
    redact,
    registry_url_problem,
    source_problem,
    sri_hashes,
)

FORMAT = "pnpm-lock.yaml"
#: Major lockfile versions this parser knows.
SUPPORTED_MAJORS = frozenset({5, 6, 7, 9})
_IMPORTER_FIELDS = ("dependencies", "devDependencies", "optionalDependencies")
_INSTANCE_FIELDS = ("dependencies", "optionalDependencies")
_GIT_KEY = re.compile(r"^(?:github\.com|gitlab\.com|bitbucket\.org|[^/]*@[^/]*\+)/", re.ASCII)
_KEY_LINE = re.compile(r"""^  (?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|(.+?)):(?:\s|$)""")


def parse(source: ManifestSource) -> ParsedManifest:
    """Components of a pnpm lockfile, with dependency paths and direct dependencies."""
    data = _load(source)
    graph = LockGraph()
    if data is not None:
        _fill(graph, data, source)
    return build_manifest(graph, path=source.path, format=FORMAT)


def _load(source: ManifestSource) -> dict[str, Any] | None:
    data = yamlsubset.load(source.text, source.path)
    if data is None or data == "":
        return None  # empty, or only comments
    if not isinstance(data, dict):
        raise ManifestError(
            "a pnpm lockfile must be a YAML mapping at the top level", path=source.path, line=1
        )
    version = data.get("lockfileVersion")
    if _major(data) not in SUPPORTED_MAJORS:
        shown = "missing" if version is None else repr(version)
        raise ManifestError(
            f"unknown pnpm lockfileVersion {shown}: lockgate reads 5.x, 6.x, 7.x and 9.x",
            path=source.path,
            line=_top_line(source.text, "lockfileVersion"),
        )
    return data


def _major(data: Mapping[str, Any]) -> int:
    """The major lockfile version (``'9.0'`` -> 9, ``5.4`` -> 5), -1 when unreadable."""
    major = str(data.get("lockfileVersion")).strip("'\"").partition(".")[0]
    return int(major) if major.isdigit() else -1


def _top_line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _mapping(value: Any, what: str, source: ManifestSource) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ManifestError(
            f"{what} must be a mapping", path=source.path, line=_top_line(source.text, what)
        )
    return value


def _section_lines(text: str) -> dict[str, dict[str, int]]:
    """Line of each two-space-indented key under the top-level ``packages:`` and
    ``snapshots:`` sections."""
    lines: dict[str, dict[str, int]] = {"packages": {}, "snapshots": {}}
    current: dict[str, int] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        if raw[:1] not in (" ", "", "#"):
            current = lines.get(raw.partition(":")[0].strip())
            continue
        if current is None or raw[2:3] in (" ", "#", ""):
            continue
        match = _KEY_LINE.match(raw)
        if match:
            single, double, plain = match.groups()
            key = single.replace("''", "'") if single is not None else (double or plain or "")
            current.setdefault(key, number)
    return lines


def strip_peers(key: str) -> str:
    """A package key or version without its peer-dependency suffix: ``(…)`` from lockfile 6
    on, ``_…`` after the version in lockfile 5."""
    key = key.split("(", 1)[0]
    head, sep, tail = key.rpartition("/")
    if sep and "_" in tail and tail[:1].isdigit():
        return f"{head}/{tail.split('_', 1)[0]}"
    if not sep and "_" in key and key[:1].isdigit():
        return key.split("_", 1)[0]
    return key


def name_and_version(key: str) -> tuple[str, str]:
    """``(name, version)`` a package key encodes: ``/name/1.0.0_peer`` (5.x, optionally behind
    a registry host), ``/name@1.0.0(peer)`` (6.x), ``name@1.0.0(peer)`` (9.x); the version is
    whatever follows the name (a URL for tarball keys), ``""`` when none."""
    bare = key.split("(", 1)[0]
    bare = bare[1:] if bare.startswith("/") else bare
    at = bare.find("@", 1)
    if at > 0:
        name = bare[:at]
        if name.count("/") == (1 if name.startswith("@") else 0):
            return name, bare[at + 1 :]
    parts = bare.split("/")
    if len(parts) > 2 and "." in parts[0] and not parts[0].startswith("@"):
        parts = parts[1:]  # registry host prefix: registry.npmjs.org/name/1.0.0
    size = 2 if parts[0].startswith("@") else 1
    name, rest = "/".join(parts[:size]), parts[size:]
    if len(rest) != 1:
        return name, ""
    return name, rest[0].split("_", 1)[0]


def _resolution_problem(resolution: Mapping[str, Any], key: str) -> tuple[str | None, str]:
    """(problem, what to show) from a ``resolution`` that is not a plain integrity hash."""
    if resolution.get("type") == "git" or "commit" in resolution:
        repo = str(resolution.get("repo", key))
        return GIT, f"{repo}#{resolution.get('commit', '')}".rstrip("#")
    if "tarball" in resolution:
        tarball = str(resolution["tarball"])
        return registry_url_problem(tarball), tarball
    return LOCAL, str(resolution.get("directory", key))


def _problem(key: str, entry: Mapping[str, Any], version: str) -> tuple[str | None, str]:
    """(why the package cannot be matched to a registry release, what to show instead)."""
    resolution = entry.get("resolution")
    resolution = resolution if isinstance(resolution, dict) else {}
    if {"type", "commit", "tarball", "directory"} & resolution.keys() or key.startswith("file:"):
        return _resolution_problem(resolution, key)
    problem = None
    if key.startswith("link:"):
        problem = LINK
    elif _GIT_KEY.match(key.lstrip("/")):
        problem = GIT
    elif not is_version(version):
        problem = source_problem(version) or f"not an exact version ({version or key})"
    return problem, key if problem else ""


def _package(key: str, entry: Mapping[str, Any], line: int | None) -> LockedPackage:
    name, version = name_and_version(key)
    if key.startswith(("file:", "link:")) or _GIT_KEY.match(key.lstrip("/")):
        name = ""  # the key is a location, not a name
    name = str(entry.get("name") or name or key)
    version = str(entry.get("version") or version)
    problem, shown = _problem(key, entry, version)
    resolution = entry.get("resolution")
    integrity = resolution.get("integrity") if isinstance(resolution, dict) else None
    package = LockedPackage(
        name=name,
        version=version if problem is None else "",
        line=line,
        hashes=sri_hashes(integrity) if isinstance(integrity, str) else (),
    )
    if problem is not None:
        package.problem = problem
        package.specifier = redact(shown)
    return package


def _instances(
    data: Mapping[str, Any], source: ManifestSource
) -> Iterator[tuple[str, dict[str, Any], int | None]]:
    """Every installed instance (node id, merged entry, line): lockfile 9 splits metadata
    (``packages``) from instances (``snapshots``); older ones keep both in ``packages``."""
    lines = _section_lines(source.text)
    packages = _mapping(data.get("packages"), "packages", source)
    snapshots = _mapping(data.get("snapshots"), "snapshots", source)
    covered: set[str] = set()
    for key, value in snapshots.items():
        base = strip_peers(key)
        covered.add(base)
        meta = packages.get(base)
        entry = {**(meta if isinstance(meta, dict) else {}), **_entry(value, key, source, lines)}
        yield key, entry, lines["packages"].get(base) or lines["snapshots"].get(key)
    check_keys = _major(data) < 9
    for key, value in packages.items():
        if check_keys and "/" not in key and not key.startswith(("file:", "link:")):
            raise ManifestError(
                f"invalid package path {key!r} for lockfileVersion "
                f"{data.get('lockfileVersion')} (expected /name/version or /name@version)",
                path=source.path,
                line=lines["packages"].get(key),
            )
        if key not in covered:
            yield key, _entry(value, key, source, lines), lines["packages"].get(key)


def _entry(
    value: Any, key: str, source: ManifestSource, lines: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        line = lines["packages"].get(key) or lines["snapshots"].get(key)
        raise ManifestError(f"package {key!r} must be a mapping", path=source.path, line=line)
    return value


def _candidates(name: str, ref: str) -> list[str]:
    """Keys a dependency reference (a version, maybe with peers, or a full key) may be
    stored under in the different lockfile versions."""
    if ref.startswith("/"):
        return [ref]
    if ref[:1].isdigit():
        return [f"{name}@{ref}", f"/{name}@{ref}", f"/{name}/{ref}"]
    return [ref, f"/{ref}"]


def _importers(data: Mapping[str, Any], source: ManifestSource) -> dict[str, Mapping[str, Any]]:
    importers = _mapping(data.get("importers"), "importers", source)
    if importers:
        return {str(k): v for k, v in importers.items() if isinstance(v, dict)}
    return {".": data}


def _declared(importer: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(name, specifier, reference) of each dependency an importer declares."""
    specifiers = importer.get("specifiers")
    specifiers = specifiers if isinstance(specifiers, dict) else {}
    for field in _IMPORTER_FIELDS:
        section = importer.get(field)
        if not isinstance(section, dict):
            continue
        for name, value in section.items():
            if isinstance(value, dict):
                yield str(name), str(value.get("specifier", "")), str(value.get("version", ""))
            else:
                yield str(name), str(specifiers.get(name, "")), str(value)


def _fill(graph: LockGraph, data: Mapping[str, Any], source: ManifestSource) -> None:
    index: dict[str, str] = {}
    deps: dict[str, Mapping[str, Any]] = {}
    for key, entry, line in _instances(data, source):
        graph.packages[key] = _package(key, entry, line)
        deps[key] = entry
        index.setdefault(key, key)
        index.setdefault(strip_peers(key), key)

    def find(name: str, ref: str) -> str | None:
        for candidate in _candidates(name, ref):
            node = index.get(candidate) or index.get(strip_peers(candidate))
            if node is not None:
                return node
        return None

    for key, needs in deps.items():
        for field in _INSTANCE_FIELDS:
            section = needs.get(field)
            if isinstance(section, dict):
                for name, ref in section.items():
                    child = find(str(name), str(ref))
                    if child is not None:
                        graph.add_edge(key, child)
    _direct(graph, data, source, find)


def _direct(
    graph: LockGraph,
    data: Mapping[str, Any],
    source: ManifestSource,
    find: Callable[[str, str], str | None],
) -> None:
    """Direct dependencies: what each importer (the project and its workspace packages)
    declares; ``link:`` references to other importers or local folders are unresolved."""
    importers = _importers(data, source)
    graph.direct = []
    line = _top_line(source.text, "importers") or _top_line(source.text, "dependencies")
    for path, importer in importers.items():
        for name, specifier, ref in _declared(importer):
            if ref.startswith("link:"):
                target = posixpath.normpath(posixpath.join(path, ref[5:]))
                reason = WORKSPACE if target in importers else LINK
                graph.unresolved.append(
                    Unresolved(
                        name=name, specifier=redact(specifier or ref), reason=reason, line=line
                    )
                )
                continue
            node = find(name, ref)
            if node is not None:
                graph.direct.append(node)
