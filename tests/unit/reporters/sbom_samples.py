"""Reports for the SBOM formats: every kind of component, license, hash and graph edge, with
vulnerabilities some of which the gate suppressed (by an exception, or by a VEX statement).

Shared by the CycloneDX and SPDX reporter tests and the SBOM reader's round-trip tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from lockgate.model import (
    Action,
    Component,
    ControlResult,
    ControlStatus,
    Decision,
    Finding,
    FindingDecision,
    FindingKind,
    FindingStatus,
    Location,
    Reason,
    ScanReport,
    Severity,
    Stage,
    StageDecision,
    TargetRef,
    Verdict,
    pairs,
)

RUN_ID = "01J0SBOM0000000000000000AA"
STARTED_AT = dt.datetime(2024, 6, 1, 8, 30, 0, tzinfo=dt.UTC)
FINISHED_AT = dt.datetime(2024, 6, 1, 8, 31, 0, tzinfo=dt.UTC)
COMMIT = "0123456789abcdef0123456789abcdef01234567"

SHA256 = "a" * 64
SHA512 = "b" * 128
SHA1 = "c" * 40
MD5 = "d" * 32

REQUESTS = "pkg:pypi/requests@2.19.0"
URLLIB3 = "pkg:pypi/urllib3@1.24.1"
CERTIFI = "pkg:pypi/certifi@2024.2.2"
ANGULAR = "pkg:npm/%40angular/core@16.0.0"
LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
LEFTPAD = "pkg:npm/left-pad@1.3.0"
GIN = "pkg:golang/github.com/gin-gonic/gin@1.9.0"
OPENSSL = "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u4?arch=amd64"
PLAIN = "pkg:pypi/six@1.16.0"

FP_LOG4J = "f" * 31 + "1"
FP_REQUESTS = "f" * 31 + "2"
FP_URLLIB3 = "f" * 31 + "3"
FP_URLLIB3_API = "f" * 31 + "4"
FP_LICENSE = "f" * 31 + "5"
FP_ORPHAN = "f" * 31 + "6"
EXCEPTION_ID = "EX-0042"


def _component(
    purl: str, name: str, version: str, ecosystem: str | None, **kw: object
) -> Component:
    return Component(purl=purl, name=name, version=version, ecosystem=ecosystem, **kw)  # type: ignore[arg-type]


def components() -> tuple[Component, ...]:
    """Every SBOM feature: scoped npm, Maven group, Go path, an OS package, three license
    kinds, four hash algorithms plus ones to drop, a graph, one purl in two manifests."""
    req = Location(path="requirements.txt", start_line=3)
    return (
        _component(
            REQUESTS,
            "requests",
            "2.19.0",
            "PyPI",
            licenses="Apache-2.0",
            hashes=(("sha256", SHA256),),
            direct=True,
            dependencies=(CERTIFI, URLLIB3, "pkg:pypi/not-in-the-sbom@1.0"),
            manifest=req,
        ),
        _component(
            URLLIB3,
            "urllib3",
            "1.24.1",
            "PyPI",
            licenses="MIT",
            direct=False,
            manifest=Location(path="requirements.txt", start_line=9),
        ),
        _component(
            CERTIFI,
            "certifi",
            "2024.2.2",
            "PyPI",
            licenses="MPL-2.0",
            direct=False,
            manifest=Location(path="requirements.txt", start_line=5),
        ),
        _component(
            ANGULAR,
            "@angular/core",
            "16.0.0",
            "npm",
            licenses="MIT",
            hashes=(("sha512", SHA512),),
            direct=True,
            manifest=Location(path="web/package-lock.json", start_line=20),
        ),
        _component(
            LOG4J,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "Maven",
            licenses="Apache-2.0 OR MIT",
            hashes=(("sha1", SHA1),),
            direct=True,
            manifest=Location(path="pom.xml", start_line=30),
        ),
        _component(
            LEFTPAD,
            "left-pad",
            "1.3.0",
            "npm",
            licenses="BSD style",
            # md5 is kept; sha3-256 has no mapping and the bad sha256 is not hex: dropped
            hashes=(("md5", MD5), ("sha256", "not-hex"), ("sha3-256", "e" * 64)),
            direct=False,
            manifest=Location(path="web/package-lock.json", start_line=40),
        ),
        _component(
            GIN,
            "github.com/gin-gonic/gin",
            "1.9.0",
            "Go",
            licenses="MIT OR Foo bar",
            direct=None,
            manifest=Location(path="go.mod", start_line=5),
        ),
        _component(
            OPENSSL,
            "openssl",
            "1.1.1n-0+deb11u4",
            None,
            licenses="GPL-2.0+",
            direct=None,
        ),
    )


def _urllib3_in_api() -> Component:
    """urllib3 again, found in a second manifest where it is direct."""
    return _component(
        URLLIB3,
        "urllib3",
        "1.24.1",
        "PyPI",
        licenses="MIT",
        direct=True,
        manifest=Location(path="services/api/requirements.txt", start_line=1),
    )


def _vuln(
    fingerprint: str,
    component: Component,
    advisory: str,
    severity: Severity,
    identifiers: tuple[str, ...],
    **kw: object,
) -> Finding:
    return Finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=f"osv/{advisory}",
        title=f"{component.name}: vulnerability {advisory}",
        severity=severity,
        fingerprint=fingerprint,
        control_id="sca",
        control_version="1.0.0",
        stage=Stage.BUILD,
        component=component,
        identifiers=identifiers,
        **kw,  # type: ignore[arg-type]
    )


def findings(comps: tuple[Component, ...]) -> tuple[Finding, ...]:
    by_purl = {c.purl: c for c in comps}
    orphan = _component("pkg:pypi/pyyaml@5.3", "pyyaml", "5.3", "PyPI", direct=True)
    return (
        _vuln(
            FP_LOG4J,
            by_purl[LOG4J],
            "GHSA-jfh8-c2jp-5v3q",
            Severity.CRITICAL,
            ("CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"),
            description="JNDI lookups in log messages allow remote code execution.",
            remediation="Upgrade log4j-core to 2.15.0 or later.",
            cwe=("CWE-502", "20", "CWE-X"),
            references=("https://logging.apache.org/log4j/2.x/security.html", "not a url"),
            properties=pairs(
                cvss_score="10.0",
                cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            ),
        ),
        _vuln(
            FP_REQUESTS,
            by_purl[REQUESTS],
            "GHSA-j8r2-6x86-q33q",
            Severity.MEDIUM,
            ("CVE-2023-32681",),
        ),
        _vuln(
            FP_URLLIB3,
            by_purl[URLLIB3],
            "PYSEC-2019-133",
            Severity.HIGH,
            ("CVE-2019-11324",),
            properties=pairs(
                suppressed="VEX vex.json#/statements/0: not_affected",
                vex_status="not_affected",
                vex_justification="vulnerable_code_not_in_execute_path",
            ),
        ),
        _vuln(
            FP_ORPHAN,
            orphan,
            "PYSEC-2020-96",
            Severity.HIGH,
            ("CVE-2020-1747",),
            properties=pairs(cvss_score="not a number", cvss_vector="AV:N/AC:L/Au:N/C:P/I:P/A:P"),
        ),
        Finding(
            kind=FindingKind.LICENSE,
            rule_id="license/not-allowed",
            title="License BSD style is not on the allow list",
            severity=Severity.LOW,
            fingerprint=FP_LICENSE,
            control_id="licenses",
            control_version="1.0.0",
            stage=Stage.BUILD,
            component=by_purl[LEFTPAD],
        ),
    )


def rich_report() -> ScanReport:
    """Two controls with components (one purl in two manifests) and five findings."""
    comps = components()
    api = _urllib3_in_api()
    api_finding = dataclasses.replace(findings(comps)[2], fingerprint=FP_URLLIB3_API, component=api)
    sca = ControlResult(
        control_id="sca",
        control_version="1.0.0",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        components=comps,
        findings=(*findings(comps)[:4], api_finding),
    )
    licenses = ControlResult(
        control_id="licenses",
        control_version="1.0.0",
        stage=Stage.BUILD,
        status=ControlStatus.OK,
        components=(api,),
        findings=findings(comps)[4:],
    )
    return ScanReport(
        run_id=RUN_ID,
        tool_version="0.1.0",
        target=TargetRef(
            kind="git",
            name="acme/payments",
            commit=COMMIT,
            branch="main",
            repository="https://github.com/acme/payments",
        ),
        started_at=STARTED_AT,
        finished_at=FINISHED_AT,
        stages=(Stage.BUILD,),
        results=(sca, licenses),
    )


def rich_decision() -> Decision:
    """requests waived by an exception, urllib3 suppressed by VEX in both manifests."""
    waived = Reason(
        verdict=Verdict.PASS,
        code="finding-suppressed",
        stage=Stage.BUILD,
        message="osv/GHSA-j8r2-6x86-q33q at pkg:pypi/requests@2.19.0 is waived by exception "
        f"{EXCEPTION_ID} (owner payments-team): no proxy is configured",
        fingerprint=FP_REQUESTS,
        rule_id="osv/GHSA-j8r2-6x86-q33q",
        exception_id=EXCEPTION_ID,
    )
    blocked = Reason(
        verdict=Verdict.FAIL,
        code="finding-blocked",
        stage=Stage.BUILD,
        message="new CRITICAL osv/GHSA-jfh8-c2jp-5v3q blocks on every branch",
        fingerprint=FP_LOG4J,
        rule_id="osv/GHSA-jfh8-c2jp-5v3q",
    )
    return Decision(
        verdict=Verdict.FAIL,
        branch="main",
        protected=True,
        stages=(StageDecision(stage=Stage.BUILD, verdict=Verdict.FAIL, reasons=(blocked, waived)),),
        findings=(
            FindingDecision(fingerprint=FP_LOG4J, status=FindingStatus.NEW, action=Action.BLOCK),
            FindingDecision(
                fingerprint=FP_REQUESTS,
                status=FindingStatus.SUPPRESSED,
                action=Action.NONE,
                exception_id=EXCEPTION_ID,
            ),
            FindingDecision(
                fingerprint=FP_URLLIB3, status=FindingStatus.SUPPRESSED, action=Action.NONE
            ),
            FindingDecision(
                fingerprint=FP_URLLIB3_API, status=FindingStatus.SUPPRESSED, action=Action.NONE
            ),
            FindingDecision(fingerprint=FP_ORPHAN, status=FindingStatus.NEW, action=Action.BLOCK),
            FindingDecision(fingerprint=FP_LICENSE, status=FindingStatus.NEW, action=Action.TRACK),
        ),
    )


def empty_report() -> ScanReport:
    """A directory with nothing in it: no controls produced anything."""
    return ScanReport(
        run_id="01J0SBOM0000000000000000ZZ",
        tool_version="0.1.0",
        target=TargetRef(kind="directory", name="empty project"),
        started_at=STARTED_AT,
        finished_at=FINISHED_AT,
        stages=(Stage.BUILD,),
    )
