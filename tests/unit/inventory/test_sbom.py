"""Reading SBOMs as inventories: CycloneDX 1.2-1.7 and SPDX 2.2/2.3 JSON, our own round trip,
real SBOMs shipped inside installed wheels, and located errors for everything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lockgate.inventory import sbom
from lockgate.inventory.interface import ManifestError, ManifestSource, ParsedManifest
from lockgate.inventory.purl import parse_purl
from lockgate.inventory.sbom import read_sbom
from lockgate.model import Component, Decision, ScanReport
from lockgate.reporters import RenderOptions
from lockgate.reporters.cyclonedx import CycloneDxReporter
from lockgate.reporters.spdx import SpdxReporter
from tests.helpers.schemas import validate_cyclonedx, validate_spdx
from tests.unit.reporters import sbom_samples as samples

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sbom"
OPTIONS = RenderOptions(tool_version="0.1.0")


def _by_purl(manifest: ParsedManifest) -> dict[str, Component]:
    return {c.purl: c for c in manifest.components}


def _edges(manifest: ParsedManifest) -> dict[str, set[str]]:
    return {purl: set(deps) for purl, deps in manifest.dependencies}


def _render(
    reporter: CycloneDxReporter | SpdxReporter, report: ScanReport, decision: Decision | None
) -> str:
    """Render with one of our reporters, checking the document against its schema first."""
    text = reporter.render(report, decision, OPTIONS)
    validate = validate_cyclonedx if reporter.name == "cyclonedx" else validate_spdx
    validate(json.loads(text))
    return text


def _write(tmp_path: Path, name: str, content: str | dict[str, Any]) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


# -- CycloneDX ---------------------------------------------------------------------------


def test_cyclonedx_1_4_components_nested_ones_and_ecosystems() -> None:
    manifest = read_sbom(FIXTURES / "cyclonedx-1.4.json", display_path="sbom/frontend.cdx.json")
    assert (manifest.format, manifest.path) == ("cyclonedx", "sbom/frontend.cdx.json")
    comps = _by_purl(manifest)
    assert set(comps) == {
        "pkg:npm/lodash@4.17.20",
        "pkg:npm/react@18.2.0",
        "pkg:npm/loose-envify@1.4.0",  # nested inside react
        "pkg:npm/%40types/node@18.11.9",
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",
        "pkg:deb/debian/zlib1g@1.2.11?arch=amd64&distro=debian-11",
    }
    assert manifest.ecosystem == "mixed"
    assert comps["pkg:npm/%40types/node@18.11.9"].name == "@types/node"
    jackson = comps["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4"]
    assert (jackson.ecosystem, jackson.name, jackson.version) == (
        "Maven",
        "com.fasterxml.jackson.core:jackson-databind",
        "2.13.4",
    )
    zlib = comps["pkg:deb/debian/zlib1g@1.2.11?arch=amd64&distro=debian-11"]
    assert zlib.ecosystem is None  # kept with its purl: no advisory ecosystem for deb
    assert zlib.version == "1.2.11"


def test_cyclonedx_components_point_at_the_line_of_their_purl() -> None:
    manifest = read_sbom(FIXTURES / "cyclonedx-1.4.json", display_path="bom.json")
    lines = (FIXTURES / "cyclonedx-1.4.json").read_text(encoding="utf-8").splitlines()
    lodash = _by_purl(manifest)["pkg:npm/lodash@4.17.20"]
    assert lodash.manifest is not None and lodash.manifest.path == "bom.json"
    assert lodash.manifest.start_line is not None
    assert '"purl": "pkg:npm/lodash@4.17.20"' in lines[lodash.manifest.start_line - 1]


def test_cyclonedx_entries_without_a_usable_purl_are_unresolved_not_dropped() -> None:
    manifest = read_sbom(FIXTURES / "cyclonedx-1.4.json")
    reasons = {u.name: u.reason for u in manifest.unresolved}
    assert reasons["vendor/legacy.min.js"] == "no package URL"
    assert reasons["broken"].startswith("invalid package URL")


def test_cyclonedx_licenses_of_all_three_kinds_and_hashes() -> None:
    comps = _by_purl(read_sbom(FIXTURES / "cyclonedx-1.4.json"))
    lodash = comps["pkg:npm/lodash@4.17.20"]
    assert lodash.licenses == "MIT"
    assert dict(lodash.hashes) == {
        "sha1": "5f0f1c7c6a3b1fbd5e1e5d2a8a0e6d2a9d3c5b7e",
        "sha512": "bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b8176"
        "4daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a",
    }
    assert comps["pkg:npm/react@18.2.0"].licenses == "MIT OR Apache-2.0"
    assert comps["pkg:npm/loose-envify@1.4.0"].licenses == "Custom in-house license"
    jackson = comps["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4"]
    assert jackson.licenses == "Apache-2.0 AND (Some Other License)"


def test_cyclonedx_graph_and_direct_dependencies_of_the_root() -> None:
    manifest = read_sbom(FIXTURES / "cyclonedx-1.4.json")
    comps = _by_purl(manifest)
    jackson = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4"
    zlib = "pkg:deb/debian/zlib1g@1.2.11?arch=amd64&distro=debian-11"
    assert _edges(manifest) == {
        "pkg:npm/react@18.2.0": {"pkg:npm/loose-envify@1.4.0"},
        jackson: {zlib},  # refs to a purl-less entry and to nothing are dropped
    }
    assert comps[jackson].dependencies == (zlib,)
    assert comps["pkg:npm/react@18.2.0"].direct is True
    assert comps["pkg:npm/lodash@4.17.20"].direct is True
    assert comps["pkg:npm/loose-envify@1.4.0"].direct is False
    assert comps["pkg:npm/%40types/node@18.11.9"].direct is False


def test_cyclonedx_1_6_skips_the_subject_and_reads_lockgate_properties() -> None:
    validate_cyclonedx(json.loads((FIXTURES / "cyclonedx-1.6.json").read_text(encoding="utf-8")))
    manifest = read_sbom(FIXTURES / "cyclonedx-1.6.json")
    purls = [c.purl for c in manifest.components]
    assert "pkg:pypi/billing@3.1.0" not in purls  # the described application itself
    django = [c for c in manifest.components if c.name == "django"]
    # one component per manifest it was found in; the absolute path is ignored
    assert [c.manifest.path for c in django if c.manifest] == [
        "requirements.txt",
        "services/admin/requirements.txt",
    ]
    assert {c.purl for c in django} == {"pkg:pypi/django@4.2.1"}
    assert all(c.direct is True and c.licenses == "BSD-3-Clause" for c in django)
    assert django[0].dependencies == ("pkg:pypi/asgiref@3.7.2", "pkg:pypi/sqlparse@0.4.4")
    comps = _by_purl(manifest)
    assert comps["pkg:golang/golang.org/x/net@v0.17.0"].ecosystem == "Go"
    assert comps["pkg:golang/golang.org/x/net@v0.17.0"].direct is True
    assert comps["pkg:pypi/sqlparse@0.4.4"].direct is False
    # a purl without version takes the component's version
    assert comps["pkg:cargo/serde@1.0.190"].version == "1.0.190"
    for purl in comps:
        ecosystem, _, version = parse_purl(purl)
        assert version == comps[purl].version and ecosystem == comps[purl].ecosystem


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.5", "1.7"])
def test_other_cyclonedx_versions_are_read(tmp_path: Path, version: str) -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": version,
        "version": 1,
        "components": [{"type": "library", "name": "six", "purl": "pkg:pypi/six@1.16.0"}],
    }
    manifest = read_sbom(_write(tmp_path, "bom.json", document))
    assert [c.purl for c in manifest.components] == ["pkg:pypi/six@1.16.0"]
    assert manifest.ecosystem == "PyPI"


# -- SPDX --------------------------------------------------------------------------------


def test_spdx_2_3_packages_licenses_checksums_and_graph() -> None:
    validate_spdx(json.loads((FIXTURES / "spdx-2.3.json").read_text(encoding="utf-8")))
    manifest = read_sbom(FIXTURES / "spdx-2.3.json", display_path="inventory.spdx.json")
    assert manifest.format == "spdx"
    comps = _by_purl(manifest)
    assert set(comps) == {
        "pkg:npm/express@4.18.2",
        "pkg:npm/body-parser@1.20.1",
        "pkg:npm/qs@6.11.0",
        "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
    }
    express = comps["pkg:npm/express@4.18.2"]
    assert express.licenses == "MIT"
    assert dict(express.hashes)["sha1"] == "3fabe08296e930c796c19e3c516979386ba9fd59"
    assert set(dict(express.hashes)) == {"sha1", "sha512"}
    # NOASSERTION falls back to the concluded license; a lone LicenseRef reads as its name
    assert comps["pkg:npm/body-parser@1.20.1"].licenses == "MIT"
    assert comps["pkg:npm/qs@6.11.0"].licenses == "BSD-3-Clause OR LicenseRef-qs-custom"
    assert comps["pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64"].licenses == "ACME internal"
    # DEPENDENCY_OF and DEV_DEPENDENCY_OF read backwards; CONTAINS is not a dependency
    assert _edges(manifest) == {
        "pkg:npm/express@4.18.2": {"pkg:npm/body-parser@1.20.1"},
        "pkg:npm/body-parser@1.20.1": {"pkg:npm/qs@6.11.0"},
    }
    assert express.direct is True
    assert comps["pkg:npm/qs@6.11.0"].direct is False
    assert [u.name for u in manifest.unresolved] == ["internal-utils"]
    assert manifest.unresolved[0].reason == "no package URL"
    assert express.manifest is not None and express.manifest.start_line is not None


def test_spdx_2_2_with_underscored_category() -> None:
    manifest = read_sbom(FIXTURES / "spdx-2.2.json")
    (rand,) = manifest.components
    assert (rand.purl, rand.ecosystem, rand.licenses) == (
        "pkg:cargo/rand@0.8.5",
        "crates.io",
        "MIT OR Apache-2.0",
    )
    assert rand.direct is None  # nothing says what the subject depends on


# -- our own SBOMs read back -------------------------------------------------------------


def _expected_inventory() -> tuple[dict[str, tuple[str | None, str | None]], dict[str, set[str]]]:
    """purl -> (version, licenses as the reader gives them back); and the graph."""
    report = samples.rich_report()
    comps = {c.purl: c for r in report.results for c in r.components}
    for finding in report.findings:
        if finding.component is not None:
            comps.setdefault(finding.component.purl, finding.component)
    versions = {purl: (c.version, c.licenses) for purl, c in comps.items()}
    edges = {samples.REQUESTS: {samples.CERTIFI, samples.URLLIB3}}
    return versions, edges


@pytest.mark.parametrize("reporter", [CycloneDxReporter(), SpdxReporter()], ids=["cdx", "spdx"])
def test_round_trip_keeps_purls_versions_licenses_and_edges(
    tmp_path: Path, reporter: CycloneDxReporter | SpdxReporter
) -> None:
    text = _render(reporter, samples.rich_report(), samples.rich_decision())
    manifest = read_sbom(_write(tmp_path, reporter.default_filename, text))
    expected, edges = _expected_inventory()
    got = {c.purl: (c.version, c.licenses) for c in manifest.components}
    assert set(got) == set(expected)
    renamed = {
        # the SBOM carries canonical SPDX: the deprecated id and unknown names change form
        samples.OPENSSL: "GPL-2.0-or-later",
        samples.GIN: "MIT OR Foo bar"
        if reporter.name == "cyclonedx"
        else "MIT OR LicenseRef-Foo-bar",
    }
    for purl, (version, licenses) in expected.items():
        assert got[purl] == (version, renamed.get(purl, licenses)), purl
    assert _edges(manifest) == edges
    assert manifest.unresolved == ()


def test_cyclonedx_round_trip_keeps_manifests_and_direct_flags(tmp_path: Path) -> None:
    text = _render(CycloneDxReporter(), samples.rich_report(), None)
    manifest = read_sbom(_write(tmp_path, "sbom.cdx.json", text))
    urllib3 = [c for c in manifest.components if c.purl == samples.URLLIB3]
    assert sorted(c.manifest.path for c in urllib3 if c.manifest) == [
        "requirements.txt",
        "services/api/requirements.txt",
    ]
    comps = _by_purl(manifest)
    assert comps[samples.CERTIFI].direct is False
    assert comps[samples.REQUESTS].direct is True
    assert comps[samples.GIN].direct is True  # top-level in the graph the reporter wrote
    assert dict(comps[samples.REQUESTS].hashes) == {"sha256": samples.SHA256}


def test_spdx_round_trip_marks_what_the_target_depends_on_as_direct(tmp_path: Path) -> None:
    text = _render(SpdxReporter(), samples.rich_report(), None)
    comps = _by_purl(read_sbom(_write(tmp_path, "sbom.spdx.json", text)))
    assert comps[samples.REQUESTS].direct is True
    assert comps[samples.CERTIFI].direct is False
    assert dict(comps[samples.LOG4J].hashes) == {"sha1": samples.SHA1}


def test_an_empty_sbom_of_ours_reads_as_no_components(tmp_path: Path) -> None:
    for reporter in (CycloneDxReporter(), SpdxReporter()):
        text = _render(reporter, samples.empty_report(), None)
        manifest = read_sbom(_write(tmp_path, reporter.default_filename, text))
        assert manifest.components == () and manifest.unresolved == ()


# -- real SBOMs shipped in installed wheels (PEP 770 ``.dist-info/sboms``) ----------------


def _installed_sbom(pattern: str) -> Path:
    site = Path(pytest.importorskip("pip").__file__).resolve().parents[1]
    found = sorted(site.glob(pattern))
    if not found:
        pytest.skip(f"no installed SBOM matches {pattern} in {site}")
    return found[0]


def test_reads_the_sbom_pip_ships_for_its_vendored_packages() -> None:
    path = _installed_sbom("pip/_vendor/bom.cdx.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    manifest = read_sbom(path)
    listed = {c["purl"] for c in document["components"] if "purl" in c}
    assert len(manifest.components) == len(listed) > 10
    assert all(c.ecosystem == "PyPI" and c.direct is True for c in manifest.components)
    names = {c.name for c in manifest.components}
    assert {"certifi", "idna", "packaging", "urllib3"} <= names
    assert "cachecontrol" in names  # PEP 503 normalised, as advisory lookups need
    assert manifest.unresolved == ()  # pip itself is the subject, not a component


def test_reads_a_maturin_sbom_of_rust_crates_with_its_graph() -> None:
    path = _installed_sbom("rpds_py-*.dist-info/sboms/*.json")
    manifest = read_sbom(path)
    assert manifest.ecosystem == "crates.io"
    assert len(manifest.components) > 5
    assert all(c.hashes and c.licenses for c in manifest.components)
    assert manifest.dependencies
    direct = {c.name for c in manifest.components if c.direct}
    assert "pyo3" in direct
    assert any(c.name == "libc" and c.direct is False for c in manifest.components)


def test_reads_an_auditwheel_sbom_of_os_packages() -> None:
    path = _installed_sbom("regopy-*.dist-info/sboms/auditwheel.cdx.json")
    manifest = read_sbom(path)
    purls = [c.purl for c in manifest.components]
    assert purls and all(p.startswith("pkg:rpm/") for p in purls)
    assert len(purls) == len(set(purls))  # one library listed twice is one component


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",\n  "components": [\n', "JSON", 5),
        ("[]", "top level is not a JSON object", 1),
        ('{"name": "something else"}', "not a CycloneDX or SPDX", None),
        ('{"bomFormat": "CycloneDX", "specVersion": "2.0"}', "unsupported specVersion '2.0'", None),
        ('{"bomFormat": "SWID", "specVersion": "1.6"}', "bomFormat is 'SWID'", None),
        ('{"spdxVersion": "SPDX-3.0", "packages": []}', "unsupported spdxVersion", None),
        ('{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}', "SPDX 3", None),
        ('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>', "XML", None),
        ("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "tag-value", None),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}}',
            "components must be a list",
            None,
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ["pkg:pypi/x@1"]}',
            "components[0] must be an object",
            None,
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "dependencies": [{"dependsOn": []}]}',
            "dependencies[0] has no ref",
            None,
        ),
        (
            '{"spdxVersion": "SPDX-2.3", "packages": [{"name": "x"}]}',
            "packages[0] has no SPDXID",
            None,
        ),
        (
            '{"spdxVersion": "SPDX-2.3", "relationships": [{"spdxElementId": "a"}]}',
            "relationships[0] needs",
            None,
        ),
    ],
)
def test_malformed_input_is_a_located_manifest_error(
    tmp_path: Path, content: str, message: str, line: int | None
) -> None:
    path = _write(tmp_path, "bad.json", content)
    with pytest.raises(ManifestError) as caught:
        read_sbom(path, display_path="sboms/bad.json")
    assert caught.value.path == "sboms/bad.json"
    assert message in caught.value.message
    assert caught.value.line == line
    assert caught.value.diagnostics().startswith("sboms/bad.json")


def test_a_missing_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read"):
        read_sbom(tmp_path / "nope.json")


def test_an_oversized_sbom_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sbom, "MAX_SBOM_BYTES", 100)
    path = _write(tmp_path, "big.json", {"bomFormat": "CycloneDX", "padding": "x" * 200})
    with pytest.raises(ManifestError, match="over the 100 byte limit"):
        read_sbom(path)


def test_an_absolute_path_is_shown_by_its_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "deps.cdx.json", (FIXTURES / "cyclonedx-1.6.json").read_text())
    manifest = read_sbom(path.resolve())
    assert manifest.path == "deps.cdx.json"


def test_parse_follows_the_manifest_parser_contract() -> None:
    text = (FIXTURES / "spdx-2.2.json").read_text(encoding="utf-8")
    manifest = sbom.parse(ManifestSource(path="third_party/sbom.spdx.json", text=text))
    assert manifest.path == "third_party/sbom.spdx.json"
    (rand,) = manifest.components
    assert rand.manifest is not None and rand.manifest.path == "third_party/sbom.spdx.json"


def test_a_twenty_thousand_component_chain_is_read_whole(tmp_path: Path) -> None:
    # a 20,000-component chain: the graph walk must not be quadratic or recursive
    count = 20_000
    components = [
        {
            "type": "library",
            "bom-ref": f"c{i}",
            "name": f"pkg{i}",
            "purl": f"pkg:npm/pkg{i}@1.0.{i}",
        }
        for i in range(count)
    ]
    deps = [{"ref": f"c{i}", "dependsOn": [f"c{i + 1}"]} for i in range(count - 1)]
    path = _write(
        tmp_path,
        "big.cdx.json",
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": components,
            "dependencies": deps,
        },
    )
    manifest = read_sbom(path)
    assert len(manifest.components) == count
    assert len(manifest.dependencies) == count - 1


def test_deeply_nested_components_are_read_without_recursion(tmp_path: Path) -> None:
    depth = 300  # about as deep as the JSON decoder itself allows
    node: dict[str, Any] = {"type": "library", "name": "leaf", "purl": "pkg:npm/leaf@1.0.0"}
    for i in range(depth):
        node = {
            "type": "library",
            "name": f"n{i}",
            "purl": f"pkg:npm/n{i}@1.0.0",
            "components": [node],
        }
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [node]}
    manifest = read_sbom(_write(tmp_path, "deep.json", json.dumps(document)))
    assert len(manifest.components) == depth + 1


def test_json_nested_beyond_the_decoder_limit_is_a_manifest_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.json", '{"bomFormat": "CycloneDX", "x": ' + "[" * 200_000)
    with pytest.raises(ManifestError, match="nested too deeply"):
        read_sbom(path)
