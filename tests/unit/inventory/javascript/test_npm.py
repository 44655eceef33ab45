"""package-lock.json / npm-shrinkwrap.json: versions 1-3, graph, directness, odd sources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript import npm
from lockgate.inventory.javascript._specs import GIT, LOCAL, URL, WORKSPACE
from tests.conftest import shared_dataset
from tests.unit.inventory.javascript.support import (
    assert_purls_round_trip,
    get,
    integrity,
    read,
    source,
    unresolved,
    versions,
)


def registry(name: str, version: str, **extra: Any) -> dict[str, Any]:
    bare = name.rpartition("/")[2]
    return {
        "version": version,
        "resolved": f"https://registry.npmjs.org/{name}/-/{bare}-{version}.tgz",
        "integrity": integrity(f"{name}@{version}"),
        **extra,
    }


WORKSPACE_LOCK: dict[str, Any] = {
    "name": "mono",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {
            "name": "mono",
            "workspaces": ["packages/*"],
            "dependencies": {
                "express": "^4.18.0",
                "left": "npm:left-pad@1.3.0",
                "gitdep": "github:acme/gitdep",
                "tarball": "https://files.example.com/tarball-2.0.0.tgz",
                "private": "^3.0.0",
            },
            "devDependencies": {"jest-cli": "^29.0.0", "vendored": "file:./vendor/lib"},
        },
        "node_modules/express": registry(
            "express", "4.18.2", license="MIT", dependencies={"debug": "2.6.9", "qs": "6.11.0"}
        ),
        "node_modules/express/node_modules/debug": registry(
            "debug", "2.6.9", dependencies={"ms": "2.0.0"}
        ),
        "node_modules/express/node_modules/ms": registry("ms", "2.0.0"),
        "node_modules/debug": registry("debug", "4.3.4", dependencies={"ms": "2.1.2"}),
        "node_modules/ms": registry("ms", "2.1.2"),
        "node_modules/qs": registry("qs", "6.11.0", license={"type": "BSD-3-Clause"}),
        "node_modules/left": {**registry("left-pad", "1.3.0"), "name": "left-pad"},
        "node_modules/jest-cli": registry("jest-cli", "29.7.0", dev=True),
        "node_modules/@acme/util": {"resolved": "packages/util", "link": True},
        "packages/util": {
            "name": "@acme/util",
            "version": "0.1.0",
            "dependencies": {"debug": "^4"},
        },
        "node_modules/gitdep": {
            "version": "1.0.0",
            "resolved": "git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef",
        },
        "node_modules/tarball": {
            "version": "2.0.0",
            "resolved": "https://files.example.com/tarball-2.0.0.tgz",
        },
        "node_modules/private": {
            "version": "3.0.0",
            "resolved": "https://npm.pkg.github.com/download/@acme/private/3.0.0/abc123",
        },
    },
}


def line_of(text: str, key: str) -> int:
    return text[: text.index(f'"{key}": {{')].count("\n") + 1


@pytest.fixture
def workspace() -> tuple[str, Any]:
    text = json.dumps(WORKSPACE_LOCK, indent=2)
    return text, npm.parse(source(text, "package-lock.json"))


def test_v3_reports_each_installed_version_once(workspace: tuple[str, Any]) -> None:
    _, manifest = workspace
    assert versions(manifest) == {
        ("express", "4.18.2"),
        ("debug", "2.6.9"),
        ("debug", "4.3.4"),
        ("ms", "2.0.0"),
        ("ms", "2.1.2"),
        ("qs", "6.11.0"),
        ("left-pad", "1.3.0"),
        ("jest-cli", "29.7.0"),
        ("private", "3.0.0"),
    }
    assert manifest.format == "package-lock.json"
    assert_purls_round_trip(manifest)


def test_components_point_at_their_entry_with_hashes_and_licenses(
    workspace: tuple[str, Any],
) -> None:
    text, manifest = workspace
    express = get(manifest, "express")
    assert express.manifest is not None
    assert express.manifest.path == "package-lock.json"
    assert express.manifest.start_line == line_of(text, "node_modules/express")
    assert express.hashes == (("sha512", hashlib.sha512(b"express@4.18.2").hexdigest()),)
    assert express.licenses == "MIT"
    assert get(manifest, "qs").licenses == "BSD-3-Clause"


def test_direct_dependencies_come_from_the_root_and_workspaces(
    workspace: tuple[str, Any],
) -> None:
    _, manifest = workspace
    assert get(manifest, "express").direct is True
    assert get(manifest, "jest-cli").direct is True
    assert get(manifest, "left-pad").direct is True
    assert get(manifest, "debug", "4.3.4").direct is True  # declared by packages/util
    assert get(manifest, "debug", "2.6.9").direct is False
    assert get(manifest, "ms", "2.0.0").direct is False


def test_nested_copies_resolve_like_node(workspace: tuple[str, Any]) -> None:
    _, manifest = workspace
    assert get(manifest, "debug", "2.6.9").dependency_paths == (("express", "debug"),)
    assert get(manifest, "ms", "2.0.0").dependency_paths == (("express", "debug", "ms"),)
    assert get(manifest, "ms", "2.1.2").dependency_paths == (("debug", "ms"),)
    edges = dict(manifest.dependencies)
    assert edges["pkg:npm/express@4.18.2"] == ("pkg:npm/debug@2.6.9", "pkg:npm/qs@6.11.0")


def test_sources_that_cannot_be_matched_are_unresolved(workspace: tuple[str, Any]) -> None:
    _, manifest = workspace
    reasons = {u.name: u.reason for u in manifest.unresolved}
    assert reasons == {
        "@acme/util": WORKSPACE,
        "gitdep": GIT,
        "tarball": URL,
        "vendored": LOCAL,
    }
    assert unresolved(manifest, "gitdep")[0].specifier.startswith("git+ssh://")


def _v1(dependencies: dict[str, Any]) -> str:
    return json.dumps(
        {"lockfileVersion": 1, "requires": True, "dependencies": dependencies}, indent=2
    )


V1 = _v1(
    {
        "postcss": {**registry("postcss", "6.0.23"), "requires": {"supports-color": "^5.4.0"}},
        "postcss-calc": {
            **registry("postcss-calc", "7.0.1"),
            "requires": {"postcss": "^7.0.5"},
            "dependencies": {
                "postcss": {**registry("postcss", "7.0.16"), "requires": {"supports-color": "^6"}},
                "supports-color": registry("supports-color", "6.1.0"),
            },
        },
        "supports-color": registry("supports-color", "5.5.0"),
        "cjs": {
            "version": "npm:ansi-regex@5.0.1",
            "resolved": "https://registry.npmjs.org/x/-/x.tgz",
        },
        "local": {"version": "file:libs/local"},
        "remote": {"version": "https://example.com/remote-1.0.0.tgz"},
        "tokened": {"version": "git+https://s3cr3t@github.com/a/b.git#abc"},
    }
)


def test_v1_tree_resolves_nested_requires() -> None:
    manifest = npm.parse(source(V1, "package-lock.json"))
    assert get(manifest, "supports-color", "6.1.0").dependency_paths == (
        ("postcss-calc", "postcss", "supports-color"),
    )
    assert get(manifest, "supports-color", "5.5.0").dependency_paths == (
        ("postcss", "supports-color"),
    )
    assert get(manifest, "ansi-regex", "5.0.1").name == "ansi-regex"
    assert get(manifest, "postcss", "7.0.16").manifest is not None
    assert_purls_round_trip(manifest)


def test_v1_non_registry_versions_are_unresolved_without_leaking_tokens() -> None:
    manifest = npm.parse(source(V1, "package-lock.json"))
    reasons = {u.name: (u.reason, u.specifier) for u in manifest.unresolved}
    assert reasons["local"] == (LOCAL, "file:libs/local")
    assert reasons["remote"][0] == URL
    assert reasons["tokened"] == (GIT, "git+https://***@github.com/a/b.git#abc")
    assert "s3cr3t" not in repr(manifest)


def test_v1_directness_comes_from_the_package_json_beside_it() -> None:
    package_json = json.dumps({"dependencies": {"postcss-calc": "^7"}, "devDependencies": {}})
    with_manifest = npm.parse(source(V1, "app/package-lock.json", {"package.json": package_json}))
    assert get(with_manifest, "postcss-calc").direct is True
    assert get(with_manifest, "postcss", "6.0.23").direct is False
    without = npm.parse(source(V1, "app/package-lock.json"))
    assert get(without, "postcss-calc").direct is None


def test_v1_with_a_broken_package_json_warns_and_leaves_directness_unknown() -> None:
    manifest = npm.parse(source(V1, "app/package-lock.json", {"package.json": "{oops"}))
    assert get(manifest, "postcss-calc").direct is None
    assert any("app/package.json" in w for w in manifest.warnings)


def test_version_2_without_packages_reads_the_dependencies_tree() -> None:
    text = json.dumps(
        {"lockfileVersion": 2, "dependencies": {"wrappy": registry("wrappy", "1.0.2")}}
    )
    assert versions(npm.parse(source(text))) == {("wrappy", "1.0.2")}


def test_shrinkwrap_is_named_as_such() -> None:
    manifest = npm.parse(source(V1, "npm-shrinkwrap.json"))
    assert manifest.format == "npm-shrinkwrap.json"


def test_cyclic_dependencies_do_not_hang() -> None:
    text = json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"dependencies": {"a": "1.0.0"}},
                "node_modules/a": registry("a", "1.0.0", dependencies={"b": "1.0.0"}),
                "node_modules/b": registry("b", "1.0.0", dependencies={"a": "1.0.0"}),
            },
        }
    )
    manifest = npm.parse(source(text))
    assert get(manifest, "b").dependency_paths == (("a", "b"),)
    assert get(manifest, "a").dependency_paths == (("a",),)


def test_minified_lockfile_still_has_lines() -> None:
    text = json.dumps(
        {"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": registry("a", "1.0.0")}}
    )
    comp = get(npm.parse(source(text)), "a")
    assert comp.manifest is not None
    assert comp.manifest.start_line == 1


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{\n  "lockfileVersion": 4,\n  "packages": {}\n}', "unknown npm lockfileVersion 4", 2),
        ('{"name": "x"}', "unknown npm lockfileVersion missing", None),
        ('{\n  "lockfileVersion": 3,\n  "packages": {\n', "not valid JSON", 4),
        ("[1, 2]", "top level must be a JSON object", 1),
        ('{\n  "lockfileVersion": 3,\n  "packages": []\n}', '"packages" must be', 3),
        (
            '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": 5\n  }\n}',
            "'node_modules/a' must be a JSON object",
            4,
        ),
    ],
)
def test_malformed_lockfiles_are_located_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ManifestError) as caught:
        npm.parse(source(text, "web/package-lock.json"))
    assert message in caught.value.message
    assert caught.value.path == "web/package-lock.json"
    assert caught.value.line == line


# --- the osv-detector corpus ---------------------------------------------------------------

DATASET: dict[str, tuple[set[str], set[str]] | None] = {
    "commits.v1.json": (
        {"ansi-styles@1.0.0", "postcss-calc@7.0.1"},
        {
            "@segment/analytics.js-integration-facebook-pixel",
            "babel-preset-php",
            "is-number-1",
            "is-number-2",
            "is-number-3",
            "is-number-4",
            "is-number-5",
            "is-number-6",
            "raven-js",
            "slick-carousel",
        },
    ),
    "commits.v2.json": (
        {"ansi-styles@1.0.0", "postcss-calc@7.0.1"},
        {
            "@segment/analytics.js-integration-facebook-pixel",
            "babel-preset-php",
            "is-number-1",
            "is-number-2",
            "is-number-3",
            "is-number-4",
            "is-number-5",
            "raven-js",
            "slick-carousel",
        },
    ),
    "empty.v1.json": (set(), set()),
    "empty.v2.json": (set(), set()),
    "files.v1.json": ({"lodash@1.3.1"}, {"other_package"}),
    "files.v2.json": ({"abbrev@1.0.9", "abbrev@2.3.4"}, {"etag"}),
    "nested-dependencies-dup.v2.json": ({"supports-color@2.0.0", "supports-color@6.1.0"}, set()),
    "nested-dependencies.v1.json": (
        {
            "postcss-calc@7.0.1",
            "postcss@6.0.23",
            "postcss@7.0.16",
            "supports-color@5.5.0",
            "supports-color@6.1.0",
        },
        set(),
    ),
    "not-json.txt": None,
    "one-package-dev.v1.json": ({"wrappy@1.0.2"}, set()),
    "one-package-dev.v2.json": ({"wrappy@1.0.2"}, set()),
    "one-package.v1.json": ({"wrappy@1.0.2"}, set()),
    "one-package.v2.json": ({"wrappy@1.0.2"}, set()),
    "scoped-packages.v1.json": ({"@babel/code-frame@7.0.0", "wrappy@1.0.2"}, set()),
    "scoped-packages.v2.json": ({"@babel/code-frame@7.0.0", "wrappy@1.0.2"}, set()),
    "two-packages.v1.json": ({"supports-color@5.5.0", "wrappy@1.0.2"}, set()),
    "two-packages.v2.json": ({"supports-color@5.5.0", "wrappy@1.0.2"}, set()),
    "with-aliases.v1.json": (
        {"@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"},
        set(),
    ),
    "with-aliases.v2.json": (
        {"@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"},
        set(),
    ),
}


def _dataset() -> Path:
    return Path(shared_dataset("lockfiles", "osv-detector", "npm"))


@pytest.mark.parametrize("name", sorted(DATASET))
def test_osv_detector_fixtures(name: str) -> None:
    path = _dataset() / name
    expected = DATASET[name]
    if expected is None:
        with pytest.raises(ManifestError) as caught:
            npm.parse(read(path))
        assert caught.value.path == name
        return
    manifest = npm.parse(read(path))
    assert {f"{c.name}@{c.version}" for c in manifest.components} == expected[0]
    assert {u.name for u in manifest.unresolved} == expected[1]
    assert_purls_round_trip(manifest)
    for comp in manifest.components:
        assert comp.manifest is not None
        assert comp.manifest.start_line is not None


def test_osv_detector_v1_and_v2_agree_on_dependency_paths() -> None:
    v1 = npm.parse(read(_dataset() / "nested-dependencies.v1.json"))
    v2 = npm.parse(read(_dataset() / "nested-dependencies.v2.json"))
    for comp in v1.components:
        assert comp.dependency_paths == get(v2, comp.name, comp.version).dependency_paths


def test_osv_detector_nested_copies_are_never_shown_as_top_level() -> None:
    manifest = npm.parse(read(_dataset() / "nested-dependencies-dup.v1.json"))
    assert len(manifest.components) == 39
    # supports-color@6.1.0 is only ever nested (and no entry requires it in this fixture)
    assert get(manifest, "supports-color", "6.1.0").dependency_paths == ()
    assert get(manifest, "cssnano").dependency_paths == (("cssnano",),)
    assert get(manifest, "postcss-calc").dependency_paths == (
        ("cssnano", "cssnano-preset-default", "postcss-calc"),
    )


def test_every_npm_fixture_parses_or_fails_cleanly() -> None:
    for path in sorted(_dataset().iterdir()):
        if path.name.startswith(("not-", "invalid", "bad-")):
            with pytest.raises(ManifestError):
                npm.parse(read(path))
        else:
            assert_purls_round_trip(npm.parse(read(path)))
