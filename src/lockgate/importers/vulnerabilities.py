"""Vulnerability findings from other scanners, identified the way lockgate's SCA control does.

The fingerprint is ``vulnerability_fingerprint(canonical id, purl without version, manifest
path)``. The canonical id is chosen among every id the report gives for the vulnerability
(its id, aliases, related CVEs) with lockgate's own preference
(:func:`lockgate.advisories.aliases.preferred_id`: the ecosystem's home database, then GHSA,
then others, CVE last), so a vulnerability imported from Grype, osv-scanner or Snyk gets the
fingerprint lockgate's own scan gives it when the reports know the same aliases. As in the
SCA control, a component without a manifest uses its purl in place of the manifest path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lockgate.importers.builder import ReportBuilder, cwe_ids, unique
from lockgate.model import Component, Confidence, Finding, FindingKind, Severity
from lockgate.model.fingerprint import vulnerability_fingerprint


def canonical_id(identifiers: Iterable[str], ecosystem: str | None) -> str:
    """The id lockgate reports and fingerprints a vulnerability under."""
    from lockgate.advisories.aliases import preferred_id

    ids = [i.strip() for i in identifiers if i and i.strip()]
    return preferred_id(ids, ecosystem)


def remediation_for(component: Component, fixed: list[str]) -> str:
    """What to do, from the fixed versions the tool names."""
    version = component.version or ""
    if len(fixed) == 1:
        return f"Upgrade {component.name} from {version} to {fixed[0]} or later.".replace(
            "from  to", "to"
        )
    if fixed:
        return (
            f"Upgrade {component.name} to a fixed version ({', '.join(fixed)}); pick the "
            "newest that fits."
        )
    return (
        f"No fixed version of {component.name} is known to the scanner. Remove or replace the "
        "dependency, or document why the vulnerable code is unreachable (VEX)."
    )


def vulnerability_finding(
    builder: ReportBuilder,
    *,
    rule_id: str,
    identifiers: Iterable[str],
    component: Component,
    summary: str,
    severity: Severity,
    description: str = "",
    fixed: Iterable[str] = (),
    cwe: Iterable[object] = (),
    references: Iterable[str] = (),
    confidence: Confidence = Confidence.HIGH,
    properties: Mapping[str, object | None] | None = None,
    remediation: str | None = None,
    fingerprint: str | None = None,
) -> Finding:
    """A vulnerability finding about ``component``; ``identifiers`` lists the tool's own id
    first, then aliases. ``fingerprint`` overrides the computed one (a report of lockgate's
    own that carries it)."""
    ids = list(unique(identifiers))
    advisory = canonical_id(ids, component.ecosystem)
    manifest = component.manifest
    fixed_list = list(unique(fixed))
    props: dict[str, object | None] = {
        "advisory_id": advisory,
        "installed_version": component.version,
        "fixed_versions": ", ".join(fixed_list) or None,
        "ecosystem": component.ecosystem,
    }
    props.update(properties or {})
    version = component.version or ""
    title = f"{component.name} {version}: {summary or ids[0]}".replace("  ", " ")
    return builder.finding(
        kind=FindingKind.VULNERABILITY,
        rule_id=rule_id,
        title=title,
        severity=severity,
        confidence=confidence,
        fingerprint=fingerprint
        or vulnerability_fingerprint(
            advisory_id=advisory,
            purl_without_version=component.purl_without_version,
            manifest_path=manifest.path if manifest is not None else component.purl,
        ),
        location=manifest,
        component=component,
        description=description,
        remediation=remediation
        if remediation is not None
        else remediation_for(component, fixed_list),
        cwe=cwe_ids(cwe),
        identifiers=tuple(sorted(set(ids))),
        references=tuple(references),
        properties=props,
    )
