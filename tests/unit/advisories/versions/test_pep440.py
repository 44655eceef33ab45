"""PyPI versions order the way pip orders them (PEP 440)."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

SCHEME = scheme_for("PyPI")

# The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering"),
# followed by local labels, epochs and larger releases.
PEP440_ORDER = [
    "1.0.dev456",
    "1.0a1",
    "1.0a2.dev456",
    "1.0a12.dev456",
    "1.0a12",
    "1.0b1.dev456",
    "1.0b2",
    "1.0b2.post345.dev456",
    "1.0b2.post345",
    "1.0b2-346",
    "1.0c1.dev456",
    "1.0c1",
    "1.0rc2",
    "1.0c3",
    "1.0",
    "1.0+abc",
    "1.0+abc.5",
    "1.0+abc.10",
    "1.0+5",
    "1.0.post456.dev34",
    "1.0.post456",
    "1.0.1",
    "1.1.dev1",
    "1.1",
    "1.10",
    "2.0",
    "1!0.1",
    "1!1.0",
    "2!0.0.1",
]


def test_pep440_reference_order() -> None:
    assert_ascending(SCHEME, PEP440_ORDER)


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0", "1.0.0", "1.0.0.0", "v1.0", "V1.0", " 1.0 ", "0!1.0"],
        ["1.0rc1", "1.0RC1", "1.0c1", "1.0-rc.1", "1.0_rc1", "1.0.rc1", "1.0pre1", "1.0preview1"],
        ["1.0a1", "1.0alpha1", "1.0-alpha-1", "1.0.a1"],
        ["1.0.post1", "1.0-1", "1.0_post1", "1.0post1", "1.0.rev1", "1.0-r1"],
        ["1.0.dev0", "1.0.dev", "1.0-dev0"],
        ["1.0+ubuntu.1", "1.0+ubuntu-1", "1.0+ubuntu_1"],
    ],
)
def test_normalized_spellings_are_equal(spellings: list[str]) -> None:
    assert_all_equal(SCHEME, spellings)


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.dev1", "1.0a1"),
        ("1.0a1", "1.0"),
        ("1.0", "1.0.post1"),
        ("2.0", "1!0.1"),
        ("1.0", "1.0+abc"),
        ("0.9.9", "0.10"),
        ("1.0.post1", "1.0.1"),
        ("1.0rc1", "1.0.post0.dev0"),
        ("2.7.1", "2.7.2"),
    ],
)
def test_pairs_pip_orders(lower: str, higher: str) -> None:
    assert SCHEME.compare(lower, higher) == -1
    assert SCHEME.compare(higher, lower) == 1


@pytest.mark.parametrize(
    "text", ["", "2004d", "1.0-SNAPSHOT-foo", "0.1-bulbasaur", "a3", "1..0", "latest", "1.0+"]
)
def test_legacy_and_garbage_versions_are_rejected(text: str) -> None:
    assert_invalid(SCHEME, text)
