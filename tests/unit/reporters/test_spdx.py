"""SPDX 2.3 SBOM: valid against the official schema, stable, licenses as valid SPDX
expressions with LicenseRefs for the rest, checksums, purls and DEPENDS_ON edges."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import pytest
from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

from lockgate.model import Decision, ScanReport
from lockgate.reporters import RenderOptions, Reporter
from lockgate.reporters.spdx import ROOT_ID, SpdxReporter, package_id
from tests.helpers.sample_reports import sample
from tests.helpers.schemas import validate_spdx
from tests.unit.reporters import sbom_samples as s

OPTIONS = RenderOptions(tool_version="0.1.0")
SPDX_ID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")


def _doc(report: ScanReport | None = None, decision: Decision | None = None) -> dict[str, Any]:
    if report is None:
        report, decision = s.rich_report(), s.rich_decision()
    document: dict[str, Any] = json.loads(SpdxReporter().render(report, decision, OPTIONS))
    validate_spdx(document)
    return document


def _packages(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Packages by purl (the root under its SPDX id)."""
    out = {}
    for package in doc["packages"]:
        refs = [r["referenceLocator"] for r in package.get("externalRefs", [])]
        out[refs[0] if refs else package["SPDXID"]] = package
    return out


def _edges(doc: dict[str, Any], kind: str = "DEPENDS_ON") -> set[tuple[str, str]]:
    return {
        (r["spdxElementId"], r["relatedSpdxElement"])
        for r in doc["relationships"]
        if r["relationshipType"] == kind
    }


def test_is_a_reporter_named_for_the_format() -> None:
    reporter = SpdxReporter()
    assert isinstance(reporter, Reporter)
    assert (reporter.name, reporter.default_filename) == ("spdx", "sbom.spdx.json")


@pytest.mark.parametrize(
    ("report", "decision"),
    [
        (s.rich_report(), s.rich_decision()),
        (s.empty_report(), None),
        sample(),
    ],
    ids=["rich", "empty", "sample"],
)
def test_every_rendered_document_is_valid_spdx_2_3(
    report: ScanReport, decision: Decision | None
) -> None:
    doc = _doc(report, decision)
    assert doc["spdxVersion"] == "SPDX-2.3"
    assert doc["dataLicense"] == "CC0-1.0"
    assert doc["SPDXID"] == "SPDXRef-DOCUMENT"


def test_rendering_twice_gives_identical_bytes_and_the_namespace_follows_the_run() -> None:
    first = SpdxReporter().render(s.rich_report(), s.rich_decision(), OPTIONS)
    assert first == SpdxReporter().render(s.rich_report(), s.rich_decision(), OPTIONS)
    namespace = json.loads(first)["documentNamespace"]
    assert namespace.startswith("https://")
    other = dataclasses.replace(s.rich_report(), run_id="01J0SBOM0000000000000000BB")
    assert _doc(other)["documentNamespace"] != namespace


def test_creation_info_is_the_report_start_in_utc_and_names_lockgate() -> None:
    start = dt.datetime(2024, 6, 1, 10, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    info = _doc(dataclasses.replace(s.rich_report(), started_at=start))["creationInfo"]
    assert info["created"] == "2024-06-01T08:30:05Z"
    assert info["creators"] == ["Tool: lockgate-0.1.0"]


def test_spdx_ids_are_unique_and_well_formed() -> None:
    doc = _doc()
    ids = [p["SPDXID"] for p in doc["packages"]]
    assert len(ids) == len(set(ids))
    assert all(SPDX_ID.match(i) for i in ids)
    # ids that differ only in characters SPDX forbids stay distinct
    assert package_id("pkg:npm/a_b@1") != package_id("pkg:npm/a-b@1")


def test_the_root_package_is_the_target_and_is_described() -> None:
    doc = _doc()
    root = _packages(doc)[ROOT_ID]
    assert root["name"] == "acme/payments"
    assert root["versionInfo"] == s.COMMIT
    assert root["downloadLocation"] == f"git+https://github.com/acme/payments@{s.COMMIT}"
    assert ("SPDXRef-DOCUMENT", ROOT_ID) in _edges(doc, "DESCRIBES")


def test_packages_carry_purl_version_and_the_mandatory_assertions() -> None:
    packages = _packages(_doc())
    assert set(packages) - {ROOT_ID} == {
        s.REQUESTS,
        s.URLLIB3,
        s.CERTIFI,
        s.ANGULAR,
        s.LOG4J,
        s.LEFTPAD,
        s.GIN,
        s.OPENSSL,
        "pkg:pypi/pyyaml@5.3",
    }
    angular = packages[s.ANGULAR]
    assert angular["name"] == "@angular/core"
    assert angular["versionInfo"] == "16.0.0"
    assert angular["externalRefs"] == [
        {
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": s.ANGULAR,
        }
    ]
    for package in packages.values():
        assert package["downloadLocation"] == "NOASSERTION" or package["SPDXID"] == ROOT_ID
        assert package["filesAnalyzed"] is False
        assert package["licenseConcluded"] == "NOASSERTION"


def test_declared_licenses_are_valid_spdx_with_licenserefs_for_the_rest() -> None:
    doc = _doc()
    packages = _packages(doc)
    declared = {purl: p["licenseDeclared"] for purl, p in packages.items()}
    assert declared[s.REQUESTS] == "Apache-2.0"
    assert declared[s.LOG4J] == "Apache-2.0 OR MIT"
    assert declared[s.OPENSSL] == "GPL-2.0-or-later"
    assert declared[s.LEFTPAD] == "LicenseRef-BSD-style"
    assert declared[s.GIN] == "MIT OR LicenseRef-Foo-bar"
    assert declared["pkg:pypi/pyyaml@5.3"] == "NOASSERTION"
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert extracted["LicenseRef-BSD-style"]["extractedText"] == "BSD style"
    assert extracted["LicenseRef-Foo-bar"]["name"] == "Foo bar"
    # every expression parses, and every LicenseRef it uses is declared in the document
    licensing = get_spdx_licensing()
    for value in declared.values():
        if value in ("NOASSERTION", "NONE"):
            continue
        keys = licensing.license_keys(licensing.parse(value))
        unknown = [k for k in keys if licensing.unknown_license_keys(k)]
        assert all(k.startswith("LicenseRef-") and k in extracted for k in unknown), value


def test_names_that_sanitise_alike_get_distinct_licenserefs() -> None:
    report = s.rich_report()
    sca = report.results[0]
    comps = tuple(
        dataclasses.replace(c, licenses="Foo-bar") if c.purl == s.OPENSSL else c
        for c in sca.components
    )
    report = report.with_results((dataclasses.replace(sca, components=comps), *report.results[1:]))
    doc = _doc(report)
    refs = {e["licenseId"]: e["extractedText"] for e in doc["hasExtractedLicensingInfos"]}
    assert sorted(refs.values()) == ["BSD style", "Foo bar", "Foo-bar"]
    assert len(refs) == 3


def test_checksums_use_spdx_algorithm_names() -> None:
    packages = _packages(_doc())
    assert packages[s.REQUESTS]["checksums"] == [{"algorithm": "SHA256", "checksumValue": s.SHA256}]
    assert packages[s.ANGULAR]["checksums"] == [{"algorithm": "SHA512", "checksumValue": s.SHA512}]
    assert packages[s.LOG4J]["checksums"] == [{"algorithm": "SHA1", "checksumValue": s.SHA1}]
    assert packages[s.LEFTPAD]["checksums"] == [{"algorithm": "MD5", "checksumValue": s.MD5}]
    assert "checksums" not in packages[s.GIN]


def test_relationships_give_the_dependency_graph() -> None:
    doc = _doc()
    ids = {purl: p["SPDXID"] for purl, p in _packages(doc).items()}
    edges = _edges(doc)
    from_root = {b for a, b in edges if a == ROOT_ID}
    assert {ids[s.REQUESTS], ids[s.ANGULAR], ids[s.LOG4J], ids[s.URLLIB3]} <= from_root
    assert ids[s.CERTIFI] not in from_root
    assert (ids[s.REQUESTS], ids[s.CERTIFI]) in edges
    assert (ids[s.REQUESTS], ids[s.URLLIB3]) in edges
    known = set(ids.values()) | {"SPDXRef-DOCUMENT"}
    assert all(a in known and b in known for a, b in edges)


def test_empty_report_describes_only_the_target() -> None:
    doc = _doc(s.empty_report())
    assert [p["SPDXID"] for p in doc["packages"]] == [ROOT_ID]
    assert doc["relationships"] == [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": ROOT_ID,
        }
    ]
    assert "hasExtractedLicensingInfos" not in doc
