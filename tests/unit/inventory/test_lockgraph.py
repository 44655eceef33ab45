"""Dependency paths from lockfile graphs: shortest first, capped, cycle-safe."""

from __future__ import annotations

import re

from lockgate.inventory.lockgraph import LineIndex, dependency_paths, graph_roots


def test_paths_run_from_each_root_down_to_the_package() -> None:
    edges = {"app": ["web", "db"], "web": ["log"], "db": ["log"], "log": []}
    paths = dependency_paths(edges, ["web", "db"], str.upper)
    assert paths["log"] == (("WEB", "LOG"), ("DB", "LOG"))
    assert paths["web"] == (("WEB",),)
    assert "app" not in paths  # not reachable from a root


def test_only_the_five_shortest_paths_are_kept() -> None:
    edges: dict[str, list[str]] = {"root": [f"mid{i}" for i in range(8)]}
    for i in range(8):
        edges[f"mid{i}"] = ["leaf"]
    edges["root"].append("leaf")
    paths = dependency_paths(edges, ["root"], lambda n: n)
    assert len(paths["leaf"]) == 5
    assert paths["leaf"][0] == ("root", "leaf")
    assert all(len(p) == 3 for p in paths["leaf"][1:])


def test_cycles_end_and_no_path_visits_a_package_twice() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a", "b"]}
    paths = dependency_paths(edges, ["a"], lambda n: n)
    assert paths == {"a": (("a",),), "b": (("a", "b"),), "c": (("a", "b", "c"),)}


def test_depth_is_bounded() -> None:
    edges = {i: [i + 1] for i in range(100)}
    paths = dependency_paths(edges, [0], str, max_depth=10)
    assert max(len(p) for chains in paths.values() for p in chains) == 10
    assert 50 not in paths


def test_graph_roots_are_packages_nothing_else_needs() -> None:
    edges = {"a": ["b"], "b": ["c", "b"], "d": []}
    assert graph_roots(["a", "b", "c", "d"], edges) == ["a", "d"]


def test_line_index_maps_offsets_to_one_based_lines() -> None:
    index = LineIndex("first\nsecond\n\nfourth")
    assert index.line(0) == 1
    assert index.line(5) == 1
    assert index.line(6) == 2
    assert index.line(14) == 4
    assert index.find(re.compile("fourth")) == (4, 20)
    assert index.find(re.compile("first"), start=1) is None
