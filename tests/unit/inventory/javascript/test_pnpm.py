"""pnpm-lock.yaml: lockfile versions 5, 6 and 9, peers, importers, odd sources."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript import pnpm
from lockgate.inventory.javascript._specs import GIT, LINK, LOCAL, URL, WORKSPACE
from tests.conftest import shared_dataset
from tests.unit.inventory.javascript.support import (
    assert_purls_round_trip,
    get,
    integrity,
    read,
    source,
    versions,
)

V5 = f"""\
lockfileVersion: 5.4

specifiers:
  react-dom: ^18.2.0
  cjs: npm:ansi-regex@^5.0.0
  vitest: ^0.34.0

dependencies:
  react-dom: 18.2.0_react@18.2.0
  cjs: /ansi-regex/5.0.1

devDependencies:
  vitest: 0.34.6

packages:

  /react-dom/18.2.0_react@18.2.0:
    resolution: {{integrity: {integrity("react-dom")}}}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
    dev: false

  /react/18.2.0:
    resolution: {{integrity: {integrity("react")}}}
    dependencies:
      loose-envify: 1.4.0
    dev: false

  /loose-envify/1.4.0:
    resolution: {{integrity: {integrity("loose-envify")}}}
    dev: false

  /ansi-regex/5.0.1:
    resolution: {{integrity: {integrity("ansi-regex")}}}
    dev: false

  /vitest/0.34.6:
    resolution: {{integrity: {integrity("vitest")}}}
    dev: true

  /@types/babel__core/7.1.14:
    resolution: {{integrity: {integrity("babel")}}}
    dev: true
"""


def test_v5_keys_peers_and_aliases() -> None:
    manifest = pnpm.parse(source(V5, "pnpm-lock.yaml"))
    assert versions(manifest) == {
        ("react-dom", "18.2.0"),
        ("react", "18.2.0"),
        ("loose-envify", "1.4.0"),
        ("ansi-regex", "5.0.1"),
        ("vitest", "0.34.6"),
        ("@types/babel__core", "7.1.14"),
    }
    react_dom = get(manifest, "react-dom")
    assert react_dom.manifest is not None
    assert (
        react_dom.manifest.start_line
        == V5.splitlines().index("  /react-dom/18.2.0_react@18.2.0:") + 1
    )
    assert react_dom.hashes == (("sha512", hashlib.sha512(b"react-dom").hexdigest()),)
    assert_purls_round_trip(manifest)


def test_v5_direct_dependencies_and_paths() -> None:
    manifest = pnpm.parse(source(V5, "pnpm-lock.yaml"))
    assert get(manifest, "react-dom").direct is True
    assert get(manifest, "ansi-regex").direct is True
    assert get(manifest, "vitest").direct is True
    assert get(manifest, "react").direct is False
    assert get(manifest, "loose-envify").dependency_paths == (
        ("react-dom", "loose-envify"),
        ("react-dom", "react", "loose-envify"),
    )


V6 = f"""\
lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@acme/ui':
        specifier: workspace:*
        version: link:packages/ui
      shared:
        specifier: link:../shared
        version: link:../shared
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)

  packages/ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0
      gitpkg:
        specifier: github:acme/gitpkg
        version: github.com/acme/gitpkg/abcdef0
      tarpkg:
        specifier: https://files.example.com/tarpkg-1.0.0.tgz
        version: '@files.example.com/tarpkg-1.0.0.tgz'
      localdir:
        specifier: file:../localdir
        version: file:localdir

packages:

  /react-dom@18.2.0(react@18.2.0):
    resolution: {{integrity: {integrity("react-dom")}}}
    dependencies:
      react: 18.2.0
    dev: false

  /react@18.2.0:
    resolution: {{integrity: {integrity("react")}}}
    dev: false

  github.com/acme/gitpkg/abcdef0:
    resolution: {{tarball: https://codeload.github.com/acme/gitpkg/tar.gz/abcdef0}}
    name: gitpkg
    version: 0.1.0
    dev: false

  '@files.example.com/tarpkg-1.0.0.tgz':
    resolution: {{tarball: https://files.example.com/tarpkg-1.0.0.tgz}}
    name: tarpkg
    version: 1.0.0
    dev: false

  file:localdir:
    resolution: {{directory: localdir, type: directory}}
    name: localdir
    version: 2.0.0
    dev: false
"""


def test_v6_importers_make_workspace_dependencies_direct() -> None:
    manifest = pnpm.parse(source(V6, "pnpm-lock.yaml"))
    assert versions(manifest) == {("react-dom", "18.2.0"), ("react", "18.2.0")}
    assert get(manifest, "react").direct is True  # declared by packages/ui
    assert get(manifest, "react").dependency_paths == (("react",), ("react-dom", "react"))


def test_v6_links_git_tarballs_and_directories_are_unresolved() -> None:
    manifest = pnpm.parse(source(V6, "pnpm-lock.yaml"))
    assert {u.name: u.reason for u in manifest.unresolved} == {
        "@acme/ui": WORKSPACE,
        "shared": LINK,
        "gitpkg": GIT,
        "tarpkg": URL,
        "localdir": LOCAL,
    }


V9 = f"""\
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@typescript-eslint/parser':
        specifier: ^5.12.0
        version: 5.62.0(eslint@8.57.0)(typescript@4.9.5)
      cjs:
        specifier: npm:ansi-regex@^5.0.0
        version: ansi-regex@5.0.1
    devDependencies:
      eslint:
        specifier: ^8.0.0
        version: 8.57.0

packages:

  '@typescript-eslint/parser@5.62.0':
    resolution: {{integrity: {integrity("parser")}}}
    peerDependencies:
      eslint: ^6.0.0 || ^7.0.0 || ^8.0.0

  ansi-regex@5.0.1:
    resolution: {{integrity: {integrity("ansi-regex")}}}

  debug@4.3.4:
    resolution: {{integrity: {integrity("debug")}}}

  eslint@8.57.0:
    resolution: {{integrity: {integrity("eslint")}}}
    hasBin: true

  ms@2.1.2:
    resolution: {{integrity: {integrity("ms")}}}

snapshots:

  '@typescript-eslint/parser@5.62.0(eslint@8.57.0)(typescript@4.9.5)':
    dependencies:
      debug: 4.3.4
      eslint: 8.57.0

  ansi-regex@5.0.1: {{}}

  debug@4.3.4:
    dependencies:
      ms: 2.1.2

  eslint@8.57.0:
    dependencies:
      debug: 4.3.4

  ms@2.1.2: {{}}
"""


def test_v9_packages_and_snapshots() -> None:
    manifest = pnpm.parse(source(V9, "pnpm-lock.yaml"))
    assert versions(manifest) == {
        ("@typescript-eslint/parser", "5.62.0"),
        ("ansi-regex", "5.0.1"),
        ("debug", "4.3.4"),
        ("eslint", "8.57.0"),
        ("ms", "2.1.2"),
    }
    parser = get(manifest, "@typescript-eslint/parser")
    assert parser.direct is True
    assert parser.hashes == (("sha512", hashlib.sha512(b"parser").hexdigest()),)
    assert parser.manifest is not None
    assert (
        parser.manifest.start_line
        == V9.splitlines().index("  '@typescript-eslint/parser@5.62.0':") + 1
    )
    assert get(manifest, "ansi-regex").direct is True
    assert get(manifest, "ms").direct is False
    assert set(get(manifest, "ms").dependency_paths) == {
        ("eslint", "debug", "ms"),
        ("@typescript-eslint/parser", "debug", "ms"),
        ("@typescript-eslint/parser", "eslint", "debug", "ms"),
    }
    assert_purls_round_trip(manifest)


def test_peer_suffixes_are_stripped() -> None:
    assert pnpm.strip_peers("/acorn-jsx/5.3.2_acorn@8.7.0") == "/acorn-jsx/5.3.2"
    assert pnpm.strip_peers("/foo/1.0.0_@types+babel__core@7.1.14") == "/foo/1.0.0"
    assert pnpm.strip_peers("react-dom@18.2.0(react@18.2.0)") == "react-dom@18.2.0"
    assert pnpm.strip_peers("5.3.2_acorn@8.7.0") == "5.3.2"
    assert pnpm.strip_peers("/string_decoder/1.3.0") == "/string_decoder/1.3.0"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("/lodash/4.17.21", ("lodash", "4.17.21")),
        ("/@babel/core/7.0.0_eslint@8.0.0", ("@babel/core", "7.0.0")),
        ("registry.npmjs.org/@foo/bar/1.1.0", ("@foo/bar", "1.1.0")),
        ("/lodash@4.17.21", ("lodash", "4.17.21")),
        ("/@babel/core@7.0.0(eslint@8.0.0)", ("@babel/core", "7.0.0")),
        ("@babel/core@7.0.0(eslint@8.0.0)(ts@5.0.0)", ("@babel/core", "7.0.0")),
        ("string_decoder@1.3.0", ("string_decoder", "1.3.0")),
    ],
)
def test_package_keys_of_every_version(key: str, expected: tuple[str, str]) -> None:
    assert pnpm.name_and_version(key) == expected


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("lockfileVersion: '3.0'\n", "unknown pnpm lockfileVersion", 1),
        ("packages:\n  /a/1.0.0: {}\n", "unknown pnpm lockfileVersion missing", None),
        (
            "lockfileVersion: 5.4\npackages:\n  axios@1.2.5:\n    dev: false\n",
            "invalid package path",
            3,
        ),
        ("lockfileVersion: 5.4\npackages: [a\n", "not valid YAML", 3),
        ("- just\n- a list\n", "YAML mapping", 1),
        ("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [1]\n", "must be a mapping", 3),
    ],
)
def test_malformed_lockfiles_are_located_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(ManifestError) as caught:
        pnpm.parse(source(text, "pnpm-lock.yaml"))
    assert message in caught.value.message
    assert caught.value.path == "pnpm-lock.yaml"
    assert caught.value.line == line


# --- the osv-detector corpus ---------------------------------------------------------------

ACORN_V5 = {"acorn@8.7.0"}
ACORN_V9 = {"acorn@8.11.3"}
ALIASES = {"@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"}
REACT = {"js-tokens@4.0.0", "loose-envify@1.4.0"}
DATASET: dict[str, tuple[set[str], set[str]] | None] = {
    "commits.v9.yaml": (set(), {"ansi-regex", "is-number"}),
    "commits.yaml": (
        set(),
        {
            "@my-scope/my-other-package",
            "@my-scope/my-package",
            "faker-parser",
            "mocks",
            "my-bitbucket-package",
        },
    ),
    "empty.yaml": (set(), set()),
    "exotic.yaml": (
        {
            "@foo/bar@1.0.0",
            "@foo/bar@1.1.0",
            "foo@1.0.0",
            "foo@1.1.0",
            "foo@1.2.0",
            "foo@1.3.0",
            "foo@1.4.0",
        },
        {"foo", "github.com/kevva/is-positive"},
    ),
    "files.yaml": (
        set(),
        {
            "a-local-package",
            "a-nested-local-package",
            "file:../nameless-package",
            "my-file-package",
            "one-up",
            "one-up-with-peer",
        },
    ),
    "invalid-package-path.yaml": None,
    "mixed-groups.v53.yaml": ({"ansi-regex@5.0.1", "is-number@7.0.0", "uuid@8.3.2"}, set()),
    "mixed-groups.v54.yaml": ({"ansi-regex@5.0.1", "is-number@7.0.0", "uuid@8.3.2"}, set()),
    "mixed-groups.v6.yaml": ({"ansi-regex@5.0.0", "is-number@7.0.0", "uuid@8.0.0"}, set()),
    "mixed-groups.v9.yaml": ({"ansi-regex@5.0.1", "is-number@7.0.0", "uuid@8.3.2"}, set()),
    "multiple-versions.v9.yaml": ({"uuid@8.0.0", "uuid@8.3.2", "xmlbuilder@11.0.1"}, set()),
    "multiple-versions.yaml": ({"uuid@3.3.2", "uuid@8.3.2", "xmlbuilder@9.0.7"}, set()),
    "no-packages.v9.yaml": (set(), set()),
    "no-packages.yaml": (set(), set()),
    "not-yaml.txt": None,
    "one-package-dev.v9.yaml": (ACORN_V9, set()),
    "one-package-dev.yaml": (ACORN_V5, set()),
    "one-package-v6.yaml": (ACORN_V5, set()),
    "one-package.v9.yaml": (ACORN_V9, set()),
    "one-package.yaml": (ACORN_V5, set()),
    "peer-dependencies-advanced-rc-v6.yaml": (
        REACT | {"react-dom@18.0.0-rc.3", "react@18.2.0", "scheduler@0.21.0"},
        set(),
    ),
    "peer-dependencies-v6.yaml": (
        REACT | {"react-dom@18.2.0", "react@18.2.0", "scheduler@0.23.0"},
        set(),
    ),
    "peer-dependencies.v9.yaml": ({"acorn-jsx@5.3.2", "acorn@8.11.3"}, set()),
    "peer-dependencies.yaml": ({"acorn-jsx@5.3.2", "acorn@8.7.0"}, set()),
    "scoped-packages-v6.yaml": ({"@typescript-eslint/types@5.57.1"}, set()),
    "scoped-packages.v9.yaml": ({"@typescript-eslint/types@5.62.0"}, set()),
    "scoped-packages.yaml": ({"@typescript-eslint/types@5.13.0"}, set()),
    "tarball.yaml": ({"@my-org/my-package@3.2.3"}, set()),
    "with-aliases-v6.yaml": (ALIASES, set()),
    "with-aliases.yaml": (ALIASES, set()),
}


def _dataset() -> Path:
    return Path(shared_dataset("lockfiles", "osv-detector", "pnpm"))


@pytest.mark.parametrize("name", sorted(DATASET))
def test_osv_detector_fixtures(name: str) -> None:
    expected = DATASET[name]
    if expected is None:
        with pytest.raises(ManifestError) as caught:
            pnpm.parse(read(_dataset() / name))
        assert caught.value.path == name
        return
    manifest = pnpm.parse(read(_dataset() / name))
    assert {f"{c.name}@{c.version}" for c in manifest.components} == expected[0]
    assert {u.name for u in manifest.unresolved} == expected[1]
    assert_purls_round_trip(manifest)


def test_osv_detector_peer_heavy_lockfiles_in_every_version() -> None:
    for name in ("peer-dependencies-advanced.yaml", "peer-dependencies-advanced.v9.yaml"):
        manifest = pnpm.parse(read(_dataset() / name))
        plugin = get(manifest, "@typescript-eslint/eslint-plugin")
        assert plugin.direct is True
        assert get(manifest, "tsutils").direct is False
        assert ("@typescript-eslint/eslint-plugin", "tsutils") in get(
            manifest, "tsutils"
        ).dependency_paths


def test_osv_detector_dev_optional_and_prod_groups_are_all_direct() -> None:
    for name in ("mixed-groups.v53.yaml", "mixed-groups.v6.yaml", "mixed-groups.v9.yaml"):
        manifest = pnpm.parse(read(_dataset() / name))
        assert {c.direct for c in manifest.components} == {True}, name


def test_every_pnpm_fixture_parses_or_fails_cleanly() -> None:
    for path in sorted(_dataset().iterdir()):
        if path.name.startswith(("not-", "invalid", "bad-")):
            with pytest.raises(ManifestError):
                pnpm.parse(read(path))
        else:
            assert_purls_round_trip(pnpm.parse(read(path)))
