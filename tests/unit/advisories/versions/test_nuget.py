"""NuGet versions order as NuGet's VersionComparer orders them."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

NUGET = scheme_for("NuGet")


def test_nuget_order() -> None:
    assert_ascending(
        NUGET,
        [
            "1.0.0-1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-beta01",
            "1.0.0-beta02",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.0.10",
            "1.0.1",
            "1.1",
            "2.0.0.0",
            "10.0",
        ],
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ["1.0", "1.0.0", "1.0.0.0", "1", "1.0.0+meta", "01.0.0", " 1.0.0 "],
        ["1.0.0-BETA", "1.0.0-beta", "1.0.0-Beta+abc"],
        ["1.01", "1.1.0.0"],
        ["1.0.0-rc.01", "1.0.0-RC.1"],
    ],
)
def test_equal_spellings(spellings: list[str]) -> None:
    assert_all_equal(NUGET, spellings)


@pytest.mark.parametrize(
    "text", ["", "1.0.0.0.0", "v1.0.0", "1.0.0-", "1.0.0-beta..1", "abc", "1.0.0-beta_1", "1.*"]
)
def test_invalid_nuget_versions(text: str) -> None:
    assert_invalid(NUGET, text)
