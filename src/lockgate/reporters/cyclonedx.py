"""CycloneDX 1.6 JSON: the component inventory, its dependency graph and its vulnerabilities.

Built with ``cyclonedx-python-lib`` (imported inside :meth:`CycloneDxReporter.render`: it is
slow to import). The target is the metadata component; every component appears once under
its purl (which is also its ``bom-ref``) with the manifests it was found in as
``lockgate:manifest`` properties. Vulnerability findings become ``vulnerabilities`` that point
at the affected component; those the gate suppressed carry an ``analysis`` saying why
(``not_affected`` with the exception's reason or the VEX justification), so the document
doubles as a VEX for downstream consumers. The serial number derives from the run id and the
timestamp is the report's start, so the same report always renders to the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from lockgate.model import (
    Decision,
    Finding,
    FindingKind,
    FindingStatus,
    ScanReport,
    Severity,
)
from lockgate.reporters._sbom import (
    SbomComponent,
    classify_license,
    document_uuid,
    sbom_components,
    top_level,
    valid_hashes,
)
from lockgate.reporters.interface import RenderOptions

if TYPE_CHECKING:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.vulnerability import Vulnerability

ROOT_REF = "lockgate:target"
"""bom-ref of the metadata component (the scanned target); purls never collide with it."""

MANIFEST_PROPERTY = "lockgate:manifest"
DIRECT_PROPERTY = "lockgate:direct"
FINGERPRINT_PROPERTY = "lockgate:fingerprint"

VEX_STATUS_PROPERTY = "vex_status"
VEX_JUSTIFICATION_PROPERTY = "vex_justification"
"""Finding properties a control sets when a VEX statement suppressed the finding."""

_GROUPED_TYPES = frozenset({"maven", "npm"})
"""purl types whose namespace is a CycloneDX ``group`` (Maven groupId, npm scope)."""

_HASH_NAMES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
}

_SEVERITY_NAMES = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.INFO: "info",
    Severity.UNKNOWN: "unknown",
}

_JUSTIFICATIONS = {
    # CycloneDX's own vocabulary passes through; OpenVEX's maps to its nearest equivalent.
    "code_not_present": "code_not_present",
    "code_not_reachable": "code_not_reachable",
    "requires_configuration": "requires_configuration",
    "requires_dependency": "requires_dependency",
    "requires_environment": "requires_environment",
    "protected_by_compiler": "protected_by_compiler",
    "protected_at_runtime": "protected_at_runtime",
    "protected_at_perimeter": "protected_at_perimeter",
    "protected_by_mitigating_control": "protected_by_mitigating_control",
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "protected_by_mitigating_control",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}

_NOT_LICENSES = frozenset({"", "NOASSERTION", "NONE", "UNKNOWN"})


@dataclass(frozen=True, slots=True)
class _Judged:
    """A vulnerability finding with the gate's view of it."""

    finding: Finding
    suppressed: bool
    reason: str


def advisory_id(finding: Finding) -> str:
    """The advisory id of a vulnerability finding: ``osv/GHSA-x`` -> ``GHSA-x``."""
    return finding.rule_id.split("/", 1)[1]


def _advisory_source(ident: str) -> tuple[str, str]:
    """(source name, page URL) for an advisory id."""
    upper = ident.upper()
    if upper.startswith("CVE-"):
        return "NVD", f"https://nvd.nist.gov/vuln/detail/{ident}"
    if upper.startswith("GHSA-"):
        return "GitHub", f"https://github.com/advisories/{ident}"
    return "OSV", f"https://osv.dev/vulnerability/{ident}"


def _cwe_number(text: str) -> int | None:
    digits = text.strip().upper().removeprefix("CWE-")
    return int(digits) if digits.isdigit() else None


def _score_method(vector: str | None) -> str | None:
    """The CycloneDX rating method for a CVSS vector."""
    if not vector:
        return None
    if vector.startswith("CVSS:4."):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1/"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    if vector.startswith("AV:"):
        return "CVSSv2"
    return "other"


def _licenses(raw: str | None) -> list[Any]:
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.spdx import fixup_id

    if raw is None or raw.strip().upper() in _NOT_LICENSES:
        return []
    info = classify_license(raw)
    if info.kind == "id":
        known = fixup_id(info.normalized)
        if known is not None:
            return [DisjunctiveLicense(id=known)]
        return [LicenseExpression(info.normalized)]
    if info.kind == "expression":
        return [LicenseExpression(info.normalized)]
    return [DisjunctiveLicense(name=info.normalized)]


def _component(comp: SbomComponent) -> CdxComponent:
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.component import Component as CdxComponent
    from packageurl import PackageURL

    purl = PackageURL.from_string(comp.purl)
    group = purl.namespace if purl.type in _GROUPED_TYPES and purl.namespace else None
    properties = [Property(name=MANIFEST_PROPERTY, value=path) for path in comp.manifests]
    if comp.direct is not None:
        properties.append(Property(name=DIRECT_PROPERTY, value=str(comp.direct).lower()))
    return CdxComponent(
        bom_ref=comp.purl,
        name=purl.name if group else comp.name,
        group=group,
        version=comp.version,
        purl=purl,
        licenses=_licenses(comp.licenses),
        hashes=[
            HashType(alg=HashAlgorithm(_HASH_NAMES[alg]), content=value)
            for alg, value in valid_hashes(comp.hashes)
        ],
        properties=properties,
    )


def _root(report: ScanReport) -> CdxComponent:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType

    target = report.target
    kind = ComponentType.CONTAINER if target.kind in ("image", "container") else None
    properties = [Property(name="lockgate:target-kind", value=target.kind)]
    if target.branch:
        properties.append(Property(name="lockgate:branch", value=target.branch))
    if target.digest:
        properties.append(Property(name="lockgate:digest", value=target.digest))
    return CdxComponent(
        bom_ref=ROOT_REF,
        type=kind or ComponentType.APPLICATION,
        name=target.name,
        version=target.commit,
        properties=properties,
    )


def _judged(report: ScanReport, decision: Decision | None) -> list[_Judged]:
    """Vulnerability findings about a component, each with whether the gate suppressed it."""
    by_fp = {d.fingerprint: d for d in decision.findings} if decision is not None else {}
    reasons: dict[str, str] = {}
    if decision is not None:
        # the reason that explains a suppression names the exception or says "suppress"
        ranked = sorted(
            decision.all_reasons,
            key=lambda r: (not (r.exception_id or "suppress" in r.code), r.sort_key()),
        )
        for ranked_reason in ranked:
            if ranked_reason.fingerprint:
                reasons.setdefault(ranked_reason.fingerprint, ranked_reason.message)
    out = []
    for finding in sorted(report.findings):
        if finding.kind is not FindingKind.VULNERABILITY or finding.component is None:
            continue
        fd = by_fp.get(finding.fingerprint)
        suppressed = fd is not None and fd.status is FindingStatus.SUPPRESSED
        reason = reasons.get(finding.fingerprint) or finding.prop("suppressed") or ""
        if suppressed and not reason and fd is not None and fd.exception_id:
            reason = f"waived by exception {fd.exception_id}"
        out.append(_Judged(finding, suppressed, reason))
    return out


def _analysis(group: list[_Judged]) -> Any:
    """``not_affected`` (or ``resolved``) when the gate suppressed every finding of a group."""
    from cyclonedx.model.impact_analysis import (
        ImpactAnalysisJustification,
        ImpactAnalysisState,
    )
    from cyclonedx.model.vulnerability import VulnerabilityAnalysis

    if not group or not all(j.suppressed for j in group):
        return None
    first = group[0].finding
    status = (first.prop(VEX_STATUS_PROPERTY) or "").lower()
    state = ImpactAnalysisState.RESOLVED if status == "fixed" else ImpactAnalysisState.NOT_AFFECTED
    raw = (first.prop(VEX_JUSTIFICATION_PROPERTY) or "").strip().lower()
    mapped = _JUSTIFICATIONS.get(raw)
    details = sorted({j.reason for j in group if j.reason})
    return VulnerabilityAnalysis(
        state=state,
        justification=ImpactAnalysisJustification(mapped) if mapped else None,
        detail="; ".join(details) or None,
    )


def _ratings(finding: Finding) -> list[Any]:
    from cyclonedx.model.vulnerability import (
        VulnerabilityRating,
        VulnerabilityScoreSource,
        VulnerabilitySeverity,
    )

    vector = finding.prop("cvss_vector")
    score: Decimal | None = None
    raw_score = finding.prop("cvss_score")
    if raw_score:
        try:
            score = Decimal(raw_score)
        except InvalidOperation:
            score = None
        if score is not None and not score.is_finite():
            score = None
    method = _score_method(vector)
    return [
        VulnerabilityRating(
            severity=VulnerabilitySeverity(_SEVERITY_NAMES[finding.severity]),
            score=score,
            method=VulnerabilityScoreSource(method) if method else None,
            vector=vector,
        )
    ]


def _vulnerability(ident: str, purl: str, group: list[_Judged]) -> Vulnerability:
    from cyclonedx.model import Property, XsUri
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityAdvisory,
        VulnerabilityReference,
        VulnerabilitySource,
    )

    first = group[0].finding
    namespace = first.rule_id.split("/", 1)[0]
    if namespace == "osv":
        source = VulnerabilitySource(
            name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{ident}")
        )
    else:
        source = VulnerabilitySource(name=namespace)
    aliases = sorted({a for j in group for a in j.finding.identifiers if a != ident})
    references = []
    for alias in aliases:
        name, url = _advisory_source(alias)
        references.append(
            VulnerabilityReference(id=alias, source=VulnerabilitySource(name=name, url=XsUri(url)))
        )
    web = sorted(
        {r for j in group for r in j.finding.references if r.startswith(("https://", "http://"))}
    )
    cwes = sorted({n for j in group for c in j.finding.cwe if (n := _cwe_number(c)) is not None})
    return Vulnerability(
        bom_ref=f"{ident}|{purl}",
        id=ident,
        source=source,
        references=references,
        ratings=_ratings(first),
        cwes=cwes,
        description=first.title,
        detail=first.description or None,
        recommendation=first.remediation or None,
        advisories=[VulnerabilityAdvisory(url=XsUri(url)) for url in web],
        analysis=_analysis(group),
        affects=[BomTarget(ref=purl)],
        properties=[
            Property(name=FINGERPRINT_PROPERTY, value=fp)
            for fp in sorted({j.finding.fingerprint for j in group})
        ],
    )


def _vulnerabilities(report: ScanReport, decision: Decision | None) -> list[Vulnerability]:
    """One vulnerability per (advisory, component); the same advisory in two manifests of
    one component is one entry listing both fingerprints."""
    groups: dict[tuple[str, str], list[_Judged]] = {}
    for judged in _judged(report, decision):
        component = judged.finding.component
        if component is not None:  # always set: _judged keeps findings about a component
            key = (advisory_id(judged.finding), component.purl)
            groups.setdefault(key, []).append(judged)
    return [_vulnerability(ident, purl, groups[(ident, purl)]) for ident, purl in sorted(groups)]


def _graph(components: tuple[SbomComponent, ...]) -> list[dict[str, Any]]:
    """The flat dependency graph: the root on the top-level components, each component on
    its dependencies (already restricted to purls in the SBOM)."""
    graph: list[dict[str, Any]] = [{"ref": ROOT_REF, "dependsOn": list(top_level(components))}]
    graph += [{"ref": c.purl, "dependsOn": list(c.dependencies)} for c in components]
    for entry in graph:
        if not entry["dependsOn"]:
            del entry["dependsOn"]
    return graph


def _skeleton(report: ScanReport, decision: Decision | None, options: RenderOptions) -> Bom:
    """The BOM without its components: serial number, metadata and vulnerabilities."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.tool import ToolRepository

    tool = CdxComponent(
        type=ComponentType.APPLICATION,
        name="lockgate",
        version=options.tool_version,
        external_references=[
            ExternalReference(
                type=ExternalReferenceType.WEBSITE, url=XsUri(options.information_uri)
            )
        ],
    )
    return Bom(
        serial_number=document_uuid(report),
        metadata=BomMetaData(
            timestamp=report.started_at,
            tools=ToolRepository(components=[tool]),
            component=_root(report),
        ),
        vulnerabilities=_vulnerabilities(report, decision),
    )


def build_cyclonedx(
    report: ScanReport, decision: Decision | None, options: RenderOptions
) -> dict[str, Any]:
    """The CycloneDX 1.6 document as plain data.

    Every element is a ``cyclonedx-python-lib`` model serialised by the library; the
    skeleton goes through its ``JsonV1Dot6`` outputter and the components and the graph are
    added afterwards. Handing the library thousands of components in one ``Bom`` costs
    seconds: it keeps them in sorted sets compared field by field, and its pre-output
    validation re-registers each one in the graph with a linear scan.
    """
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.schema.schema import SchemaVersion1Dot6

    components = sbom_components(report)
    document: dict[str, Any] = json.loads(
        JsonV1Dot6(_skeleton(report, decision, options)).output_as_string()
    )
    serialised = [
        json.loads(_component(c).as_json(view_=SchemaVersion1Dot6))  # type: ignore[attr-defined]
        for c in components
    ]
    if serialised:
        document["components"] = serialised
    document["dependencies"] = _graph(components)
    return document


class CycloneDxReporter:
    """CycloneDX 1.6 JSON SBOM with vulnerabilities, valid against the official schema."""

    name = "cyclonedx"
    default_filename = "sbom.cdx.json"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """Deterministic CycloneDX JSON text (sorted keys, trailing newline)."""
        document = build_cyclonedx(report, decision, options)
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
