"""bun.lock: JSON with comments and trailing commas, package tuples, workspaces."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript import bun
from lockgate.inventory.javascript._specs import GIT, LOCAL, WORKSPACE
from tests.conftest import shared_dataset
from tests.unit.inventory.javascript.support import (
    assert_purls_round_trip,
    get,
    integrity,
    read,
    source,
    versions,
)

LOCK = f"""\
// written by bun
{{
  "lockfileVersion": 1,
  "workspaces": {{
    "": {{
      "name": "app",
      "dependencies": {{
        "chalk": "^4.0.0", // colours
        "has-flag": "^2.0.0",
        "gitdep": "github:acme/gitdep",
      }},
      "devDependencies": {{
        "vendored": "file:./vendor",
      }},
    }},
    "packages/ui": {{
      "name": "@app/ui",
      "dependencies": {{
        "has-flag": "^5.0.0",
      }},
    }},
  }},
  /* every installed package */
  "packages": {{
    "@app/ui": ["@app/ui@workspace:packages/ui"],

    "@app/ui/has-flag": ["has-flag@5.0.1", "", {{}}, "{integrity("has-flag5")}"],

    "chalk": [
      "chalk@4.1.2", "", {{ "dependencies": {{ "supports-color": "^7.1.0" }} }},
      "{integrity("chalk")}",
    ],

    "gitdep": ["gitdep@github:acme/gitdep#abc1234", {{}}, "acme-gitdep-abc1234"],

    "has-flag": ["has-flag@2.0.0", "", {{}}, "{integrity("has-flag2")}"],

    "supports-color": [
      "supports-color@7.2.0", "", {{ "dependencies": {{ "has-flag": "^4.0.0" }} }}, "bad-integrity",
    ],

    "supports-color/has-flag": [
      "has-flag@4.0.0", "https://registry.example.com/", {{}}, "{integrity("has-flag4")}",
    ],
  }},
}}
"""


def test_registry_packages_with_hashes_and_lines() -> None:
    manifest = bun.parse(source(LOCK, "bun.lock"))
    assert versions(manifest) == {
        ("chalk", "4.1.2"),
        ("has-flag", "2.0.0"),
        ("has-flag", "4.0.0"),
        ("has-flag", "5.0.1"),
        ("supports-color", "7.2.0"),
    }
    chalk = get(manifest, "chalk")
    assert chalk.hashes == (("sha512", hashlib.sha512(b"chalk").hexdigest()),)
    assert chalk.manifest is not None
    assert (
        chalk.manifest.start_line
        == LOCK.splitlines().index(
            next(line for line in LOCK.splitlines() if line.startswith('    "chalk"'))
        )
        + 1
    )
    assert get(manifest, "supports-color").hashes == ()
    assert_purls_round_trip(manifest)


def test_nested_copies_resolve_nearest_first_and_workspaces_are_direct() -> None:
    manifest = bun.parse(source(LOCK, "bun.lock"))
    assert get(manifest, "has-flag", "4.0.0").dependency_paths == (
        ("chalk", "supports-color", "has-flag"),
    )
    assert get(manifest, "has-flag", "4.0.0").direct is False
    assert get(manifest, "has-flag", "2.0.0").direct is True
    assert get(manifest, "has-flag", "5.0.1").direct is True  # the ui workspace's own copy
    assert get(manifest, "chalk").direct is True


def test_git_local_and_workspace_packages_are_unresolved() -> None:
    manifest = bun.parse(source(LOCK, "bun.lock"))
    assert {u.name: u.reason for u in manifest.unresolved} == {
        "@app/ui": WORKSPACE,
        "gitdep": GIT,
        "vendored": LOCAL,
    }


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{\n  "lockfileVersion": 7,\n}', "unknown bun.lock lockfileVersion 7", 2),
        (
            '{\n  "lockfileVersion": 1,\n  "packages": {\n    "a": [1],\n  },\n}',
            "'a' must be a list",
            4,
        ),
        ('{\n  "lockfileVersion": 1,\n  "packages": [],\n}', '"packages" must be an object', 3),
        ('{\n  "lockfileVersion": 1,\n  "packages": {\n', "not valid bun.lock", 4),
        ("[]", "must hold an object", None),
    ],
)
def test_malformed_lockfiles_are_located_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ManifestError) as caught:
        bun.parse(source(text, "bun.lock"))
    assert message in caught.value.message
    assert caught.value.path == "bun.lock"
    assert caught.value.line == line


# --- the osv-detector corpus ---------------------------------------------------------------

NESTED = {"ansi-styles@4.3.0", "chalk@4.1.2", "color-convert@2.0.1", "color-name@1.1.4"}
ACORN = {"acorn-jsx@5.3.2", "acorn@8.14.0"}
DATASET: dict[str, tuple[set[str], set[str]] | None] = {
    "alias.json5": (
        {"has-flag@3.0.0", "has-flag@4.0.0", "supports-color@6.1.0", "supports-color@7.2.0"},
        set(),
    ),
    "bad-tuple.json5": None,
    "blog-sample.json5": (set(), {"uWebSockets.js"}),
    "commits.json5": (
        {
            "@babel/helper-plugin-utils@7.26.5",
            "@babel/helper-string-parser@7.25.9",
            "@babel/helper-validator-identifier@7.25.9",
            "@babel/parser@7.26.5",
            "@babel/types@7.26.5",
            "jquery@3.7.1",
            "lodash@1.3.1",
            "make-synchronized@0.2.9",
            "php-parser@2.2.0",
            "prettier@3.4.2",
            "stopwords@0.0.1",
        },
        {"@prettier/sync", "babel-preset-php", "is-number", "raven-js", "slick-carousel"},
    ),
    "empty.json5": (set(), set()),
    "files.json5": ({"lodash@1.3.1"}, {"etag"}),
    "nested-dependencies-dup.json5": (
        NESTED | {"has-flag@2.0.0", "has-flag@4.0.0", "supports-color@7.2.0"},
        set(),
    ),
    "nested-dependencies.json5": (
        NESTED
        | {
            "has-flag@2.0.0",
            "has-flag@3.0.0",
            "has-flag@4.0.0",
            "supports-color@5.5.0",
            "supports-color@7.2.0",
        },
        set(),
    ),
    "no-packages.json5": (set(), set()),
    "not-json.txt": None,
    "one-package-dev.json5": ({"wrappy@1.0.2"}, set()),
    "one-package.json5": ({"wrappy@1.0.2"}, set()),
    "optional-package.json5": ({"acorn@8.14.0", "fsevents@0.3.8", "nan@2.22.0"}, set()),
    "peer-dependencies-explicit.json5": (ACORN, set()),
    "peer-dependencies-implicit.json5": (ACORN, set()),
    "same-package-different-groups.json5": ({"has-flag@3.0.0", "supports-color@5.5.0"}, set()),
    "scoped-packages-mixed.json5": (
        {
            "@babel/code-frame@7.26.2",
            "@babel/helper-validator-identifier@7.25.9",
            "js-tokens@4.0.0",
            "picocolors@1.1.1",
            "wrappy@1.0.2",
        },
        set(),
    ),
    "scoped-packages.json5": ({"@typescript-eslint/types@5.62.0"}, set()),
    "two-packages.json5": ({"has-flag@4.0.0", "wrappy@1.0.2"}, set()),
}


def _dataset() -> Path:
    return Path(shared_dataset("lockfiles", "osv-detector", "bun"))


@pytest.mark.parametrize("name", sorted(DATASET))
def test_osv_detector_fixtures(name: str) -> None:
    expected = DATASET[name]
    if expected is None:
        with pytest.raises(ManifestError) as caught:
            bun.parse(read(_dataset() / name))
        assert caught.value.path == name
        return
    manifest = bun.parse(read(_dataset() / name))
    assert {f"{c.name}@{c.version}" for c in manifest.components} == expected[0]
    assert {u.name for u in manifest.unresolved} == expected[1]
    assert_purls_round_trip(manifest)


def test_osv_detector_bad_tuple_names_the_entry() -> None:
    with pytest.raises(ManifestError) as caught:
        bun.parse(read(_dataset() / "bad-tuple.json5"))
    assert "wrappy-bad1" in caught.value.message
    assert caught.value.line == 12


def test_osv_detector_alias_and_peer_directness() -> None:
    alias = bun.parse(read(_dataset() / "alias.json5"))
    assert get(alias, "supports-color", "6.1.0").direct is True
    assert get(alias, "has-flag", "3.0.0").dependency_paths == (("supports-color", "has-flag"),)
    implicit = bun.parse(read(_dataset() / "peer-dependencies-implicit.json5"))
    assert get(implicit, "acorn").direct is False
    assert get(implicit, "acorn").dependency_paths == (("acorn-jsx", "acorn"),)


def test_every_bun_fixture_parses_or_fails_cleanly() -> None:
    for path in sorted(_dataset().iterdir()):
        if path.name.startswith(("not-", "invalid", "bad-")):
            with pytest.raises(ManifestError):
                bun.parse(read(path))
        else:
            assert_purls_round_trip(bun.parse(read(path)))
