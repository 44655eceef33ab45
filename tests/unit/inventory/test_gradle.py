"""Gradle dependency locks: coordinates, empty= lines, comments, bad lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockgate.inventory.gradle import parse
from lockgate.inventory.interface import ManifestError
from lockgate.model.ecosystems import MAVEN
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

LOCK = """\
# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
# This file is expected to be part of source control.
com.google.guava:guava:32.1.3-jre=compileClasspath,runtimeClasspath
org.slf4j:slf4j-api:2.0.9=runtimeClasspath
org.slf4j:slf4j-api:2.0.9=testRuntimeClasspath
empty=annotationProcessor
"""


def test_coordinates_become_group_artifact_components_at_their_line() -> None:
    parsed = parse(source(LOCK, "app/gradle.lockfile"))
    assert parsed.ecosystem == MAVEN and parsed.format == "gradle.lockfile"
    assert versions(parsed) == {
        ("com.google.guava:guava", "32.1.3-jre"),
        ("org.slf4j:slf4j-api", "2.0.9"),
    }
    guava = by_name(parsed)["com.google.guava:guava"]
    assert guava.purl == "pkg:maven/com.google.guava/guava@32.1.3-jre"
    assert guava.manifest is not None and guava.manifest.start_line == 4
    assert guava.direct is None
    assert parsed.warnings == ()
    assert_round_trip(parsed)


def test_bad_lines_beside_good_ones_are_warnings() -> None:
    parsed = parse(source(LOCK + ">>> merge conflict\n", "gradle.lockfile"))
    assert len(parsed.components) == 2
    assert parsed.warnings == (
        "line 8 is not a 'group:artifact:version=configurations' entry; ignored",
    )


def test_a_file_that_is_not_a_gradle_lock_is_an_error() -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source("\n# comment\nPODS:\n  - Alamofire (5.8.0)\n", "buildscript.lockfile"))
    assert caught.value.line == 3
    assert "not a Gradle dependency lock" in caught.value.message


def test_osv_detector_gradle_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "gradle")
    results = parse_all(parse, sorted(p for p in directory.iterdir() if p.is_file()))
    assert results["only-comments"].components == ()
    assert results["only-empty"].components == ()
    assert versions(results["one-pkg"]) == {
        ("org.springframework.security:spring-security-crypto", "5.7.3")
    }
    assert len(results["5-pkg"].components) == 5
    assert (
        by_name(results["5-pkg"])["org.springframework.boot:spring-boot-starter-data-jpa"].version
        == "2.7.8"
    )
    bad = results["with-bad-pkg"]
    assert versions(bad) == {
        ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4"),
        ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5"),
    }
    assert bad.warnings


_PART = st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True)


@given(
    group=_PART, artifact=_PART, version=st.from_regex(r"[0-9][0-9A-Za-z.+-]{0,10}", fullmatch=True)
)
def test_any_coordinate_round_trips_through_its_purl(
    group: str, artifact: str, version: str
) -> None:
    parsed = parse(source(f"{group}:{artifact}:{version}=runtimeClasspath\n", "gradle.lockfile"))
    assert versions(parsed) == {(f"{group}:{artifact}", version)}
    assert_round_trip(parsed)
