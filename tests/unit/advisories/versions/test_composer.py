"""Packagist versions order as Composer orders them (normalize, then version_compare)."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from lockgate.advisories.versions.composer import ComposerScheme
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

COMPOSER = scheme_for("Packagist")


@pytest.mark.parametrize(
    ("text", "normalized"),
    # Cases from Composer's VersionParserTest::successfulNormalizedVersions.
    [
        ("1.0.0", "1.0.0.0"),
        ("1.2.3.4", "1.2.3.4"),
        ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
        ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
        ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
        ("1.0.0-rc1", "1.0.0.0-RC1"),
        ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
        ("1.0-dev", "1.0.0.0-dev"),
        ("0", "0.0.0.0"),  # noqa: S104 (a version, not an address)
        ("10.4.13-beta", "10.4.13.0-beta"),
        ("10.4.13beta2", "10.4.13.0-beta2"),
        ("10.4.13-beta.2", "10.4.13.0-beta2"),
        ("v1.13.11-beta.0", "1.13.11.0-beta0"),
        ("10.4.13-b", "10.4.13.0-beta"),
        ("10.4.13-b5", "10.4.13.0-beta5"),
        ("v1.0.0", "1.0.0.0"),
        ("2010.01", "2010.01.0.0"),
        ("2010.01.02", "2010.01.02.0"),
        ("v20100102", "20100102"),
        ("2010-01-02", "2010.01.02"),
        ("2010-01-02.5", "2010.01.02.5"),
        ("20100102-203040", "20100102.203040"),
        ("20100102203040-10", "20100102203040.10"),
        ("20100102-203040-p1", "20100102.203040-patch1"),
        ("201903.0-p2", "201903.0-patch2"),
        ("1.0.0+foo", "1.0.0.0"),
        ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
        ("1.0.0+foo as 2.0", "1.0.0.0"),
        ("00.01.03.04", "00.01.03.04"),
        ("0700", "0700.0.0.0"),
        ("041.x-dev", "041.9999999.9999999.9999999-dev"),
        (" 1.0.0", "1.0.0.0"),
        ("1.0.x-dev", "1.0.9999999.9999999-dev"),
    ],
)
def test_normalization_matches_composer(text: str, normalized: str) -> None:
    assert isinstance(COMPOSER, ComposerScheme)
    assert COMPOSER.normalize(text) == normalized


def test_stability_order() -> None:
    assert_ascending(
        COMPOSER,
        [
            "1.0.0-dev",
            "1.0.0-alpha",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-beta1",
            "1.0.0-beta2",
            "1.0.0-beta10",
            "1.0.0-RC1-dev",
            "1.0.0-RC1",
            "1.0.0-RC2",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.0-p2",
            "1.0.0.1",
            "1.0.1-beta1",
            "1.0.1",
            "1.0.9999",
            "1.0.x-dev",
            "1.1.0",
            "v2.0",
            "10.0.0",
        ],
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0", "v1.0.0", "1.0.0.0", "1.0.0+build.7", "1.0.0-stable", "1.0.0 as 2.0"],
        ["1.0.0-RC1", "1.0.0rc1", "1.0.0.RC.1", "1.0.0-rc.1"],
        ["1.0.0-p1", "1.0.0-pl1", "1.0.0-patch1", "1.0.0.patch1"],
        ["1.0.0-a1", "1.0.0-alpha1", "1.0.0alpha.1"],
        ["1.01", "1.1"],
    ],
)
def test_equal_spellings(spellings: list[str]) -> None:
    assert_all_equal(COMPOSER, spellings)


@pytest.mark.parametrize(
    "text",
    ["dev-master", "master", "dev-feature/foo", "", "foo", "1.0.0-beta-beta", "1.0.0-snapshot"],
)
def test_branches_and_garbage_are_not_comparable(text: str) -> None:
    assert_invalid(COMPOSER, text)
