"""RubyGems versions order as Gem::Version#<=> orders them (vectors from RubyGems' tests)."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

GEMS = scheme_for("RubyGems")


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.a", "1.0"),
        ("0.0.0", "1.8.2"),
        ("1.8.2.a", "1.8.2"),
        ("1.8.2.a", "1.8.2.b"),
        ("1.8.2.a9", "1.8.2.a10"),
        ("0.0.beta", "0.0.beta.1"),
        ("0.0.beta", "0.beta.1"),
        ("5.a", "5.0.0.rc2"),
        ("5.0.0.rc2", "5.x"),
        ("1.9.2.99", "1.9.3"),
        ("1.9.3", "1.9.3.1"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-beta.2"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-beta.11", "1.0.0-rc.1"),
        ("1.0.0-rc1", "1.0.0"),
        ("1.0.0-1", "1"),
        ("1.freeze.test", "1"),
        ("1.0.B", "1.0.a"),  # words compare case-sensitively, as Ruby strings do
    ],
)
def test_gem_version_pairs(lower: str, higher: str) -> None:
    assert GEMS.compare(lower, higher) == -1
    assert GEMS.compare(higher, lower) == 1


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0", "1.0.0", "1", "1.0 ", " 1.0 ", "1.0\n", "\n1.0\n"],
        ["1.2.b1", "1.2.b.1"],
        ["0.beta.1", "0.0.beta.1"],
        ["1.2.pre.1", "1.2.0.pre.1.0"],
        ["1.0.0-rc1", "1.0.0.pre.rc1"],
        ["1.0.0.a.1.0", "1.a.1"],
        ["01.002", "1.2"],
    ],
)
def test_gem_version_equal(spellings: list[str]) -> None:
    assert_all_equal(GEMS, spellings)


def test_any_letter_makes_a_prerelease_of_the_numbers_before_it() -> None:
    assert_ascending(
        GEMS, ["1.2.0.a", "1.2.0.b1", "1.2.0.rc1", "1.2.0.rc2", "1.2.0", "1.2.0.1", "1.2.1"]
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "junk",
        "1.0\n2.0",
        "1..2",
        "1.2 3.4",
        "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
        "v1.0",
    ],
)
def test_malformed_gem_versions_are_rejected(text: str) -> None:
    assert_invalid(GEMS, text)
