"""Every purl the JavaScript parsers produce parses back to the same package and version."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.inventory.javascript import bun, npm, package_json
from tests.unit.inventory.javascript.support import assert_purls_round_trip, source

_PART = st.from_regex(r"[a-z0-9][a-z0-9._~-]{0,12}", fullmatch=True)
NAMES = st.one_of(_PART, st.builds(lambda s, n: f"@{s}/{n}", _PART, _PART))
VERSIONS = st.from_regex(
    r"(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})"
    r"(-[0-9A-Za-z.-]{1,10})?(\+[0-9A-Za-z.-]{1,10})?",
    fullmatch=True,
)
PACKAGES = st.dictionaries(NAMES, VERSIONS, min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(PACKAGES)
def test_package_json_purls_round_trip(packages: dict[str, str]) -> None:
    text = json.dumps({"dependencies": packages}, indent=2)
    manifest = package_json.parse(source(text, "package.json"))
    assert len(manifest.components) == len(packages)
    assert_purls_round_trip(manifest)


@settings(max_examples=100, deadline=None)
@given(PACKAGES)
def test_lockfile_purls_round_trip(packages: dict[str, str]) -> None:
    entries = {f"node_modules/{n}": {"version": v} for n, v in packages.items()}
    text = json.dumps(
        {"lockfileVersion": 3, "packages": {"": {"dependencies": packages}, **entries}}, indent=2
    )
    manifest = npm.parse(source(text, "package-lock.json"))
    assert {(c.name, c.version) for c in manifest.components} == set(packages.items())
    assert_purls_round_trip(manifest)
    bun_text = json.dumps(
        {
            "lockfileVersion": 1,
            "workspaces": {"": {"dependencies": packages}},
            "packages": {n: [f"{n}@{v}", "", {}, ""] for n, v in packages.items()},
        },
        indent=2,
    )
    bun_manifest = bun.parse(source(bun_text, "bun.lock"))
    assert {(c.name, c.version) for c in bun_manifest.components} == set(packages.items())
    assert_purls_round_trip(bun_manifest)
