"""CycloneDX 1.6 SBOM: valid, deterministic, one component per purl, graph, vulnerabilities
with an analysis for what the gate suppressed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from typing import Any

import pytest

from lockgate.model import Decision, ScanReport
from lockgate.reporters import RenderOptions, Reporter
from lockgate.reporters.cyclonedx import ROOT_REF, CycloneDxReporter
from tests.helpers.sample_reports import sample
from tests.helpers.schemas import validate_cyclonedx
from tests.unit.reporters import sbom_samples as s

OPTIONS = RenderOptions(tool_version="0.1.0")


def _bom(report: ScanReport | None = None, decision: Decision | None = None) -> dict[str, Any]:
    if report is None:
        report, decision = s.rich_report(), s.rich_decision()
    document: dict[str, Any] = json.loads(CycloneDxReporter().render(report, decision, OPTIONS))
    validate_cyclonedx(document)
    return document


def _components(bom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in bom.get("components", [])}


def _props(item: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("properties", []) if p["name"] == name]


def _vulns(bom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in bom.get("vulnerabilities", [])}


def test_is_a_reporter_named_for_the_format() -> None:
    reporter = CycloneDxReporter()
    assert isinstance(reporter, Reporter)
    assert reporter.name == "cyclonedx"
    assert reporter.default_filename == "sbom.cdx.json"


@pytest.mark.parametrize(
    ("report", "decision"),
    [
        (s.rich_report(), s.rich_decision()),
        (s.rich_report(), None),
        (s.empty_report(), None),
        sample(),
    ],
    ids=["rich-with-decision", "rich-facts-only", "empty", "sample"],
)
def test_every_rendered_bom_is_valid_cyclonedx_1_6(
    report: ScanReport, decision: Decision | None
) -> None:
    bom = _bom(report, decision)
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["specVersion"] == "1.6"


def test_rendering_twice_gives_identical_bytes() -> None:
    report, decision = s.rich_report(), s.rich_decision()
    first = CycloneDxReporter().render(report, decision, OPTIONS)
    second = CycloneDxReporter().render(s.rich_report(), s.rich_decision(), OPTIONS)
    assert first == second
    assert first.endswith("}\n")


def test_serial_number_derives_from_the_run_id() -> None:
    serial = _bom()["serialNumber"]
    assert serial.startswith("urn:uuid:")
    assert uuid.UUID(serial.removeprefix("urn:uuid:")).version == 5
    other = dataclasses.replace(s.rich_report(), run_id="01J0SBOM0000000000000000BB")
    assert _bom(other, None)["serialNumber"] != serial
    assert _bom(s.rich_report(), None)["serialNumber"] == serial


def test_timestamp_is_the_report_start_so_builds_can_be_reproducible() -> None:
    epoch = dt.datetime.fromtimestamp(1_700_000_000, tz=dt.UTC)  # as from SOURCE_DATE_EPOCH
    report = dataclasses.replace(s.rich_report(), started_at=epoch)
    stamp = _bom(report, None)["metadata"]["timestamp"]
    assert dt.datetime.fromisoformat(stamp) == epoch


def test_metadata_names_lockgate_and_the_target() -> None:
    metadata = _bom()["metadata"]
    tool = metadata["tools"]["components"][0]
    assert (tool["name"], tool["version"]) == ("lockgate", "0.1.0")
    root = metadata["component"]
    assert root["bom-ref"] == ROOT_REF
    assert root["name"] == "acme/payments"
    assert root["version"] == s.COMMIT
    assert root["type"] == "application"


def test_components_are_unique_sorted_and_referenced_by_purl() -> None:
    bom = _bom()
    refs = [c["bom-ref"] for c in bom["components"]]
    assert len(refs) == len(set(refs))
    for component in bom["components"]:
        assert component["bom-ref"] == component["purl"]
    expected = {
        s.REQUESTS,
        s.URLLIB3,
        s.CERTIFI,
        s.ANGULAR,
        s.LOG4J,
        s.LEFTPAD,
        s.GIN,
        s.OPENSSL,
        "pkg:pypi/pyyaml@5.3",  # only known from a finding: still listed so it can be affected
    }
    assert set(refs) == expected
    assert refs == sorted(refs)


def test_a_purl_found_in_two_manifests_is_one_component_listing_both() -> None:
    urllib3 = _components(_bom())[s.URLLIB3]
    assert _props(urllib3, "lockgate:manifest") == [
        "requirements.txt",
        "services/api/requirements.txt",
    ]
    assert _props(urllib3, "lockgate:direct") == ["true"]  # direct in the API service
    assert _props(_components(_bom())[s.CERTIFI], "lockgate:direct") == ["false"]
    assert _props(_components(_bom())[s.GIN], "lockgate:direct") == []  # unknown


def test_group_holds_the_npm_scope_and_the_maven_group() -> None:
    components = _components(_bom())
    angular, log4j, gin = components[s.ANGULAR], components[s.LOG4J], components[s.GIN]
    assert (angular["group"], angular["name"]) == ("@angular", "core")
    assert (log4j["group"], log4j["name"]) == ("org.apache.logging.log4j", "log4j-core")
    assert "group" not in gin and gin["name"] == "github.com/gin-gonic/gin"
    assert "group" not in components[s.REQUESTS]


def test_licenses_are_ids_expressions_or_names() -> None:
    components = _components(_bom())
    assert components[s.REQUESTS]["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert components[s.LOG4J]["licenses"] == [{"expression": "Apache-2.0 OR MIT"}]
    assert components[s.LEFTPAD]["licenses"] == [{"license": {"name": "BSD style"}}]
    assert components[s.GIN]["licenses"] == [{"license": {"name": "MIT OR Foo bar"}}]
    # the deprecated "+" form is normalised to the current SPDX id
    assert components[s.OPENSSL]["licenses"] == [{"license": {"id": "GPL-2.0-or-later"}}]
    assert "licenses" not in components["pkg:pypi/pyyaml@5.3"]


def test_hashes_use_cyclonedx_algorithm_names_and_drop_the_rest() -> None:
    components = _components(_bom())
    assert components[s.REQUESTS]["hashes"] == [{"alg": "SHA-256", "content": s.SHA256}]
    assert components[s.ANGULAR]["hashes"] == [{"alg": "SHA-512", "content": s.SHA512}]
    assert components[s.LOG4J]["hashes"] == [{"alg": "SHA-1", "content": s.SHA1}]
    # sha3-256 has no mapping and the malformed sha256 is not hex: only md5 is left
    assert components[s.LEFTPAD]["hashes"] == [{"alg": "MD5", "content": s.MD5}]


def test_dependency_graph_links_the_root_to_direct_components_and_keeps_edges() -> None:
    graph = {d["ref"]: d.get("dependsOn", []) for d in _bom()["dependencies"]}
    root = set(graph[ROOT_REF])
    assert {s.REQUESTS, s.ANGULAR, s.LOG4J, s.URLLIB3} <= root
    assert s.CERTIFI not in root and s.LEFTPAD not in root  # transitive
    assert s.GIN in root and s.OPENSSL in root  # unknown status and nothing depends on them
    # the edge to a purl that is not in the SBOM is dropped, the others kept
    assert graph[s.REQUESTS] == [s.CERTIFI, s.URLLIB3]
    refs = set(_components(_bom())) | {ROOT_REF}
    assert set(graph) == refs
    assert all(dep in refs for deps in graph.values() for dep in deps)


def test_empty_report_gives_a_bom_with_only_the_target() -> None:
    bom = _bom(s.empty_report(), None)
    assert bom.get("components", []) == []
    assert bom.get("vulnerabilities", []) == []
    assert bom["metadata"]["component"]["name"] == "empty project"
    assert bom["dependencies"] == [{"ref": ROOT_REF}]


def test_vulnerabilities_carry_id_source_ratings_cwes_and_affected_component() -> None:
    log4j = _vulns(_bom())["GHSA-jfh8-c2jp-5v3q"]
    assert log4j["source"]["name"] == "OSV"
    assert log4j["source"]["url"] == "https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q"
    assert log4j["affects"] == [{"ref": s.LOG4J}]
    assert log4j["cwes"] == [20, 502]  # "CWE-X" is not a CWE number and is left out
    rating = log4j["ratings"][0]
    assert rating["severity"] == "critical"
    assert rating["score"] == 10.0
    assert rating["method"] == "CVSSv31"
    assert rating["vector"].endswith("AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
    assert log4j["references"] == [
        {
            "id": "CVE-2021-44228",
            "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"},
        }
    ]
    assert log4j["recommendation"] == "Upgrade log4j-core to 2.15.0 or later."
    assert log4j["detail"].startswith("JNDI lookups")
    assert log4j["advisories"] == [{"url": "https://logging.apache.org/log4j/2.x/security.html"}]
    assert "analysis" not in log4j  # blocking, not suppressed


def test_an_unparseable_score_is_left_out_but_the_vector_kept() -> None:
    rating = _vulns(_bom())["PYSEC-2020-96"]["ratings"][0]
    assert "score" not in rating
    assert rating["method"] == "CVSSv2"
    assert rating["severity"] == "high"


def test_only_vulnerability_findings_become_vulnerabilities() -> None:
    assert set(_vulns(_bom())) == {
        "GHSA-jfh8-c2jp-5v3q",
        "GHSA-j8r2-6x86-q33q",
        "PYSEC-2019-133",
        "PYSEC-2020-96",
    }


def test_a_finding_waived_by_an_exception_is_not_affected_with_the_reason() -> None:
    analysis = _vulns(_bom())["GHSA-j8r2-6x86-q33q"]["analysis"]
    assert analysis["state"] == "not_affected"
    assert s.EXCEPTION_ID in analysis["detail"]
    assert "no proxy is configured" in analysis["detail"]
    assert "justification" not in analysis


def test_a_finding_suppressed_by_vex_keeps_its_justification() -> None:
    urllib3 = _vulns(_bom())["PYSEC-2019-133"]
    # the same advisory in two manifests of one component is one entry
    assert _props(urllib3, "lockgate:fingerprint") == [s.FP_URLLIB3, s.FP_URLLIB3_API]
    analysis = urllib3["analysis"]
    assert analysis["state"] == "not_affected"
    # OpenVEX's vulnerable_code_not_in_execute_path in CycloneDX's vocabulary
    assert analysis["justification"] == "code_not_reachable"
    assert "VEX vex.json" in analysis["detail"]


def test_without_a_decision_nothing_is_marked_suppressed() -> None:
    bom = _bom(s.rich_report(), None)
    assert all("analysis" not in v for v in bom["vulnerabilities"])


def test_a_fixed_vex_statement_reads_as_resolved() -> None:
    report = s.rich_report()
    sca = report.results[0]
    findings = tuple(
        dataclasses.replace(
            f,
            properties=tuple((k, "fixed" if k == "vex_status" else v) for k, v in f.properties),
        )
        if f.fingerprint in (s.FP_URLLIB3, s.FP_URLLIB3_API)
        else f
        for f in sca.findings
    )
    report = report.with_results((dataclasses.replace(sca, findings=findings), report.results[1]))
    analysis = _vulns(_bom(report, s.rich_decision()))["PYSEC-2019-133"]["analysis"]
    assert analysis["state"] == "resolved"


def test_the_cyclonedx_library_reads_the_bom_back() -> None:
    from cyclonedx.model.bom import Bom

    bom = Bom.from_json(_bom())  # type: ignore[attr-defined]
    assert {str(c.purl) for c in bom.components} >= {s.LOG4J, s.REQUESTS}
    assert len(bom.vulnerabilities) == 4
