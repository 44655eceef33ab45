"""VEX input: CycloneDX VEX and OpenVEX statements, matched to findings by id or alias and by
purl (with or without version); only not_affected and fixed suppress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lockgate.advisories import vex
from lockgate.advisories.vex import (
    VexError,
    VexStatement,
    applicable,
    load_vex,
    parse_vex,
    purl_matches,
)
from lockgate.errors import InputError
from lockgate.reporters import RenderOptions
from lockgate.reporters.cyclonedx import CycloneDxReporter
from tests.helpers.schemas import validate_cyclonedx
from tests.unit.reporters import sbom_samples as samples

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vex"


def _write(tmp_path: Path, content: str | dict[str, Any]) -> Path:
    path = tmp_path / "vex.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


# -- OpenVEX -----------------------------------------------------------------------------


def test_openvex_statements_with_ids_aliases_products_and_subcomponents() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    assert len(statements) == 5
    requests = next(s for s in statements if "CVE-2023-32681" in s.vulnerability_ids)
    assert requests.vulnerability_ids == {
        "CVE-2023-32681",
        "https://nvd.nist.gov/vuln/detail/CVE-2023-32681",
        "GHSA-j8r2-6x86-q33q",
        "PYSEC-2023-74",
    }
    assert requests.purls == ("pkg:oci/payments@sha256%3Aabc123", "pkg:pypi/requests")
    assert requests.status == "not_affected"
    assert requests.justification == "vulnerable_code_not_in_execute_path"
    assert requests.detail == "We never send requests through a proxy."
    assert requests.source.endswith("openvex.json#/statements/0")
    assert requests.suppresses


def test_openvex_matches_by_alias_and_by_purl_without_version() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    # the finding knows the GHSA id and the CVE alias; the statement names the package
    # without a version, so every version of requests is covered
    for version in ("2.19.0", "2.31.0"):
        found = applicable(
            statements,
            advisory_ids=("GHSA-j8r2-6x86-q33q",),
            purl=f"pkg:pypi/requests@{version}",
        )
        assert found is not None and found.suppresses
    assert applicable(statements, advisory_ids=("ghsa-j8r2-6x86-q33q",), purl="pkg:pypi/Requests@1")
    assert (
        applicable(statements, advisory_ids=("CVE-2099-0001",), purl="pkg:pypi/requests@1") is None
    )
    assert (
        applicable(statements, advisory_ids=("CVE-2023-32681",), purl="pkg:npm/requests@1") is None
    )


def test_a_versioned_statement_covers_only_that_version_and_ignores_qualifiers() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    log4j = "pkg:maven/org.apache.logging.log4j/log4j-core"
    found = applicable(statements, advisory_ids=("CVE-2021-44228",), purl=f"{log4j}@2.14.1")
    assert found is not None and found.status == "affected" and not found.suppresses
    assert found.detail == "Upgrade to 2.17.1."
    assert applicable(statements, advisory_ids=("CVE-2021-44228",), purl=f"{log4j}@2.15.0") is None


def test_the_latest_openvex_statement_wins() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    found = applicable(statements, advisory_ids=("CVE-2019-11324",), purl="pkg:pypi/urllib3@1.24.1")
    assert found is not None
    assert found.status == "fixed"  # June beats the April "under_investigation"
    assert found.detail == "Patched in our fork."
    assert found.suppresses


def test_products_named_other_than_by_purl_match_nothing() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    statement = next(s for s in statements if "GHSA-xxxx-yyyy-zzzz" in s.vulnerability_ids)
    assert statement.purls == ()


def test_openvex_0_0_1_with_plain_strings() -> None:
    (statement,) = load_vex(FIXTURES / "openvex-0.0.1.json")
    assert statement.vulnerability_ids == {"CVE-2022-23491"}
    assert statement.purls == ("pkg:pypi/certifi@2022.9.24",)
    assert statement.justification == "inline_mitigations_already_exist"


# -- CycloneDX VEX -----------------------------------------------------------------------


def test_cyclonedx_vex_resolves_bom_refs_to_purls() -> None:
    document = json.loads((FIXTURES / "cyclonedx-vex.json").read_text(encoding="utf-8"))
    validate_cyclonedx({**document, "specVersion": "1.6"})  # a realistic document
    statements = {
        next(iter(sorted(s.vulnerability_ids))): s
        for s in load_vex(FIXTURES / "cyclonedx-vex.json")
    }
    jackson = statements["CVE-2022-42003"]
    assert jackson.vulnerability_ids == {"CVE-2022-42003", "GHSA-jjjh-jjxp-wpff"}
    assert jackson.purls == ("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4",)
    assert (jackson.status, jackson.justification) == ("not_affected", "code_not_reachable")
    assert jackson.detail == "UNWRAP_SINGLE_VALUE_ARRAYS is never enabled."
    assert jackson.source.endswith("cyclonedx-vex.json#/vulnerabilities/0")


def test_cyclonedx_states_map_to_vex_statuses() -> None:
    statements = load_vex(FIXTURES / "cyclonedx-vex.json")
    status = {min(s.vulnerability_ids): s.status for s in statements}
    assert status == {
        "CVE-2022-42003": "not_affected",
        "CVE-2021-23337": "affected",  # exploitable
        "CVE-2020-28500": "not_affected",  # false_positive
        "CVE-2024-0001": "under_investigation",  # no analysis yet
        "CVE-2024-0002": "fixed",  # resolved
    }


def test_cyclonedx_vex_matches_by_alias_bom_link_and_versionless_purl() -> None:
    statements = load_vex(FIXTURES / "cyclonedx-vex.json")
    jackson = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4?type=jar"
    found = applicable(statements, advisory_ids=("GHSA-jjjh-jjxp-wpff",), purl=jackson)
    assert found is not None and found.suppresses
    redos = next(s for s in statements if "CVE-2020-28500" in s.vulnerability_ids)
    # "pkg:npm/lodash" and the BOM-Link to comp-lodash; the foreign BOM-Link is unresolvable
    assert redos.purls == ("pkg:npm/lodash", "pkg:npm/lodash@4.17.20")
    found = applicable(statements, advisory_ids=("CVE-2020-28500",), purl="pkg:npm/lodash@4.17.21")
    assert found is redos
    exploitable = applicable(
        statements, advisory_ids=("CVE-2021-23337",), purl="pkg:npm/lodash@4.17.20"
    )
    assert exploitable is not None and not exploitable.suppresses
    # pypi names compare the way pip does: Django == django
    fixed = applicable(statements, advisory_ids=("CVE-2024-0002",), purl="pkg:pypi/django@4.2.1")
    assert fixed is not None and fixed.suppresses


def test_the_cyclonedx_we_write_is_a_vex_we_read() -> None:
    text = CycloneDxReporter().render(
        samples.rich_report(), samples.rich_decision(), RenderOptions(tool_version="0.1.0")
    )
    validate_cyclonedx(json.loads(text))
    statements = parse_vex(text, source="sbom.cdx.json")
    requests = applicable(statements, advisory_ids=("CVE-2023-32681",), purl=samples.REQUESTS)
    assert requests is not None and requests.suppresses
    assert samples.EXCEPTION_ID in (requests.detail or "")
    urllib3 = applicable(statements, advisory_ids=("PYSEC-2019-133",), purl=samples.URLLIB3)
    assert urllib3 is not None and urllib3.justification == "code_not_reachable"
    log4j = applicable(statements, advisory_ids=("CVE-2021-44228",), purl=samples.LOG4J)
    assert log4j is not None and not log4j.suppresses  # no analysis: still under investigation


# -- what a control does with a statement ------------------------------------------------


def test_a_suppressing_statement_gives_the_properties_the_gate_and_reporters_read() -> None:
    (statement,) = load_vex(FIXTURES / "openvex-0.0.1.json")
    props = statement.finding_properties()
    assert props["vex_status"] == "not_affected"
    assert props["vex_justification"] == "inline_mitigations_already_exist"
    assert props["suppressed"].startswith("VEX ")
    assert "openvex-0.0.1.json#/statements/0" in props["suppressed"]
    assert "not_affected (inline_mitigations_already_exist)" in props["suppressed"]


def test_statements_validate_what_they_hold() -> None:
    with pytest.raises(ValueError, match="status"):
        VexStatement(vulnerability_ids=frozenset({"CVE-1"}), purls=(), status="maybe")
    with pytest.raises(ValueError, match="at least one"):
        VexStatement(vulnerability_ids=frozenset(), purls=(), status="fixed")


def test_purl_matching_rules() -> None:
    assert purl_matches("pkg:npm/%40angular/core", "pkg:npm/@angular/core@16.0.0")
    assert purl_matches("pkg:pypi/Django_Rest", "pkg:pypi/django-rest@3.0")
    assert purl_matches("pkg:npm/x@1.0.0?arch=a", "pkg:npm/x@1.0.0#sub/path")
    assert not purl_matches("pkg:npm/x@1.0.0", "pkg:npm/x@1.0.1")
    assert not purl_matches("pkg:npm/x", "pkg:pypi/x@1")
    assert purl_matches("pkg:npm/X", "pkg:npm/x@1")  # the purl spec lower-cases npm names
    assert not purl_matches("pkg:maven/org.acme/Lib", "pkg:maven/org.acme/lib@1")
    assert not purl_matches("pkg:npm/x", "not a purl")


def test_no_ids_means_no_match() -> None:
    statements = load_vex(FIXTURES / "openvex.json")
    assert applicable(statements, advisory_ids=(), purl="pkg:pypi/requests@1") is None


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('{\n  "@context": "https://openvex.dev/ns/v0.2.0",\n  "statements": [\n', "JSON", 4),
        ("[1, 2]", "top level is not a JSON object", None),
        ('{"name": "x"}', "not a CycloneDX VEX or OpenVEX", None),
        ('{"@context": "https://openvex.dev/ns/v9"}', "unsupported @context", None),
        ('{"@context": "https://openvex.dev/ns/v0.2.0"}', "no statements", None),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability":'
            ' {"name": "CVE-1"}, "status": "perhaps"}]}',
            "/statements/0/status is 'perhaps'",
            None,
        ),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "fixed"}]}',
            "/statements/0/vulnerability must name",
            None,
        ),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability":'
            ' "CVE-1", "status": "fixed", "products": [{"@id": "pkg:"}]}]}',
            "not a valid package URL",
            None,
        ),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.3"}', "unsupported specVersion", None),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6"}', "no vulnerabilities", None),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{}]}',
            "/vulnerabilities/0 has no id",
            None,
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "X",'
            ' "analysis": {"state": "fine"}}]}',
            "/vulnerabilities/0/analysis/state is 'fine'",
            None,
        ),
        ('{"@context": "https://openvex.dev/ns", "x": ' + "[" * 100_000, "nested too deeply", None),
    ],
)
def test_malformed_vex_is_a_located_vex_error(
    tmp_path: Path, content: str, message: str, line: int | None
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(VexError) as caught:
        load_vex(path)
    assert isinstance(caught.value, InputError)
    assert caught.value.path == str(path)
    assert message in caught.value.message
    assert caught.value.line == line


def test_a_missing_or_oversized_file_is_a_vex_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(VexError, match="cannot read"):
        load_vex(tmp_path / "missing.json")
    monkeypatch.setattr(vex, "MAX_VEX_BYTES", 10)
    with pytest.raises(VexError, match="over the 10 byte limit"):
        load_vex(_write(tmp_path, {"@context": "https://openvex.dev/ns", "statements": []}))
