"""Merging manifests: lockfiles win over declared ranges, duplicates fold, nothing is lost."""

from __future__ import annotations

from typing import Any

from lockgate.inventory.collect import merge
from lockgate.inventory.interface import ParsedManifest, Unresolved, component
from lockgate.model import Component, SkipReason
from lockgate.model.ecosystems import NPM, PYPI


def _pkg(name: str, version: str, path: str, **kw: Any) -> Component:
    return component(ecosystem=NPM, name=name, version=version, path=path, **kw)


def test_lockfile_wins_over_declared_manifest_and_marks_direct_dependencies() -> None:
    declared = ParsedManifest(
        path="web/package.json",
        format="package.json",
        ecosystem=NPM,
        components=(_pkg("lodash", "4.17.11", "web/package.json", line=5, direct=True),),
        unresolved=(Unresolved(name="express", specifier="^4.0.0", reason="range", line=6),),
    )
    lock = ParsedManifest(
        path="web/package-lock.json",
        format="package-lock.json",
        ecosystem=NPM,
        components=(
            _pkg("lodash", "4.17.11", "web/package-lock.json", line=10),
            _pkg("express", "4.18.2", "web/package-lock.json", line=20),
            _pkg("qs", "6.11.0", "web/package-lock.json", line=30),
        ),
        dependencies=(("pkg:npm/express@4.18.2", ("pkg:npm/qs@6.11.0",)),),
    )
    components, skipped = merge([declared, lock])
    by_name = {c.name: c for c in components}
    assert set(by_name) == {"lodash", "express", "qs"}
    assert all(c.manifest and c.manifest.path == "web/package-lock.json" for c in components)
    assert by_name["lodash"].direct is True
    assert by_name["express"].direct is True
    assert by_name["qs"].direct is False
    assert by_name["express"].dependencies == ("pkg:npm/qs@6.11.0",)
    # The declared range is covered by the lockfile: not reported as unpinned.
    assert skipped == []


def test_declared_ranges_without_a_lockfile_are_reported_as_unpinned() -> None:
    declared = ParsedManifest(
        path="requirements.txt",
        format="requirements.txt",
        ecosystem=PYPI,
        components=(
            component(
                ecosystem=PYPI, name="Django", version="3.2.1", path="requirements.txt", line=1
            ),
        ),
        unresolved=(Unresolved(name="requests", specifier=">=2", reason="not pinned", line=2),),
    )
    components, skipped = merge([declared])
    assert [c.purl for c in components] == ["pkg:pypi/django@3.2.1"]
    assert len(skipped) == 1
    assert skipped[0].reason is SkipReason.UNPINNED
    assert skipped[0].path == "requirements.txt"
    assert "requirements.txt:2" in skipped[0].detail
    assert "requests >=2" in skipped[0].detail


def test_the_same_package_twice_in_one_manifest_is_one_component_with_both_paths() -> None:
    lock = ParsedManifest(
        path="package-lock.json",
        format="package-lock.json",
        ecosystem=NPM,
        components=(
            _pkg(
                "qs",
                "6.11.0",
                "package-lock.json",
                line=30,
                direct=False,
                dependency_paths=(("express", "qs"),),
            ),
            _pkg(
                "qs",
                "6.11.0",
                "package-lock.json",
                line=30,
                direct=True,
                dependency_paths=(("qs",),),
            ),
        ),
    )
    components, _ = merge([lock])
    assert len(components) == 1
    assert components[0].direct is True
    assert components[0].dependency_paths == (("express", "qs"), ("qs",))


def test_separate_directories_keep_separate_components() -> None:
    a = ParsedManifest(
        path="a/package-lock.json",
        format="package-lock.json",
        ecosystem=NPM,
        components=(_pkg("qs", "6.11.0", "a/package-lock.json"),),
    )
    b = ParsedManifest(
        path="b/package-lock.json",
        format="package-lock.json",
        ecosystem=NPM,
        components=(_pkg("qs", "6.11.0", "b/package-lock.json"),),
    )
    components, _ = merge([a, b])
    assert sorted(c.manifest.path for c in components if c.manifest) == [
        "a/package-lock.json",
        "b/package-lock.json",
    ]


def test_a_transitive_sighting_and_an_unknown_one_stay_transitive() -> None:
    lock = ParsedManifest(
        path="package-lock.json",
        format="package-lock.json",
        ecosystem=NPM,
        components=(
            _pkg("qs", "6.11.0", "package-lock.json", direct=False),
            _pkg("qs", "6.11.0", "package-lock.json"),
        ),
    )
    components, _ = merge([lock])
    assert [c.direct for c in components] == [False]
