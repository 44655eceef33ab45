"""Grype JSON: matches as vulnerabilities with their related CVEs, fuzzy CPE matches marked
less certain, and ignored matches kept as suppressed."""

from __future__ import annotations

from lockgate.model import Confidence, Finding, Severity
from tests.unit.importers import imported, manifest


def _by_rule() -> dict[str, Finding]:
    return {f.rule_id: f for f in imported("grype/report.json").findings}


def test_matches_become_vulnerabilities_with_aliases_and_manifest() -> None:
    report = imported("grype/report.json")
    assert report.tool_version == "0.74.5"
    assert report.target == "/home/runner/work/shop/shop"
    django = _by_rule()["grype/GHSA-jh3w-4vvf-mjgr"]
    assert django.identifiers == ("CVE-2023-31047", "GHSA-jh3w-4vvf-mjgr")
    assert django.severity is Severity.CRITICAL
    assert django.confidence is Confidence.HIGH
    assert manifest(django) == "requirements.txt"
    assert django.prop("advisory_id") == "GHSA-jh3w-4vvf-mjgr"
    assert "4.1.9" in django.remediation


def test_cpe_matches_are_less_certain() -> None:
    openssl = _by_rule()["grype/CVE-2023-2650"]
    assert openssl.confidence is Confidence.MEDIUM
    assert openssl.prop("match_type") == "cpe-match"
    assert openssl.severity is Severity.MEDIUM


def test_severity_and_cvss_fall_back_to_the_related_record() -> None:
    libcrypto = _by_rule()["grype/CVE-2023-5363"]
    assert libcrypto.prop("cvss_score") == "7.5"
    assert manifest(libcrypto) == "lib/apk/db/installed"


def test_ignored_matches_are_suppressed_with_the_ignore_rule() -> None:
    requests = _by_rule()["grype/GHSA-j8r2-6x86-q33q"]
    assert requests.prop("suppressed") == (
        "Grype ignore rule: GHSA-j8r2-6x86-q33q (no proxies are configured in production)"
    )


def test_a_match_without_an_artifact_is_skipped() -> None:
    (skip,) = imported("grype/report.json").skipped
    assert skip.detail == "matches[3]: the match has no artifact name"
