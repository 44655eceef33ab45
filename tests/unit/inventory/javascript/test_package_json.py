"""package.json: exact pins become direct components, everything else is unresolved."""

from __future__ import annotations

import json

import pytest

from lockgate.inventory.catalog import parser_for
from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript import package_json
from lockgate.inventory.javascript._specs import GIT, LOCAL, URL, WORKSPACE
from tests.unit.inventory.javascript.support import (
    assert_purls_round_trip,
    get,
    source,
    versions,
)

MANIFEST = """\
{
  "name": "demo",
  "version": "1.0.0",
  "dependencies": {
    "left-pad": "1.3.0",
    "lodash": "^4.17.21",
    "@scope/pinned": "=2.0.0",
    "vtag": "v3.1.4",
    "git-dep": "github:user/repo#abc",
    "local": "file:../local",
    "tarball": "https://example.com/x-1.0.0.tgz",
    "tok": "git+https://token123@github.com/a/b.git",
    "alias-exact": "npm:real-name@1.2.3",
    "alias-range": "npm:real-name@^1.2.3",
    "next": "latest",
    "any": "*",
    "ws": "workspace:*"
  },
  "devDependencies": {
    "react": "18.2.0"
  },
  "optionalDependencies": {
    "fsevents": "2.3.3"
  },
  "peerDependencies": {
    "react": "^18",
    "vue": "^3"
  }
}
"""


def test_exact_pins_are_direct_components_at_their_line() -> None:
    manifest = package_json.parse(source(MANIFEST, "web/package.json"))
    assert manifest.format == "package.json"
    assert versions(manifest) == {
        ("left-pad", "1.3.0"),
        ("@scope/pinned", "2.0.0"),
        ("vtag", "3.1.4"),
        ("real-name", "1.2.3"),
        ("react", "18.2.0"),
        ("fsevents", "2.3.3"),
    }
    assert {c.direct for c in manifest.components} == {True}
    left_pad = get(manifest, "left-pad")
    assert left_pad.manifest is not None
    assert left_pad.manifest.path == "web/package.json"
    assert left_pad.manifest.start_line == 5
    assert_purls_round_trip(manifest)


def test_everything_not_pinned_is_unresolved_with_its_reason() -> None:
    manifest = package_json.parse(source(MANIFEST))
    reasons = {u.name: u.reason for u in manifest.unresolved}
    assert reasons == {
        "lodash": "not pinned to an exact version (^4.17.21)",
        "git-dep": GIT,
        "local": LOCAL,
        "tarball": URL,
        "tok": GIT,
        "alias-range": "alias of real-name: not pinned to an exact version (^1.2.3)",
        "next": "not pinned to an exact version (latest)",
        "any": "not pinned to an exact version (*)",
        "ws": WORKSPACE,
        "vue": "not pinned to an exact version (^3)",
    }
    lodash = next(u for u in manifest.unresolved if u.name == "lodash")
    assert lodash.line == 6
    assert "token123" not in repr(manifest)


def test_peer_ranges_of_installed_packages_are_not_reported_twice() -> None:
    manifest = package_json.parse(source(MANIFEST))
    assert [u for u in manifest.unresolved if u.name == "react"] == []


def test_dependency_lines_for_fixers() -> None:
    lines = package_json.dependency_lines(MANIFEST)
    assert lines["left-pad"] == ("1.3.0", 5)
    assert lines["react"] == ("18.2.0", 20)  # the devDependencies entry, not the peer one
    assert lines["vue"] == ("^3", 27)
    assert "name" not in lines


def test_a_manifest_without_dependencies_is_empty() -> None:
    manifest = package_json.parse(source('{"name": "x", "version": "1.0.0"}'))
    assert manifest.components == ()
    assert manifest.unresolved == ()


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{\n  "dependencies": {\n    "a": "1.0.0",\n  }\n}', "not valid JSON", 4),
        ('["not", "an", "object"]', "JSON object at the top level", 1),
        ('{\n  "dependencies": ["a"]\n}', '"dependencies" must be an object', 2),
        ('{\n  "devDependencies": {\n    "a": 1\n  }\n}', "entry 'a' must be a version", 3),
    ],
)
def test_malformed_manifests_are_located_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(ManifestError) as caught:
        package_json.parse(source(text, "package.json"))
    assert message in caught.value.message
    assert caught.value.path == "package.json"
    assert caught.value.line == line
    with pytest.raises(ManifestError):
        package_json.dependency_lines(text)


def test_the_catalog_sends_every_javascript_file_here() -> None:
    for path, module in [
        ("a/package.json", "package_json"),
        ("package-lock.json", "npm"),
        ("x/npm-shrinkwrap.json", "npm"),
        ("yarn.lock", "yarn"),
        ("pnpm-lock.yaml", "pnpm"),
        ("bun.lock", "bun"),
    ]:
        spec = parser_for(path)
        assert spec is not None
        assert spec.module == f"lockgate.inventory.javascript.{module}"
        assert spec.load() is not None


def test_sibling_manifest_reports_declared_installs_and_workspaces() -> None:
    text = json.dumps(
        {"workspaces": ["pkgs/*"], "dependencies": {"a": "^1"}, "peerDependencies": {"p": "^2"}}
    )
    root, warning = package_json.sibling_manifest(source("{}", "lock", {"package.json": text}))
    assert warning is None
    assert root is not None
    assert root.dependencies == {"a": "^1"}
    assert root.has_workspaces is True
