"""Unknown ecosystems get the documented generic order."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from lockgate.advisories.versions.generic import GenericScheme
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

GENERIC = scheme_for("Debian:11")


@pytest.mark.parametrize("ecosystem", ["Debian", "Alpine:v3.18", "CRAN", "Something New"])
def test_unknown_ecosystems_fall_back_to_the_generic_scheme(ecosystem: str) -> None:
    assert isinstance(scheme_for(ecosystem), GenericScheme)


def test_generic_order() -> None:
    assert_ascending(
        GENERIC,
        [
            "0.9",
            "1.0-alpha",
            "1.0-beta",
            "1.0-rc1",
            "1.0-rc2",
            "1.0",
            "1.0.1-beta",
            "1.0.1",
            "1.2",
            "1.10",
            "2",
            "2.0.0.1",
            "10.0",
        ],
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0", "1.0.0", "1", "1.00", "01.0"],
        ["1.0.Beta", "1.0.beta", "1.0-BETA"],
        ["1.0~rc1", "1.0-rc1", "1.0_rc_1", "1.0.rc1"],
        ["1.0-rc1", "1.0.0-rc1"],
    ],
)
def test_generic_equal_spellings(spellings: list[str]) -> None:
    assert_all_equal(GENERIC, spellings)


@pytest.mark.parametrize("text", ["", "latest", "---", "beta"])
def test_versions_without_numbers_are_rejected(text: str) -> None:
    assert_invalid(GENERIC, text)
