"""Canonical ids and alias merging: one vulnerability is reported once, under a stable id."""

from __future__ import annotations

import itertools

import pytest

from lockgate.advisories.aliases import canonical_id, merge_aliases, preferred_id
from lockgate.advisories.model import Advisory, Affected, Event, Range


def advisory(
    ident: str,
    *aliases: str,
    ecosystem: str = "PyPI",
    fixed: str = "1.0",
    summary: str = "",
    modified: str = "2024-01-01T00:00:00Z",
) -> Advisory:
    return Advisory(
        id=ident,
        modified=modified,
        aliases=aliases,
        summary=summary,
        affected=(
            Affected(
                ecosystem=ecosystem,
                name="demo",
                ranges=(
                    Range(
                        type="ECOSYSTEM",
                        events=(
                            Event(kind="introduced", value="0"),
                            Event(kind="fixed", value=fixed),
                        ),
                    ),
                ),
            ),
        ),
        source=f"{ident}.json",
    )


@pytest.mark.parametrize(
    ("ids", "ecosystem", "expected"),
    [
        (["CVE-2024-1", "GHSA-xxxx", "PYSEC-2024-5"], "PyPI", "PYSEC-2024-5"),
        (["CVE-2024-1", "GHSA-xxxx", "GO-2024-0001"], "Go", "GO-2024-0001"),
        (["CVE-2024-1", "GHSA-xxxx", "RUSTSEC-2024-0001"], "crates.io", "RUSTSEC-2024-0001"),
        (["CVE-2024-1", "GHSA-xxxx"], "npm", "GHSA-xxxx"),
        (["CVE-2024-1", "GHSA-xxxx", "PYSEC-2024-5"], "npm", "GHSA-xxxx"),
        (["CVE-2024-1", "MAL-2024-9"], "npm", "MAL-2024-9"),
        (["CVE-2024-2", "CVE-2024-1"], "Maven", "CVE-2024-1"),
        (["GHSA-bbbb", "GHSA-aaaa"], None, "GHSA-aaaa"),
    ],
)
def test_the_preferred_id_follows_the_documented_order(
    ids: list[str], ecosystem: str | None, expected: str
) -> None:
    for order in itertools.permutations(ids):
        assert preferred_id(order, ecosystem) == expected


def test_canonical_id_of_a_record_considers_its_aliases() -> None:
    assert canonical_id(advisory("GHSA-xxxx", "PYSEC-2021-1", "CVE-2021-1")) == "PYSEC-2021-1"
    assert canonical_id(advisory("GHSA-xxxx", "CVE-2021-1", ecosystem="npm")) == "GHSA-xxxx"


def test_records_aliasing_each_other_merge_into_one() -> None:
    pysec = advisory("PYSEC-2024-5", "CVE-2024-1", "GHSA-xxxx", summary="", fixed="1.0")
    ghsa = advisory(
        "GHSA-xxxx",
        "CVE-2024-1",
        summary="SQL injection",
        fixed="1.1",
        modified="2024-06-01T00:00:00Z",
    )
    other = advisory("GHSA-zzzz", summary="unrelated")
    merged = merge_aliases([ghsa, other, pysec], "PyPI")
    assert [a.id for a in merged] == ["GHSA-zzzz", "PYSEC-2024-5"]
    one = merged[1]
    assert one.aliases == ("CVE-2024-1", "GHSA-xxxx")
    assert one.summary == "SQL injection"  # the preferred record has none
    assert one.modified == "2024-06-01T00:00:00Z"
    fixes = {r.events[-1].value for a in one.affected for r in a.ranges}
    assert fixes == {"1.0", "1.1"}  # a version either record calls affected stays affected
    assert one.source == "PYSEC-2024-5.json, GHSA-xxxx.json"


def test_records_sharing_only_a_cve_are_one_vulnerability() -> None:
    first = advisory("GHSA-aaaa", "CVE-2024-7")
    second = advisory("PYSEC-2024-9", "CVE-2024-7")
    (merged,) = merge_aliases([first, second], "PyPI")
    assert merged.id == "PYSEC-2024-9"
    assert merged.aliases == ("CVE-2024-7", "GHSA-aaaa")


def test_the_merged_id_does_not_depend_on_which_records_were_imported() -> None:
    only_ghsa = merge_aliases([advisory("GHSA-xxxx", "PYSEC-2024-5", "CVE-2024-1")], "PyPI")
    both = merge_aliases(
        [
            advisory("GHSA-xxxx", "PYSEC-2024-5", "CVE-2024-1"),
            advisory("PYSEC-2024-5", "GHSA-xxxx", "CVE-2024-1"),
        ],
        "PyPI",
    )
    assert [a.id for a in only_ghsa] == [a.id for a in both] == ["PYSEC-2024-5"]


def test_a_lone_record_is_returned_unchanged() -> None:
    lone = advisory("PYSEC-2024-5", "CVE-2024-1")
    assert merge_aliases([lone], "PyPI") == [lone]
