"""Dependency paths, line lookups and result ordering shared by the lockfile parsers.

Lockfiles that record which package needs which (Cargo.lock, Gemfile.lock, composer.lock,
packages.lock.json, mix.lock) let a report say *how* a vulnerable package got in: the chains
of package names from a direct dependency down to it. This module computes those chains
with a bounded breadth-first walk (the shortest few per package; cycles cannot hang it), and
maps character offsets to 1-based line numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from lockgate.inventory.interface import Unresolved
    from lockgate.model import Component

K = TypeVar("K", bound=Hashable)

#: Paths kept per package: the shortest ones, enough to show how it is pulled in.
MAX_PATHS = 5
#: Longest chain followed; deeper graphs are real but such paths help nobody.
MAX_DEPTH = 32


def dependency_paths(
    edges: Mapping[K, Iterable[K]],
    roots: Iterable[K],
    label: Callable[[K], str],
    *,
    max_paths: int = MAX_PATHS,
    max_depth: int = MAX_DEPTH,
) -> dict[K, tuple[tuple[str, ...], ...]]:
    """Up to ``max_paths`` shortest chains of labels from a root down to each reachable node.

    A root's own chain is just its label. Chains never visit a node twice, so cycles end;
    work is bounded by ``max_paths`` times the number of edges.
    """
    # Work on small integers: hashing and comparing them is far cheaper than the keys.
    ids: dict[K, int] = {}
    nodes: list[K] = []

    def ident(key: K) -> int:
        number = ids.get(key)
        if number is None:
            number = ids[key] = len(nodes)
            nodes.append(key)
        return number

    start = [ident(root) for root in dict.fromkeys(roots)]
    adjacency: dict[int, list[int]] = {}
    for parent, children in edges.items():
        adjacency[ident(parent)] = [ident(child) for child in children]
    found: list[list[tuple[int, ...]]] = [[] for _ in nodes]
    queue: deque[tuple[int, ...]] = deque((root,) for root in start)
    while queue:
        chain = queue.popleft()
        kept = found[chain[-1]]
        if len(kept) >= max_paths:
            continue
        kept.append(chain)
        if len(chain) >= max_depth:
            continue
        for child in adjacency.get(chain[-1], ()):
            if len(found[child]) < max_paths and child not in chain:
                queue.append((*chain, child))
    labels = [label(node) for node in nodes]
    return {
        nodes[number]: tuple(tuple(labels[step] for step in chain) for chain in chains)
        for number, chains in enumerate(found)
        if chains
    }


def graph_roots(nodes: Iterable[K], edges: Mapping[K, Iterable[K]]) -> list[K]:
    """The nodes nothing else depends on, in the order given.

    In a complete lockfile such a package is there only because the project itself asks for
    it, so these are safe starting points for dependency paths when the file does not say
    which dependencies are direct.
    """
    needed = {child for parent, children in edges.items() for child in children if child != parent}
    return [node for node in nodes if node not in needed]


class LineIndex:
    """1-based line numbers of character offsets in one text."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def line(self, offset: int) -> int:
        """The line holding ``offset``."""
        return bisect_right(self._starts, offset)

    def find(self, pattern: re.Pattern[str], start: int = 0) -> tuple[int, int] | None:
        """``(line, end offset)`` of the first match of ``pattern`` at or after ``start``."""
        match = pattern.search(self.text, start)
        if match is None:
            return None
        return self.line(match.start()), match.end()


def sorted_components(components: Iterable[Component]) -> tuple[Component, ...]:
    """Components in a deterministic order: by purl, then manifest line. (Sorting the models
    themselves rebuilds a full field-by-field key on every comparison, far too slow for a
    lockfile of tens of thousands of packages; the collector orders the merged result.)"""
    return tuple(
        sorted(
            components,
            key=lambda c: (c.purl, c.manifest.start_line or 0 if c.manifest else 0, c.name),
        )
    )


def sorted_unresolved(items: Iterable[Unresolved]) -> tuple[Unresolved, ...]:
    """Unresolved entries without duplicates, ordered (a missing line sorts first)."""
    return tuple(sorted(set(items), key=lambda u: (u.name, u.specifier, u.reason, u.line or 0)))
