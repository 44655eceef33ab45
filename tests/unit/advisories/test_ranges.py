"""Which versions an OSV ``affected[]`` entry covers, and which version fixes them all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from lockgate.advisories.model import Affected, Event, Range
from lockgate.advisories.ranges import fixed_versions, is_affected, prepare, smallest_fix
from lockgate.advisories.versions import InvalidVersion
from tests.conftest import shared_dataset


def events(*pairs: tuple[str, str]) -> tuple[Event, ...]:
    return tuple(Event(kind=kind, value=value) for kind, value in pairs)


def entry(
    ecosystem: str,
    *ranges: tuple[str, tuple[Event, ...]],
    versions: tuple[str, ...] = (),
) -> Affected:
    return Affected(
        ecosystem=ecosystem,
        name="example",
        ranges=tuple(Range(type=kind, events=evts) for kind, evts in ranges),
        versions=versions,
    )


def affected_versions(ecosystem: str, candidates: list[str], affected: Affected) -> list[str]:
    return [v for v in candidates if is_affected(ecosystem, v, affected)]


# --- the OSV evaluation rules -------------------------------------------------------------


def test_introduced_zero_and_fixed() -> None:
    vuln = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "2.7.2"))))
    assert affected_versions("PyPI", ["0.0.1", "1.0.dev0", "2.7.1", "2.7.2rc1"], vuln) == [
        "0.0.1",
        "1.0.dev0",
        "2.7.1",
        "2.7.2rc1",
    ]
    assert affected_versions("PyPI", ["2.7.2", "2.7.2.post1", "3.0"], vuln) == []


def test_several_intervals_in_one_range() -> None:
    vuln = entry(
        "Go",
        (
            "SEMVER",
            events(
                ("introduced", "2.3.1"),
                ("fixed", "2.14.4"),
                ("introduced", "2.15.0"),
                ("fixed", "2.15.3"),
                ("introduced", "2.16.0"),
                ("fixed", "2.16.1"),
            ),
        ),
    )
    candidates = ["v2.3.0", "v2.3.1", "v2.14.3", "v2.14.4", "v2.14.9", "v2.15.0", "v2.15.3"]
    candidates += ["v2.16.0", "v2.16.1", "v2.17.0"]
    assert affected_versions("Go", candidates, vuln) == [
        "v2.3.1",
        "v2.14.3",
        "v2.15.0",
        "v2.16.0",
    ]


def test_last_affected_is_inclusive() -> None:
    vuln = entry("npm", ("SEMVER", events(("introduced", "1.0.0"), ("last_affected", "1.4.2"))))
    assert affected_versions("npm", ["0.9.0", "1.0.0", "1.4.2", "1.4.3-rc.1", "1.4.3"], vuln) == [
        "1.0.0",
        "1.4.2",
    ]


def test_range_with_only_introduced_is_open_ended() -> None:
    vuln = entry("crates.io", ("SEMVER", events(("introduced", "0.3.0"))))
    assert affected_versions("crates.io", ["0.2.9", "0.3.0", "1.0.0", "99.0.0"], vuln) == [
        "0.3.0",
        "1.0.0",
        "99.0.0",
    ]


def test_limit_bounds_the_range() -> None:
    vuln = entry("npm", ("SEMVER", events(("introduced", "0"), ("limit", "2.0.0"))))
    assert affected_versions("npm", ["1.0.0", "1.9.9", "2.0.0-rc.1", "2.0.0", "3.0.0"], vuln) == [
        "1.0.0",
        "1.9.9",
        "2.0.0-rc.1",
    ]
    several = entry(
        "npm",
        ("SEMVER", events(("introduced", "1.0.0"), ("limit", "1.5.0"), ("limit", "3.0.0"))),
    )
    assert affected_versions("npm", ["0.5.0", "1.2.0", "2.0.0", "3.0.0"], several) == [
        "1.2.0",
        "2.0.0",
    ]


def test_limit_star_means_no_limit() -> None:
    vuln = entry("npm", ("SEMVER", events(("introduced", "1.0.0"), ("limit", "*"))))
    assert is_affected("npm", "100.0.0", vuln)


def test_versions_list_alone_matches_by_text_and_by_scheme() -> None:
    vuln = entry("PyPI", versions=("1.0", "1.1rc1", "legacy-1"))
    assert is_affected("PyPI", "1.0", vuln).matched_by == "versions"
    assert is_affected("PyPI", "1.0.0", vuln)  # equal by PEP 440
    assert is_affected("PyPI", "1.1RC1", vuln)
    assert not is_affected("PyPI", "1.1", vuln)
    result = is_affected("PyPI", "1.2", vuln)
    assert result.evaluated
    assert result.notes == ("versions: 'legacy-1' matches only as exact text, not a valid version",)


def test_unsorted_events_are_sorted_by_version() -> None:
    shuffled = entry(
        "PyPI",
        (
            "ECOSYSTEM",
            events(
                ("fixed", "2.12.4"),
                ("introduced", "2.11"),
                ("fixed", "2.11.7"),
                ("introduced", "2.12"),
            ),
        ),
    )
    assert affected_versions("PyPI", ["2.10", "2.11", "2.11.7", "2.12.1", "2.12.4"], shuffled) == [
        "2.11",
        "2.12.1",
    ]


def test_prereleases_sort_into_the_range() -> None:
    vuln = entry("npm", ("SEMVER", events(("introduced", "1.0.0"), ("fixed", "1.2.0"))))
    assert affected_versions(
        "npm", ["1.0.0-beta.1", "1.0.0", "1.1.9", "1.2.0-rc.1", "1.2.0", "1.2.1-rc.1"], vuln
    ) == ["1.0.0", "1.1.9", "1.2.0-rc.1"]


def test_go_pseudo_versions_inside_and_outside_a_range() -> None:
    vuln = entry(
        "Go",
        ("SEMVER", events(("introduced", "0"), ("fixed", "3.0.0-20220521103104-8f96da9f5d5e"))),
    )
    assert is_affected("Go", "v3.0.0-20210107192922-496545a6307b", vuln)
    assert not is_affected("Go", "v3.0.0-20220521103104-8f96da9f5d5e", vuln)
    assert not is_affected("Go", "v3.0.1", vuln)
    assert not is_affected("Go", "v3.0.0", vuln)


def test_maven_release_candidates_sort_before_the_release() -> None:
    vuln = entry("Maven", ("ECOSYSTEM", events(("introduced", "2.0.0"), ("fixed", "2.1.0"))))
    assert affected_versions(
        "Maven",
        ["2.0.0-RC1", "2.0.0", "2.0.5", "2.1.0-RC1", "2.1.0-SNAPSHOT", "2.1.0", "2.1"],
        vuln,
    ) == ["2.0.0", "2.0.5", "2.1.0-RC1", "2.1.0-SNAPSHOT"]


def test_git_ranges_are_reported_not_evaluated() -> None:
    git_only = entry("PyPI", ("GIT", events(("introduced", "0"), ("fixed", "9305c0e"))))
    result = is_affected("PyPI", "1.0", git_only)
    assert not result.affected
    assert not result.evaluated  # "not affected" here means "unknown"
    assert result.notes == (
        "range 1 (GIT): GIT range not evaluated (needs the repository's commit graph)",
    )
    mixed = entry(
        "PyPI",
        ("GIT", events(("introduced", "0"), ("fixed", "9305c0e"))),
        ("ECOSYSTEM", events(("introduced", "1.3"), ("fixed", "1.3.4"))),
    )
    hit = is_affected("PyPI", "1.3.1", mixed)
    assert hit.affected
    assert hit.evaluated
    assert hit.matched_by == "ECOSYSTEM range"
    assert "GIT range not evaluated" in hit.notes[0]


def test_unparsable_component_version_raises() -> None:
    vuln = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"))))
    with pytest.raises(InvalidVersion) as caught:
        is_affected("PyPI", "not a version", vuln)
    assert caught.value.text == "not a version"


def test_unparsable_event_is_ignored_with_a_note() -> None:
    vuln = entry(
        "PyPI",
        ("ECOSYSTEM", events(("introduced", "1.0"), ("fixed", "2019-09-12-broken"))),
    )
    result = is_affected("PyPI", "5.0", vuln)
    # Without its fixed event the interval stays open: the cautious reading.
    assert result.affected
    assert result.notes == (
        "range 1 (ECOSYSTEM): fixed '2019-09-12-broken' ignored, not a valid version",
    )
    assert not is_affected("PyPI", "0.9", vuln)


def test_semver_range_on_a_version_that_is_not_semver_is_skipped_with_a_note() -> None:
    vuln = entry("PyPI", ("SEMVER", events(("introduced", "1.0.0"), ("fixed", "2.0.0"))))
    assert is_affected("PyPI", "1.5.0", vuln)
    result = is_affected("PyPI", "1.5.post1", vuln)
    assert not result.affected
    assert not result.evaluated
    assert result.notes == ("SEMVER range not evaluated: '1.5.post1' is not a SemVer version",)


def test_semver_range_accepts_a_leading_v() -> None:
    vuln = entry("npm", ("SEMVER", events(("introduced", "v1.0.0"), ("fixed", "v1.2.0"))))
    assert is_affected("npm", "1.1.0", vuln)
    assert is_affected("npm", "v1.1.0", vuln)


def test_result_is_truthy_exactly_when_affected() -> None:
    vuln = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "1.0"))))
    assert bool(is_affected("PyPI", "0.5", vuln)) is True
    assert bool(is_affected("PyPI", "1.5", vuln)) is False


def test_entries_are_prepared_once_per_object() -> None:
    vuln = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "1.0"))))
    assert prepare("PyPI", vuln) is prepare("PyPI", vuln)
    twin = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "1.0"))))
    assert prepare("PyPI", twin) is not prepare("PyPI", vuln)
    assert is_affected("PyPI", "0.5", twin)


# --- fixes --------------------------------------------------------------------------------


def test_fixed_versions_above_the_installed_one_ascending() -> None:
    vuln = entry(
        "PyPI",
        ("ECOSYSTEM", events(("introduced", "1.4"), ("fixed", "1.4.2"))),
        ("ECOSYSTEM", events(("introduced", "1.3"), ("fixed", "1.3.4"), ("fixed", "1.3.4.0"))),
        ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "1.2"))),
    )
    assert fixed_versions("PyPI", "1.3.1", vuln) == ("1.3.4", "1.4.2")
    assert fixed_versions("PyPI", "1.4.2", vuln) == ()


def test_smallest_fix_clears_every_advisory() -> None:
    first = entry(
        "PyPI",
        ("ECOSYSTEM", events(("introduced", "1.3"), ("fixed", "1.3.4"))),
        ("ECOSYSTEM", events(("introduced", "1.4"), ("fixed", "1.4.2"))),
    )
    second = entry("PyPI", ("ECOSYSTEM", events(("introduced", "0"), ("fixed", "1.4.1"))))
    # 1.3.4 still has the second advisory; 1.4.1 is inside the first one's 1.4 branch.
    assert smallest_fix("PyPI", "1.3.1", [first, second]) == "1.4.2"
    assert smallest_fix("PyPI", "1.3.1", [first]) == "1.3.4"


def test_smallest_fix_respects_listed_versions() -> None:
    vuln = entry(
        "npm",
        ("SEMVER", events(("introduced", "0"), ("fixed", "1.1.0"))),
        versions=("1.1.0",),  # the record says the "fix" is affected after all
    )
    assert fixed_versions("npm", "1.0.0", vuln) == ("1.1.0",)
    assert smallest_fix("npm", "1.0.0", [vuln]) is None


def test_no_fix_when_the_vulnerability_is_unfixed() -> None:
    unfixed = entry("Go", ("SEMVER", events(("introduced", "0"))))
    assert smallest_fix("Go", "v1.0.0", [unfixed]) is None
    assert smallest_fix("Go", "v1.0.0", []) is None


# --- real OSV records ---------------------------------------------------------------------


def load_affected(path: Path) -> list[Affected]:
    """The ``affected[]`` entries of one OSV file (JSON, or YAML as in pypa/advisory-db)."""
    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    record: dict[str, Any] = (
        yaml.load(text, Loader=loader) if path.suffix == ".yaml" else json.loads(text)  # noqa: S506
    )
    return [
        Affected(
            ecosystem=item["package"]["ecosystem"].partition(":")[0],
            name=item["package"]["name"],
            ranges=tuple(
                Range(
                    type=r["type"],
                    events=tuple(
                        Event(kind=kind, value=str(value))
                        for event in r["events"]
                        for kind, value in event.items()
                    ),
                )
                for r in item.get("ranges", ())
            ),
            versions=tuple(str(v) for v in item.get("versions", ())),
        )
        for item in record.get("affected", ())
    ]


def only(path: Path, name: str) -> Affected:
    (match,) = [a for a in load_affected(path) if a.name == name]
    return match


def test_pypi_jinja2_before_2_7_2() -> None:
    vuln = only(shared_dataset("osv", "PyPI", "jinja2", "PYSEC-2014-8.yaml"), "jinja2")
    assert affected_versions("PyPI", ["2.0rc1", "2.5.5", "2.7.1", "2.7.2", "3.1.4"], vuln) == [
        "2.0rc1",
        "2.5.5",
        "2.7.1",
    ]
    assert smallest_fix("PyPI", "2.6", [vuln]) == "2.7.2"


def test_pypi_django_two_branches_and_a_git_range() -> None:
    vuln = only(shared_dataset("osv", "PyPI", "django", "PYSEC-2012-7.yaml"), "django")
    candidates = ["1.2.7", "1.3", "1.3.3", "1.3.4", "1.4", "1.4.1", "1.4.2", "1.5"]
    assert affected_versions("PyPI", candidates, vuln) == ["1.3", "1.3.3", "1.4", "1.4.1"]
    assert "GIT range not evaluated" in is_affected("PyPI", "1.2.7", vuln).notes[0]
    assert fixed_versions("PyPI", "1.3.1", vuln) == ("1.3.4", "1.4.2")
    assert smallest_fix("PyPI", "1.3.1", [vuln]) == "1.3.4"


def test_pypi_py_last_affected() -> None:
    vuln = only(shared_dataset("osv", "PyPI", "py", "PYSEC-2022-42969.yaml"), "py")
    assert affected_versions("PyPI", ["1.4.2", "1.11.0", "1.11.1"], vuln) == ["1.4.2", "1.11.0"]
    assert smallest_fix("PyPI", "1.11.0", [vuln]) is None


def test_go_yaml_v3_pseudo_version_fix() -> None:
    vuln = only(shared_dataset("osv", "Go", "GO-2022-0603.json"), "gopkg.in/yaml.v3")
    assert is_affected("Go", "v3.0.0-20210107192922-496545a6307b", vuln)
    assert not is_affected("Go", "v3.0.1", vuln)
    assert smallest_fix("Go", "v3.0.0-20200313102051-9f266ea9e77c", [vuln]) == (
        "3.0.0-20220521103104-8f96da9f5d5e"
    )


def test_go_coder_branches() -> None:
    path = shared_dataset("osv", "Go", "GO-2024-3228.json")
    assert is_affected("Go", "v0.27.0", only(path, "github.com/coder/coder"))  # introduced 0
    v2 = only(path, "github.com/coder/coder/v2")
    candidates = ["v2.3.0", "v2.3.1", "v2.14.4", "v2.15.2", "v2.15.3", "v2.16.0", "v2.16.1"]
    assert affected_versions("Go", candidates, v2) == ["v2.3.1", "v2.15.2", "v2.16.0"]
    assert smallest_fix("Go", "v2.15.0", [v2]) == "2.15.3"


def test_go_containerd_branches() -> None:
    vuln = only(
        shared_dataset("osv", "Go", "GO-2022-0344.json"), "github.com/containerd/containerd"
    )
    candidates = ["v1.4.12", "v1.4.13", "v1.5.9", "v1.5.10", "v1.6.0", "v1.6.1"]
    assert affected_versions("Go", candidates, vuln) == ["v1.4.12", "v1.5.9", "v1.6.0"]


def test_crates_smallvec_prerelease_boundaries() -> None:
    vuln = only(shared_dataset("osv", "crates.io", "RUSTSEC-2018-0003.json"), "smallvec")
    candidates = ["0.3.1", "0.3.3", "0.3.4", "0.4.0", "0.4.5", "0.5.0", "0.6.2", "0.6.3", "1.0.0"]
    assert affected_versions("crates.io", candidates, vuln) == ["0.3.3", "0.4.0", "0.5.0", "0.6.2"]
    assert smallest_fix("crates.io", "0.4.1", [vuln]) == "0.4.5"


def test_crates_lettre_alpha_fix() -> None:
    vuln = only(shared_dataset("osv", "crates.io", "RUSTSEC-2020-0069.json"), "lettre")
    candidates = ["0.10.0-alpha.1", "0.10.0-alpha.3", "0.10.0-alpha.4", "0.10.0", "0.9.4"]
    assert affected_versions("crates.io", candidates, vuln) == [
        "0.10.0-alpha.1",
        "0.10.0-alpha.3",
        "0.9.4",
    ]


# Records whose ``versions`` list (expanded by osv.dev) holds versions their own ECOSYSTEM
# ranges exclude: pre-releases of an "introduced" release, tags taken from a GIT range, and
# an out-of-order event list.
KNOWN_LIST_RANGE_DISAGREEMENTS = {
    ("PYSEC-2023-61.yaml", v) for v in ("3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1")
} | {
    ("PYSEC-2023-177.yaml", "23.9.0"),
    ("PYSEC-2023-177.yaml", "23.9.0.post1"),
    ("PYSEC-2021-114.yaml", "2.11.6"),
}


def test_pypi_ranges_agree_with_the_versions_osv_lists() -> None:
    """Every listed version of every PyPI record lies in its ECOSYSTEM ranges."""
    root = shared_dataset("osv", "PyPI")
    checked = 0
    disagreements = set()
    for path in sorted(root.glob("*/*.yaml")):
        for item in load_affected(path):
            ranges = tuple(r for r in item.ranges if r.type == "ECOSYSTEM")
            if not ranges or not item.versions:
                continue
            ranges_only = Affected(ecosystem="PyPI", name=item.name, ranges=ranges)
            for version in item.versions:
                try:
                    inside = is_affected("PyPI", version, ranges_only).affected
                except InvalidVersion:
                    continue  # legacy versions such as "0.1-bulbasaur"
                checked += 1
                if not inside:
                    disagreements.add((path.name, version))
    assert checked > 100_000
    assert disagreements <= KNOWN_LIST_RANGE_DISAGREEMENTS
