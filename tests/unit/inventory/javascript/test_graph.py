"""From an installed-package graph to components: directness, paths, merging, edges."""

from __future__ import annotations

import itertools

from lockgate.inventory.javascript._graph import (
    MAX_DEPTH,
    MAX_PATHS,
    LockedPackage,
    LockGraph,
    build_manifest,
)
from tests.unit.inventory.javascript.support import get


def _graph(edges: dict[str, list[str]], direct: list[str] | None) -> LockGraph:
    graph = LockGraph(direct=direct)
    for node in {*edges, *(c for kids in edges.values() for c in kids)}:
        graph.packages[node] = LockedPackage(name=node, version="1.0.0", line=1)
    for parent, children in edges.items():
        for child in children:
            graph.add_edge(parent, child)
    return graph


def test_paths_run_from_direct_dependencies_shortest_first() -> None:
    graph = _graph({"app": ["mid", "leaf"], "mid": ["leaf"]}, direct=["app"])
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, "leaf").dependency_paths == (("app", "leaf"), ("app", "mid", "leaf"))
    assert get(manifest, "app").direct is True
    assert get(manifest, "leaf").direct is False


def test_cycles_end_and_paths_never_repeat_a_package() -> None:
    graph = _graph({"a": ["b"], "b": ["c"], "c": ["a", "b"]}, direct=["a"])
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, "c").dependency_paths == (("a", "b", "c"),)
    assert get(manifest, "a").dependency_paths == (("a",),)


def test_paths_are_capped_per_package() -> None:
    roots = [f"r{i}" for i in range(MAX_PATHS + 3)]
    graph = _graph({root: ["shared"] for root in roots}, direct=roots)
    manifest = build_manifest(graph, path="lock", format="test")
    assert len(get(manifest, "shared").dependency_paths) == MAX_PATHS


def test_depth_is_bounded() -> None:
    chain = [f"p{i}" for i in range(MAX_DEPTH + 10)]
    graph = _graph({a: [b] for a, b in itertools.pairwise(chain)}, direct=[chain[0]])
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, chain[MAX_DEPTH - 1]).dependency_paths
    assert get(manifest, chain[-1]).dependency_paths == ()


def test_without_known_direct_dependencies_paths_start_at_top_level_packages() -> None:
    graph = _graph({"top": ["dep"]}, direct=None)
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, "dep").dependency_paths == (("top", "dep"),)
    assert get(manifest, "dep").direct is None


def test_incomplete_direct_list_leaves_others_unknown() -> None:
    graph = _graph({"a": ["b"]}, direct=["a"])
    graph.direct_complete = False
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, "a").direct is True
    assert get(manifest, "b").direct is None


def test_one_component_per_version_merging_every_install() -> None:
    graph = LockGraph(direct=["x", "copy"])
    graph.packages["x"] = LockedPackage(
        name="dup", version="2.0.0", line=9, hashes=(("sha1", "aa"),)
    )
    graph.packages["copy"] = LockedPackage(
        name="dup", version="2.0.0", line=4, hashes=(("sha512", "bb"),), license="MIT"
    )
    manifest = build_manifest(graph, path="lock", format="test")
    comp = get(manifest, "dup")
    assert comp.manifest is not None
    assert comp.manifest.start_line == 4
    assert comp.hashes == (("sha1", "aa"), ("sha512", "bb"))
    assert comp.licenses == "MIT"


def test_disagreeing_digests_are_dropped_with_a_warning() -> None:
    graph = LockGraph(direct=["x", "y"])
    graph.packages["x"] = LockedPackage(name="dup", version="2.0.0", hashes=(("sha512", "aa"),))
    graph.packages["y"] = LockedPackage(name="dup", version="2.0.0", hashes=(("sha512", "bb"),))
    manifest = build_manifest(graph, path="lock", format="test")
    assert get(manifest, "dup").hashes == ()
    assert any("dup@2.0.0" in w and "sha512" in w for w in manifest.warnings)


def test_unmatchable_packages_are_unresolved_and_left_out_of_edges() -> None:
    graph = _graph({"app": ["git-dep", "lib"]}, direct=["app"])
    graph.packages["git-dep"].problem = "git source"
    graph.packages["git-dep"].specifier = "github:u/r"
    manifest = build_manifest(graph, path="lock", format="test")
    assert [(u.name, u.reason) for u in manifest.unresolved] == [("git-dep", "git source")]
    assert manifest.dependencies == (("pkg:npm/app@1.0.0", ("pkg:npm/lib@1.0.0",)),)
