"""npm, crates.io, Hex and OSV SEMVER ranges order by SemVer 2.0.0; Pub also orders builds."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

SEMVER = scheme_for("SEMVER")
PUB = scheme_for("Pub")

# semver.org §11, then numeric-vs-word and ASCII cases, then core numbers.
SPEC_ORDER = [
    "1.0.0-0",
    "1.0.0-1",
    "1.0.0-2",
    "1.0.0-10",
    "1.0.0-Alpha",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.1.1",
    "1.0.0-alpha.a",
    "1.0.0-alpha.beta",
    "1.0.0-alpha-1",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1-0",
    "1.0.1",
    "1.0.10",
    "1.1.0",
    "1.9.0",
    "1.10.0",
    "2.0.0",
    "10.0.0",
]


def test_semver_spec_order() -> None:
    assert_ascending(SEMVER, SPEC_ORDER)


@pytest.mark.parametrize("ecosystem", ["npm", "crates.io", "Hex", "SEMVER", "NPM", "crates.io:x"])
def test_semver_ecosystems_share_the_scheme(ecosystem: str) -> None:
    assert scheme_for(ecosystem) is SEMVER


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0.0", "v1.0.0", "V1.0.0", "=1.0.0", "1.0", "1", " 1.0.0 ", "01.0.0"],
        ["1.0.0+build.1", "1.0.0+build.2", "1.0.0+sha-5114f85", "1.0.0"],
        ["1.2", "1.2.0", "v1.2"],
        ["1.0.0-beta.1+exp.sha", "1.0.0-beta.1"],
    ],
)
def test_tolerated_spellings_and_build_metadata_are_equal(spellings: list[str]) -> None:
    assert_all_equal(SEMVER, spellings)


@pytest.mark.parametrize(
    "text",
    ["", "1.2.3.4", "1.0.0-", "1.0.0-alpha..1", "1.0.0+", "latest", "^1.2.3", "1.x", "1.0.0 beta"],
)
def test_garbage_is_rejected(text: str) -> None:
    assert_invalid(SEMVER, text)


def test_pub_orders_build_metadata_after_the_plain_version() -> None:
    assert_ascending(
        PUB,
        ["1.0.0-pre", "1.0.0-pre+build", "1.0.0", "1.0.0+1", "1.0.0+2", "1.0.0+a", "1.0.1"],
    )
    assert SEMVER.compare("1.0.0", "1.0.0+1") == 0  # where plain SemVer ignores it


def test_pub_equal_versions() -> None:
    assert_all_equal(PUB, ["1.2.0", "1.2", "v1.2.0"])
    assert_all_equal(PUB, ["1.2.0+hotfix.1", "1.2+hotfix.1"])
