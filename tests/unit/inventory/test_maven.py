"""pom.xml: properties, parent POMs, dependencyManagement, ranges, unsafe XML."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.maven import parse
from lockgate.model.ecosystems import MAVEN
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

PARENT = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>parent</artifactId>
  <version>3.1.0</version>
  <packaging>pom</packaging>
  <properties>
    <jackson.version>2.15.3</jackson.version>
    <guava.version>31.0-jre</guava.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-databind</artifactId>
        <version>${jackson.version}</version>
      </dependency>
      <dependency>
        <groupId>com.acme</groupId>
        <artifactId>acme-common</artifactId>
        <version>${project.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"""

CHILD = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.acme</groupId>
    <artifactId>parent</artifactId>
    <version>3.1.0</version>
  </parent>
  <artifactId>service</artifactId>
  <properties>
    <guava.version>32.1.3-jre</guava.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
      <version>${guava.version}</version>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>acme-common</artifactId>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>[4.13.2]</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.eclipse.jetty</groupId>
      <artifactId>jetty-server</artifactId>
      <version>[9.4,10.0)</version>
    </dependency>
    <dependency>
      <groupId>org.example</groupId>
      <artifactId>latest</artifactId>
      <version>LATEST</version>
    </dependency>
  </dependencies>
  <profiles>
    <profile>
      <id>extra</id>
      <dependencies>
        <dependency>
          <groupId>org.example</groupId>
          <artifactId>optional</artifactId>
          <version>1.0</version>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
"""


def test_versions_come_from_properties_and_the_local_parent_pom() -> None:
    parsed = parse(source(CHILD, "service/pom.xml", {"../pom.xml": PARENT}))
    assert parsed.ecosystem == MAVEN and parsed.format == "pom.xml"
    assert versions(parsed) == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.15.3"),
        ("com.google.guava:guava", "32.1.3-jre"),
        ("com.acme:acme-common", "3.1.0"),
        ("junit:junit", "4.13.2"),
    }
    comps = by_name(parsed)
    guava = comps["com.google.guava:guava"]
    assert guava.purl == "pkg:maven/com.google.guava/guava@32.1.3-jre"
    assert guava.manifest is not None and guava.manifest.start_line == 18
    assert {c.direct for c in parsed.components} == {True}
    assert_round_trip(parsed)


def test_ranges_and_latest_are_unresolved_with_the_reason() -> None:
    parsed = parse(source(CHILD, "service/pom.xml", {"../pom.xml": PARENT}))
    assert {(u.name, u.reason, u.line) for u in parsed.unresolved} == {
        ("org.eclipse.jetty:jetty-server", "not pinned to an exact version ([9.4,10.0))", 33),
        ("org.example:latest", "not pinned to an exact version (LATEST)", 38),
    }


def test_profile_dependencies_are_reported_as_a_warning() -> None:
    parsed = parse(source(CHILD, "service/pom.xml", {"../pom.xml": PARENT}))
    assert any("<profiles>" in warning for warning in parsed.warnings)


def test_missing_parent_leaves_managed_dependencies_unresolved() -> None:
    parsed = parse(source(CHILD, "service/pom.xml"))
    reasons = {u.name: u.reason for u in parsed.unresolved}
    assert reasons["com.fasterxml.jackson.core:jackson-databind"] == (
        "no version; it may be managed by the parent POM com.acme:parent:3.1.0, "
        "which is not in the target"
    )
    assert "com.google.guava:guava" in by_name(parsed)
    assert any("com.acme:parent:3.1.0" in warning for warning in parsed.warnings)


def test_a_relative_path_to_a_directory_and_a_mismatched_parent() -> None:
    child = CHILD.replace(
        "</version>\n  </parent>", "</version>\n<relativePath>../base</relativePath></parent>"
    )
    parsed = parse(source(child, "service/pom.xml", {"../base/pom.xml": PARENT}))
    assert "com.fasterxml.jackson.core:jackson-databind" in by_name(parsed)
    other = PARENT.replace("<artifactId>parent</artifactId>", "<artifactId>other</artifactId>")
    mismatched = parse(source(CHILD, "service/pom.xml", {"../pom.xml": other}))
    assert "com.fasterxml.jackson.core:jackson-databind" not in by_name(mismatched)
    assert any("not the parent" in warning for warning in mismatched.warnings)


def test_own_dependency_management_pins_are_components_with_direct_unknown() -> None:
    parsed = parse(source(PARENT, "pom.xml"))
    comps = by_name(parsed)
    assert comps["com.fasterxml.jackson.core:jackson-databind"].version == "2.15.3"
    assert comps["com.fasterxml.jackson.core:jackson-databind"].direct is None
    assert comps["com.acme:acme-common"].version == "3.1.0"


def test_bom_imports_are_not_components() -> None:
    pom = """<project><dependencyManagement><dependencies><dependency>
      <groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId>
      <version>3.2.0</version><type>pom</type><scope>import</scope>
    </dependency></dependencies></dependencyManagement>
    <dependencies><dependency><groupId>org.springframework</groupId>
    <artifactId>spring-core</artifactId></dependency></dependencies></project>"""
    parsed = parse(source(pom, "pom.xml"))
    assert parsed.components == ()
    assert [u.reason for u in parsed.unresolved] == [
        "no version; it may be managed by an imported BOM, which is not in the target"
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("this is not a pom.xml file!", 1, "not well-formed XML"),
        ("<project>\n  <dependencies>\n</project>", 3, "not well-formed XML"),
        ("<settings><x/></settings>", 1, "not a Maven POM"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a "aaaa">]>\n<project>&a;</project>',
            None,
            "forbidden XML feature",
        ),
        (
            "<project><dependencies><dependency><version>1</version></dependency>"
            "</dependencies></project>",
            1,
            "groupId and an artifactId",
        ),
    ],
)
def test_malformed_or_unsafe_pom_is_a_located_error(
    text: str, line: int | None, words: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "mod/pom.xml"))
    assert caught.value.line == line
    assert words in caught.value.message
    assert caught.value.path == "mod/pom.xml"


def test_osv_detector_maven_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "maven")
    results = parse_all(
        parse, sorted(p for p in directory.glob("*.xml") if p.name != "invalid-syntax.xml")
    )
    assert results["empty.xml"].components == ()
    assert versions(results["one-package.xml"]) == {("org.apache.maven:maven-artifact", "1.0.0")}
    assert versions(results["two-packages.xml"]) == {
        ("io.netty:netty-all", "4.1.42.Final"),
        ("org.slf4j:slf4j-log4j12", "1.7.25"),
    }
    managed = by_name(results["with-dependency-management.xml"])
    assert managed["io.netty:netty-all"].version == "4.1.9"  # the declared version wins
    assert managed["com.google.code.findbugs:jsr305"].version == "3.0.2"
    interpolation = results["interpolation.xml"]
    assert versions(interpolation) == {
        ("org.mine:mypackage", "1.0.0"),
        ("org.mine:my.package", "2.3.4"),
    }
    assert {u.name for u in interpolation.unresolved} == {
        "org.mine.too:my.other-package",
        "org.mine:ranged-package",
    }
    for bad in ("invalid-syntax.xml", "not-pom.txt"):
        with pytest.raises(ManifestError):
            parse_all(parse, [directory / bad])
