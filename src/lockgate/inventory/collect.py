"""Run the manifest parsers over a workspace and merge what they say into one inventory.

Lockfiles win over declared manifests: when a directory holds a lockfile of an ecosystem,
the exact versions come from it, and a declared manifest of the same ecosystem there
(``pyproject.toml``, ``package.json``) only contributes which dependencies are direct.
A malformed manifest becomes a located error; the others are still read.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from lockgate.inventory.catalog import ParserSpec, parser_for
from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest
from lockgate.model import Component, ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.sources.interface import FileInfo, Workspace

#: Manifests that declare ranges; a lockfile of the same ecosystem beside them wins.
DECLARED_FORMATS = frozenset({"pyproject.toml", "package.json", "requirements.in"})
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Inventory:
    """Everything the manifests of a workspace say, merged and deduplicated."""

    manifests: tuple[ParsedManifest, ...] = ()
    components: tuple[Component, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
    errors: tuple[ControlError, ...] = ()
    files_scanned: int = 0


def decode(data: bytes) -> str:
    """UTF-8 text without a BOM; undecodable bytes are replaced (manifests are text)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def manifest_files(files: Iterable[FileInfo]) -> list[tuple[FileInfo, ParserSpec]]:
    """The files a parser claims, in path order (archive members excluded)."""
    found = []
    for info in files:
        if info.archive is not None:
            continue
        spec = parser_for(info.path)
        if spec is not None:
            found.append((info, spec))
    found.sort(key=lambda pair: pair[0].path)
    return found


def _reader(workspace: Workspace, manifest_path: str) -> ManifestSource:
    directory = manifest_path.rpartition("/")[0]
    root = workspace.root.resolve()

    def read_sibling(relative: str) -> str | None:
        joined = f"{directory}/{relative}" if directory else relative
        candidate = (workspace.root / joined).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        try:
            if candidate.stat().st_size > MAX_MANIFEST_BYTES:
                return None
            return decode(candidate.read_bytes())
        except OSError:
            return None

    text = decode(workspace.read_bytes(manifest_path))
    return ManifestSource(path=manifest_path, text=text, read_sibling=read_sibling)


def parse_manifest(workspace: Workspace, info: FileInfo, spec: ParserSpec) -> ParsedManifest:
    """Parse one manifest; ManifestError (located) on malformed input."""
    if info.size > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"manifest is {info.size} bytes, over the {MAX_MANIFEST_BYTES} byte limit",
            path=info.path,
        )
    try:
        source = _reader(workspace, info.path)
    except OSError as exc:
        raise ManifestError(f"cannot read: {exc.strerror or exc}", path=info.path) from exc
    return spec.load()(source)


def merge(manifests: Iterable[ParsedManifest]) -> tuple[list[Component], list[SkippedItem]]:
    """Components of all manifests, declared ones dropped where a lockfile covers them."""
    manifests = list(manifests)
    locked = {
        (m.path.rpartition("/")[0], m.ecosystem)
        for m in manifests
        if m.format not in DECLARED_FORMATS
    }
    direct_names: dict[tuple[str, str], set[str]] = {}
    for m in manifests:
        if m.format in DECLARED_FORMATS:
            key = (m.path.rpartition("/")[0], m.ecosystem)
            names = direct_names.setdefault(key, set())
            names.update(c.name for c in m.components)
            names.update(u.name for u in m.unresolved)
    components: dict[tuple[str, str], Component] = {}
    skipped: list[SkippedItem] = []
    for m in manifests:
        key = (m.path.rpartition("/")[0], m.ecosystem)
        if m.format in DECLARED_FORMATS and key in locked:
            continue
        for unresolved in m.unresolved:
            where = f"{m.path}:{unresolved.line}" if unresolved.line else m.path
            skipped.append(
                SkippedItem(
                    path=m.path,
                    reason=SkipReason.UNPINNED,
                    detail=f"{where}: {unresolved.name} {unresolved.specifier}".rstrip()
                    + f" — {unresolved.reason}",
                )
            )
        declared = direct_names.get(key)
        edges = dict(m.dependencies)
        for parsed in m.components:
            comp = parsed
            if not comp.dependencies and comp.purl in edges:
                comp = replace(comp, dependencies=tuple(sorted(set(edges[comp.purl]))))
            if comp.direct is None and declared is not None and m.format not in DECLARED_FORMATS:
                comp = replace(comp, direct=comp.name in declared)
            manifest_path = comp.manifest.path if comp.manifest else m.path
            ident = (comp.purl, manifest_path)
            previous = components.get(ident)
            if previous is None:
                components[ident] = comp
            else:
                components[ident] = _combine(previous, comp)
    return sorted(components.values(), key=Component.sort_key), sorted(set(skipped))


def _combine(first: Component, second: Component) -> Component:
    """One component seen twice in a manifest (two dependency paths, dev and prod)."""
    flags = (first.direct, second.direct)
    direct = True if True in flags else (False if False in flags else None)
    return replace(
        first,
        direct=direct,
        dependency_paths=tuple(sorted(set(first.dependency_paths) | set(second.dependency_paths))),
        hashes=tuple(sorted({**dict(second.hashes), **dict(first.hashes)}.items())),
        dependencies=tuple(sorted(set(first.dependencies) | set(second.dependencies))),
        licenses=first.licenses or second.licenses,
    )


def collect_inventory(workspace: Workspace, files: Iterable[FileInfo] | None = None) -> Inventory:
    """Parse every manifest in ``files`` (default: the workspace's files) and merge them."""
    manifests: list[ParsedManifest] = []
    errors: list[ControlError] = []
    claimed = manifest_files(workspace.files if files is None else files)
    for info, spec in claimed:
        try:
            manifests.append(parse_manifest(workspace, info, spec))
        except ManifestError as exc:
            errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    message=f"{spec.format}: {exc.message}",
                    fatal=False,
                    path=exc.path or info.path,
                    line=exc.line,
                )
            )
    components, skipped = merge(manifests)
    return Inventory(
        manifests=tuple(manifests),
        components=tuple(components),
        skipped=tuple(skipped),
        errors=tuple(sorted(errors)),
        files_scanned=len(claimed),
    )


def sbom_inventory(path: Path) -> Inventory:
    """The inventory an existing CycloneDX or SPDX SBOM describes (``scan --sbom``)."""
    from lockgate.inventory.sbom import read_sbom

    parsed = read_sbom(path)
    components, skipped = merge([parsed])
    return Inventory(
        manifests=(parsed,),
        components=tuple(components),
        skipped=tuple(skipped),
        files_scanned=1,
    )


_CACHE: dict[int, Inventory] = {}
_CACHE_LOCK = threading.Lock()
_KEY_LOCKS: dict[int, threading.Lock] = {}


def workspace_inventory(workspace: Workspace) -> Inventory:
    """:func:`collect_inventory` over the whole workspace, computed once per workspace so the
    vulnerability and license controls, running in parallel, parse each manifest once."""
    key = id(workspace)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        inventory = collect_inventory(workspace)
        with _CACHE_LOCK:
            _CACHE[key] = inventory
            _KEY_LOCKS.pop(key, None)
        weakref.finalize(workspace, _CACHE.pop, key, None)
        return inventory
