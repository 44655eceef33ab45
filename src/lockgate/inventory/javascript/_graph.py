"""The installed-package graph every JavaScript lockfile is turned into, and from it the
components, unresolved entries, dependency paths and edges a ParsedManifest reports.

Each format's parser only has to say which packages are installed (by a node id of its own:
an install path, a descriptor, a key), which needs which, and which the project asks for
directly; deduplication, paths and purls are done once, here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter

from lockgate.inventory.interface import ParsedManifest, Unresolved, component
from lockgate.inventory.purl import purl_for
from lockgate.model import Component
from lockgate.model.ecosystems import NPM

#: Paths kept per package: the shortest ones, enough to show how it is pulled in.
MAX_PATHS = 5
#: Longest chain followed; deeper chains exist but help nobody read a report.
MAX_DEPTH = 32


@dataclass(slots=True)
class LockedPackage:
    """One installed package as a lockfile records it.

    ``problem`` says why it cannot be matched to a registry release (git, local path, URL,
    workspace); such a package is reported as unresolved with ``specifier`` shown instead of
    a version.
    """

    name: str
    version: str
    line: int | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    license: str | None = None
    problem: str | None = None
    specifier: str = ""


@dataclass(slots=True)
class LockGraph:
    """Installed packages by node id, who needs whom, and the project's direct dependencies
    (None when the lockfile does not say; ``direct_complete`` False when some may be missing,
    as with workspaces whose manifests cannot be read: the others are then not called
    transitive). ``top_level`` limits where paths may start when direct dependencies are
    unknown (npm's nested copies can never be direct)."""

    packages: dict[str, LockedPackage] = field(default_factory=dict)
    edges: dict[str, list[str]] = field(default_factory=dict)
    direct: list[str] | None = None
    direct_complete: bool = True
    top_level: list[str] | None = None
    unresolved: list[Unresolved] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add_edge(self, parent: str, child: str) -> None:
        """Record that ``parent`` needs ``child`` (each pair once)."""
        children = self.edges.setdefault(parent, [])
        if child not in children:
            children.append(child)


def dependency_paths(
    edges: Mapping[str, Iterable[str]], roots: Iterable[str]
) -> dict[str, list[tuple[str, ...]]]:
    """Up to MAX_PATHS shortest chains of node ids from a root down to each reachable node;
    chains never repeat a node, so cycles end, and the work is bounded by MAX_PATHS x edges."""
    found: dict[str, list[tuple[str, ...]]] = {}
    queue: deque[tuple[str, ...]] = deque((root,) for root in dict.fromkeys(roots))
    while queue:
        chain = queue.popleft()
        kept = found.setdefault(chain[-1], [])
        if len(kept) >= MAX_PATHS:
            continue
        kept.append(chain)
        if len(chain) >= MAX_DEPTH:
            continue
        for child in edges.get(chain[-1], ()):
            if child not in chain and len(found.get(child, ())) < MAX_PATHS:
                queue.append((*chain, child))
    return found


def _roots(graph: LockGraph) -> list[str]:
    """Where dependency paths start: the direct dependencies, or, when the file does not say
    (or says none but still installs packages), the packages nothing else needs."""
    if graph.direct:
        return [node for node in graph.direct if node in graph.packages]
    needed = {child for parent, kids in graph.edges.items() for child in kids if child != parent}
    candidates = graph.packages if graph.top_level is None else graph.top_level
    return [node for node in candidates if node not in needed]


def _shortest(paths: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(set(paths), key=lambda p: (len(p), p))[:MAX_PATHS])


def _is_direct(node: str, direct: set[str] | None, *, complete: bool) -> bool | None:
    if direct is None:
        return None
    if node in direct:
        return True
    return False if complete else None


def _either(first: bool | None, second: bool | None) -> bool | None:
    """Direct if any installation is; transitive only if every one is known to be."""
    if first or second:
        return True
    if first is None or second is None:
        return None
    return False


@dataclass(slots=True)
class _Merged:
    package: LockedPackage
    direct: bool | None
    paths: set[tuple[str, ...]]
    hashes: set[tuple[str, str]]
    line: int | None
    license: str | None


def _merge_components(graph: LockGraph) -> tuple[dict[str, _Merged], dict[str, str]]:
    """Components by purl (one per name and version, however often installed) and the purl
    of each node id that is a component."""
    direct = set(graph.direct) if graph.direct is not None else None
    chains = dependency_paths(graph.edges, _roots(graph))
    merged: dict[str, _Merged] = {}
    purl_of: dict[str, str] = {}
    for node, package in graph.packages.items():
        if package.problem is not None:
            continue
        purl = purl_for(NPM, package.name, package.version)
        purl_of[node] = purl
        names = {
            tuple(graph.packages[step].name for step in chain) for chain in chains.get(node, ())
        }
        is_direct = _is_direct(node, direct, complete=graph.direct_complete)
        entry = merged.get(purl)
        if entry is None:
            merged[purl] = _Merged(
                package, is_direct, names, set(package.hashes), package.line, package.license
            )
            continue
        entry.paths |= names
        entry.hashes |= set(package.hashes)
        entry.direct = _either(entry.direct, is_direct)
        if package.line is not None and (entry.line is None or package.line < entry.line):
            entry.line = package.line
        entry.license = entry.license or package.license
    return merged, purl_of


def _edges(graph: LockGraph, purl_of: Mapping[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out: dict[str, set[str]] = {}
    for parent, children in graph.edges.items():
        parent_purl = purl_of.get(parent)
        if parent_purl is None:
            continue
        kids = {purl_of[child] for child in children if child in purl_of}
        kids.discard(parent_purl)
        if kids:
            out.setdefault(parent_purl, set()).update(kids)
    return tuple((purl, tuple(sorted(kids))) for purl, kids in sorted(out.items()))


def _one_per_algorithm(
    name: str, version: str, hashes: Iterable[tuple[str, str]], warnings: list[str]
) -> tuple[tuple[str, str], ...]:
    """The hashes with one digest per algorithm; an algorithm whose digests disagree across
    installs of the same version is left out, with a warning, rather than guessed."""
    digests: dict[str, set[str]] = {}
    for algorithm, digest in hashes:
        digests.setdefault(algorithm, set()).add(digest)
    kept = []
    for algorithm, values in sorted(digests.items()):
        if len(values) == 1:
            kept.append((algorithm, next(iter(values))))
        else:
            warnings.append(
                f"{name}@{version} is recorded with {len(values)} different {algorithm} "
                "digests; none is reported"
            )
    return tuple(kept)


def build_manifest(graph: LockGraph, *, path: str, format: str) -> ParsedManifest:
    """The ParsedManifest a lockfile's graph amounts to: one component per name and version,
    with directness, up to MAX_PATHS shortest dependency paths, hashes and licenses merged
    over every place it is installed; everything with a ``problem`` becomes unresolved."""
    merged, purl_of = _merge_components(graph)
    warnings = list(graph.warnings)
    components: list[Component] = [
        component(
            ecosystem=NPM,
            name=entry.package.name,
            version=entry.package.version,
            path=path,
            line=entry.line,
            direct=entry.direct,
            dependency_paths=_shortest(entry.paths),
            licenses=entry.license,
            hashes=_one_per_algorithm(
                entry.package.name, entry.package.version, entry.hashes, warnings
            ),
        )
        for entry in merged.values()
    ]
    problems = list(graph.unresolved) + [
        Unresolved(name=p.name, specifier=p.specifier, reason=p.problem, line=p.line)
        for p in graph.packages.values()
        if p.problem is not None
    ]
    # One entry per name, specifier and reason (the first line it appears on).
    unresolved: dict[tuple[str, str, str], Unresolved] = {}
    for item in sorted(problems, key=lambda u: (u.line is None, u.line or 0)):
        unresolved.setdefault((item.name, item.specifier, item.reason), item)
    return ParsedManifest(
        path=path,
        format=format,
        ecosystem=NPM,
        # One component per purl, and purl is the first field of the model's order.
        components=tuple(sorted(components, key=attrgetter("purl"))),
        unresolved=tuple(sorted(unresolved.values())),
        dependencies=_edges(graph, purl_of),
        warnings=tuple(warnings),
    )
