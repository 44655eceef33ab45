"""Maven versions order as Maven 3.9's ComparableVersion orders them.

The vectors are those of Maven's own ``ComparableVersionTest`` (3.9 line).
"""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from lockgate.advisories.versions.maven import canonical, parse_items
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

MAVEN = scheme_for("Maven")

VERSIONS_QUALIFIER = [
    "1-alpha2snapshot",
    "1-alpha2",
    "1-alpha-123",
    "1-beta-2",
    "1-beta123",
    "1-m2",
    "1-m11",
    "1-rc",
    "1-cr2",
    "1-rc123",
    "1-SNAPSHOT",
    "1",
    "1-sp",
    "1-sp2",
    "1-sp123",
    "1-abc",
    "1-def",
    "1-pom-1",
    "1-1-snapshot",
    "1-1",
    "1-2",
    "1-123",
]

VERSIONS_NUMBER = [
    "2.0",
    "2.0.a",
    "2-1",
    "2.0.2",
    "2.0.123",
    "2.1.0",
    "2.1-a",
    "2.1b",
    "2.1-c",
    "2.1-1",
    "2.1.0.1",
    "2.2",
    "2.123",
    "11.a2",
    "11.a11",
    "11.b2",
    "11.b11",
    "11.m2",
    "11.m11",
    "11",
    "11.a",
    "11b",
    "11c",
    "11m",
]


def test_maven_qualifier_order() -> None:
    assert_ascending(MAVEN, VERSIONS_QUALIFIER)


def test_maven_number_order() -> None:
    assert_ascending(MAVEN, VERSIONS_NUMBER)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1", "1"),
        ("1", "1.0"),
        ("1", "1.0.0"),
        ("1.0", "1.0.0"),
        ("1", "1-0"),
        ("1", "1.0-0"),
        ("1.0", "1.0-0"),
        ("1a", "1-a"),
        ("1a", "1.0-a"),
        ("1a", "1.0.0-a"),
        ("1.0a", "1-a"),
        ("1.0.0a", "1-a"),
        ("1x", "1-x"),
        ("1x", "1.0-x"),
        ("1x", "1.0.0-x"),
        ("1.0x", "1-x"),
        ("1.0.0x", "1-x"),
        ("1ga", "1"),
        ("1release", "1"),
        ("1final", "1"),
        ("1cr", "1rc"),
        ("1a1", "1-alpha-1"),
        ("1b2", "1-beta-2"),
        ("1m3", "1-milestone-3"),
        ("1X", "1x"),
        ("1A", "1a"),
        ("1B", "1b"),
        ("1M", "1m"),
        ("1Ga", "1"),
        ("1GA", "1"),
        ("1RELEASE", "1"),
        ("1RELeaSE", "1"),
        ("1Final", "1"),
        ("1FinaL", "1"),
        ("1FINAL", "1"),
        ("1Cr", "1Rc"),
        ("1cR", "1rC"),
        ("1m3", "1Milestone3"),
        ("1m3", "1MileStone3"),
        ("1m3", "1MILESTONE3"),
        ("1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        ("1.0", "1.0-ga"),
        ("1.0.0", "1.0.0.Final"),
    ],
)
def test_maven_equal_versions(a: str, b: str) -> None:
    assert_all_equal(MAVEN, [a, b])


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1", "2"),
        ("1.5", "2"),
        ("1", "2.5"),
        ("1.0", "1.1"),
        ("1.1", "1.2"),
        ("1.0.0", "1.1"),
        ("1.0.1", "1.1"),
        ("1.1", "1.2.0"),
        ("1.0-alpha-1", "1.0"),
        ("1.0-alpha-1", "1.0-alpha-2"),
        ("1.0-alpha-1", "1.0-beta-1"),
        ("1.0-beta-1", "1.0-SNAPSHOT"),
        ("1.0-SNAPSHOT", "1.0"),
        ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
        ("1.0", "1.0-1"),
        ("1.0-1", "1.0-2"),
        ("1.0.0", "1.0-1"),
        ("2.0-1", "2.0.1"),
        ("2.0.1-klm", "2.0.1-lmn"),
        ("2.0.1", "2.0.1-xyz"),
        ("2.0.1", "2.0.1-123"),
        ("2.0.1-xyz", "2.0.1-123"),
        # MNG-5568: transitivity of 6.1.0rc3 < 6.1.0 < 6.1H.5-beta
        ("6.1.0rc3", "6.1.0"),
        ("6.1.0rc3", "6.1H.5-beta"),
        ("6.1.0", "6.1H.5-beta"),
        # MNG-6572: numbers of every size
        ("20190126.230843", "1234567890.12345"),
        ("1234567890.12345", "123456789012345.1H.5-beta"),
        ("123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"),
        ("20190126.230843", "12345678901234567890.1H.5-beta"),
        # MNG-6964: qualifiers behind "-0."
        ("1-0.alpha", "1"),
        ("1-0.beta", "1"),
        ("1-0.alpha", "1-0.beta"),
        # the rules a user relies on
        ("1.0-RC1", "1.0"),
        ("1.0", "1.0-sp1"),
        ("1-SNAPSHOT", "1"),
        ("1.0-sp1", "1.0-abc"),
        ("1.0.0.RC1", "1.0.0-RC2"),
        ("2.12.7", "2.12.7.1"),
        ("5.3.0-M1", "5.3.0-RC1"),
        ("9.4.1.v20170120", "9.4.2.v20170220"),
    ],
)
def test_maven_pairs(lower: str, higher: str) -> None:
    assert MAVEN.compare(lower, higher) == -1
    assert MAVEN.compare(higher, lower) == 1


@pytest.mark.parametrize(
    "qualifier", ["abc", "alpha", "a", "beta", "b", "def", "milestone", "m", "RC"]
)
def test_mng_7644_dot_and_hyphen_qualifiers(qualifier: str) -> None:
    assert MAVEN.compare(f"1.0.0.{qualifier}1", f"1.0.0-{qualifier}2") == -1
    assert_all_equal(MAVEN, [f"2-{qualifier}", f"2.0.{qualifier}", f"2.0.0.{qualifier}"])


def test_leading_zeroes_do_not_matter() -> None:
    assert_all_equal(MAVEN, ["0" * n + "1" for n in range(19)])
    assert_all_equal(MAVEN, ["0" * n for n in range(1, 20)])


def test_well_known_release_order() -> None:
    assert_ascending(
        MAVEN,
        [
            "1.0-alpha1",
            "1.0-beta1",
            "1.0-milestone1",
            "1.0-rc1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0-abc",
            "1.0-1",
            "1.0.1",
        ],
    )


@pytest.mark.parametrize(
    ("version", "expected"),
    # Maven 3.9.0's own answers, as reported in MNG-7700.
    [("1", "1"), ("0.1", "0.1"), ("0-1", "1"), ("1.x", "1-x"), ("0.x", "x"), ("0.rc", "rc")],
)
def test_canonical_form_matches_maven(version: str, expected: str) -> None:
    assert canonical(parse_items(version)) == expected


def test_canonical_form_is_stable() -> None:
    for version in VERSIONS_QUALIFIER + VERSIONS_NUMBER:
        once = canonical(parse_items(version))
        assert canonical(parse_items(once)) == once, version


def test_maven_answers_are_kept_where_its_order_is_not_transitive() -> None:
    # Maven 3.9 answers, worked through its algorithm: each pair is what mvn decides, and
    # the three pairs form a cycle. Matching follows mvn rather than "fixing" it.
    assert MAVEN.compare("0.5.00", "0.5.00.redhat") == -1
    assert MAVEN.compare("0.5.00.redhat", "0.5.00.SNAPSHOT-v20170120") == -1
    assert MAVEN.compare("0.5.00.SNAPSHOT-v20170120", "0.5.00") == -1
    assert MAVEN.compare("1.0.alpha.1", "1.ga.1") == 1
    assert MAVEN.compare("1.ga.1", "1") == 1
    assert MAVEN.compare("1", "1.0.alpha.1") == 1


@pytest.mark.parametrize("text", ["", " ", "1.0 beta", "${project.version}", "[1.0,2.0)", "1.0,"])
def test_non_versions_are_rejected(text: str) -> None:
    assert_invalid(MAVEN, text)
