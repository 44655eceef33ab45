"""Go module versions order as the go command orders them, with or without the v."""

from __future__ import annotations

import pytest

from lockgate.advisories.versions import scheme_for
from tests.unit.advisories.versions.ordering import (
    assert_all_equal,
    assert_ascending,
    assert_invalid,
)

GO = scheme_for("Go")

# Pseudo-versions sort by timestamp between the tags around them.
GO_ORDER = [
    "v0.0.0-20191109021931-daa7c04131f5",
    "v0.0.0-20200101000000-000000000000",
    "v0.0.1",
    "v1.2.3-pre",
    "v1.2.3-pre.0.20191109021931-daa7c04131f5",
    "v1.2.3-pre.1",
    "v1.2.3",
    "v1.2.4-0.20191109021931-daa7c04131f5",
    "v1.2.4-0.20210101000000-abcdefabcdef",
    "v1.2.4-rc.1",
    "v1.2.4",
    "v1.10.0",
    "v2.0.0-20180101000000-aaaaaaaaaaaa",
    "v2.0.0+incompatible",
    "v2.0.1",
    "v3.0.0-20210107192922-496545a6307b",
    "v3.0.0-20220521103104-8f96da9f5d5e",
    "v3.0.0",
]


def test_go_order_with_pseudo_versions() -> None:
    assert_ascending(GO, GO_ORDER)


def test_osv_spelling_without_v_compares_with_module_spelling() -> None:
    assert_ascending(GO, ["1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", "1.2.4"])
    assert (
        GO.compare("3.0.0-20220521103104-8f96da9f5d5e", "v3.0.0-20220521103104-8f96da9f5d5e") == 0
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ["v1.2.3", "1.2.3", " v1.2.3 "],
        ["v2.0.0+incompatible", "v2.0.0", "2.0.0"],
        ["v1.2", "v1.2.0", "1.2.0"],
        ["v1", "v1.0.0"],
        ["go1.21.3", "1.21.3"],
        ["go1.20", "1.20.0"],
        ["go1.21rc2", "1.21.0-rc.2"],
        ["go1.9beta1", "v1.9.0-beta.1"],
    ],
)
def test_equal_spellings(spellings: list[str]) -> None:
    assert_all_equal(GO, spellings)


def test_toolchain_release_candidates_precede_the_release() -> None:
    assert_ascending(GO, ["go1.21rc1", "go1.21rc2", "go1.21.0", "go1.21.1", "go1.22.0"])


@pytest.mark.parametrize(
    "text", ["", "v01.2.3", "v1.02.3", "v1.2.3-01", "1.2.3.4", "master", "v1.2.3-", "latest"]
)
def test_invalid_go_versions(text: str) -> None:
    assert_invalid(GO, text)
