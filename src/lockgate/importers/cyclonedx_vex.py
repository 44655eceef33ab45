"""CycloneDX vulnerabilities and VEX (JSON, spec 1.4 to 1.6), including lockgate's own.

A BOM's ``vulnerabilities[]`` carry an ``id``, ``references`` (aliases), ``ratings``
(severity words and CVSS scores), ``cwes``, ``description``/``detail``/``recommendation``,
``analysis`` (the VEX statement: ``state``, ``justification``, ``detail``) and ``affects[]``
(``ref``: a component's ``bom-ref``, often its purl).

Mapping: one finding per (vulnerability, affected component, manifest), kind
``vulnerability`` at ``build``, rule ``cyclonedx/<id>``; severity the worst of the ratings
(a word, else a score on the CVSS scale); an ``analysis.state`` of ``not_affected`` or
``false_positive`` suppresses the finding as VEX ``not_affected``, ``resolved`` as VEX
``fixed`` (the way lockgate's SCA control reads VEX), ``exploitable`` and ``in_triage`` keep
it open; ``affects`` versions that are all ``unaffected`` suppress it too. Components with
``lockgate:manifest`` properties (lockgate's own CycloneDX) keep their manifests, so
importing lockgate's CycloneDX gives back the fingerprints of the findings it came from.
A BOM without vulnerabilities imports its components and no finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    obj,
    one_line,
    require_list,
    require_object,
    text_of,
    unique,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.packages import component, valid_purl
from lockgate.importers.severity import from_score, from_word, parse_score
from lockgate.importers.vulnerabilities import canonical_id, vulnerability_finding
from lockgate.model import Component, Severity
from lockgate.model.fingerprint import vulnerability_fingerprint

MANIFEST_PROPERTY = "lockgate:manifest"
FINGERPRINT_PROPERTY = "lockgate:fingerprint"
#: CycloneDX ``analysis.state`` -> VEX status; the first two suppress.
STATES = {
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "exploitable": "affected",
    "in_triage": "under_investigation",
}
SUPPRESSING = frozenset({"not_affected", "fixed"})


def _walk(components: object) -> Iterator[dict[str, Any]]:
    for comp in components if isinstance(components, list) else []:
        if isinstance(comp, dict):
            yield comp
            yield from _walk(comp.get("components"))


class CycloneDxImporter:
    """CycloneDX JSON with vulnerabilities (VEX)."""

    name = "cyclonedx"
    title = "CycloneDX vulnerabilities / VEX"

    def sniff(self, document: Document) -> bool:
        data = document.data
        return (
            document.syntax == "json"
            and isinstance(data, dict)
            and data.get("bomFormat") == "CycloneDX"
        )

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "a CycloneDX BOM")
        builder = ReportBuilder(self.name, document, context)
        by_ref: dict[str, dict[str, Any]] = {}
        for comp in _walk(data.get("components")):
            ref = text_of(comp.get("bom-ref")) or valid_purl(comp.get("purl"))
            if ref:
                by_ref.setdefault(ref, comp)
            with builder.guard(f"component {ref or comp.get('name')!r}"):
                for item in self._components(builder, comp):
                    builder.add_component(item)
        vulns = require_list(document, data.get("vulnerabilities"), "vulnerabilities")
        for index, vuln in enumerate(vulns):
            with builder.guard(f"vulnerabilities[{index}]"):
                self._vulnerability(builder, vuln, by_ref, f"vulnerabilities[{index}]")
        tool, version = _tool(data.get("metadata"))
        return builder.build(tool_version=version, source_tool=tool)

    def _components(self, builder: ReportBuilder, comp: dict[str, Any]) -> list[Component]:
        """The component once per manifest it was found in (once when none is known)."""
        purl = valid_purl(comp.get("purl"))
        name = text_of(comp.get("name"))
        if purl is None or name is None:
            return []
        group = text_of(comp.get("group"))
        display = f"{group}/{name}" if group and purl.startswith("pkg:npm/") else name
        if group and purl.startswith("pkg:maven/"):
            display = f"{group}:{name}"
        manifests: list[str | None] = []
        for prop in as_list(comp.get("properties")):
            if isinstance(prop, dict) and prop.get("name") == MANIFEST_PROPERTY:
                path = builder.path(prop.get("value"), f"component {purl}")
                if path:
                    manifests.append(path)
        return [
            component(
                purl=purl,
                name=display,
                version=text_of(comp.get("version")),
                manifest=manifest,
                licenses=_licenses(comp.get("licenses")),
            )
            for manifest in (manifests or [None])
        ]

    def _vulnerability(
        self,
        builder: ReportBuilder,
        vuln: object,
        by_ref: dict[str, dict[str, Any]],
        where: str,
    ) -> None:
        if not isinstance(vuln, dict) or not text_of(vuln.get("id")):
            builder.skip(where, "the vulnerability has no id")
            return
        vid = str(vuln["id"]).strip()
        aliases = [
            str(r["id"])
            for r in as_list(vuln.get("references"))
            if isinstance(r, dict) and text_of(r.get("id"))
        ]
        severity, score, vector = _rating(vuln.get("ratings"))
        analysis = obj(vuln.get("analysis"))
        state = text_of(analysis.get("state"))
        status = STATES.get(state or "")
        justification = text_of(analysis.get("justification"))
        detail = one_line(analysis.get("detail"), 300)
        references = [a.get("url") for a in as_list(vuln.get("advisories")) if isinstance(a, dict)]
        source = vuln.get("source")
        if isinstance(source, dict):
            references.append(source.get("url"))
        affects = [a for a in as_list(vuln.get("affects")) if isinstance(a, dict)]
        if not affects:
            builder.skip(where, "the vulnerability affects no component")
            return
        for a_index, affected in enumerate(affects):
            ref = text_of(affected.get("ref"))
            comp_data = by_ref.get(ref or "")
            if comp_data is None and ref and valid_purl(ref):
                comp_data = {"purl": ref, "name": _purl_name(ref), "version": _purl_version(ref)}
            if comp_data is None:
                builder.skip(f"{where}.affects[{a_index}]", f"unknown component ref {ref!r}")
                continue
            comps = self._components(builder, comp_data)
            if not comps:
                builder.skip(f"{where}.affects[{a_index}]", "the component has no purl")
                continue
            properties: dict[str, object | None] = {
                "cvss_score": score,
                "cvss_vector": vector,
                "vex_status": status,
                "vex_justification": justification if status else None,
            }
            if status in SUPPRESSING:
                properties["suppressed"] = (
                    f"CycloneDX VEX: {state}"
                    + (f" ({justification})" if justification else "")
                    + (f": {detail}" if detail else "")
                )
            elif _unaffected(affected):
                properties["suppressed"] = "CycloneDX affects: every listed version unaffected"
            for comp in comps:
                builder.add(
                    vulnerability_finding(
                        builder,
                        fingerprint=_own_fingerprint(vuln, comps, comp),
                        rule_id=f"cyclonedx/{vid}",
                        identifiers=[vid, *aliases],
                        component=comp,
                        summary=one_line(vuln.get("description")) or vid,
                        severity=severity,
                        description=str(vuln.get("detail") or vuln.get("description") or ""),
                        cwe=as_list(vuln.get("cwes")),
                        references=[r for r in references if isinstance(r, str)],
                        remediation=text_of(vuln.get("recommendation")),
                        properties=properties,
                    )
                )


def _own_fingerprint(vuln: dict[str, Any], comps: list[Component], comp: Component) -> str | None:
    """The fingerprint lockgate's own CycloneDX recorded (``lockgate:fingerprint``) for this
    component's finding: used when it is unambiguous, so the import gives back the finding's
    identity even if it was computed from aliases the document does not list."""
    recorded = [
        str(p["value"])
        for p in as_list(vuln.get("properties"))
        if isinstance(p, dict) and p.get("name") == FINGERPRINT_PROPERTY and text_of(p.get("value"))
    ]
    if len(recorded) == 1 and len(comps) == 1:
        return recorded[0]
    if len(recorded) > 1:
        manifest = comp.manifest.path if comp.manifest is not None else comp.purl
        for fingerprint in recorded:
            if fingerprint == _computed(vuln, comp, manifest):
                return fingerprint
    return None


def _computed(vuln: dict[str, Any], comp: Component, manifest: str) -> str:
    ids = [str(vuln.get("id"))] + [
        str(r["id"]) for r in as_list(vuln.get("references")) if isinstance(r, dict) and r.get("id")
    ]
    return vulnerability_fingerprint(
        advisory_id=canonical_id(ids, comp.ecosystem),
        purl_without_version=comp.purl_without_version,
        manifest_path=manifest,
    )


def _rating(ratings: object) -> tuple[Severity, str | None, str | None]:
    """The worst rating: ``(severity, score, vector)``."""
    best: tuple[Severity, str | None, str | None] = (Severity.UNKNOWN, None, None)
    for rating in ratings if isinstance(ratings, list) else []:
        if not isinstance(rating, dict):
            continue
        score = parse_score(rating.get("score"))
        severity = from_word(rating.get("severity"))
        if severity is Severity.UNKNOWN and score is not None:
            severity = from_score(score)
        if severity > best[0] or (severity == best[0] and best[1] is None and score is not None):
            best = (
                severity,
                f"{score:.1f}" if score is not None else None,
                text_of(rating.get("vector")),
            )
    return best


def _unaffected(affected: dict[str, Any]) -> bool:
    versions = [v for v in as_list(affected.get("versions")) if isinstance(v, dict)]
    return bool(versions) and all(v.get("status") == "unaffected" for v in versions)


def _licenses(licenses: object) -> str | None:
    found: list[str] = []
    for entry in licenses if isinstance(licenses, list) else []:
        if not isinstance(entry, dict):
            continue
        if text_of(entry.get("expression")):
            found.append(str(entry["expression"]))
        lic = entry.get("license")
        if isinstance(lic, dict):
            found.append(text_of(lic.get("id")) or text_of(lic.get("name")) or "")
    ids = unique(found)
    if not ids:
        return None
    return ids[0] if len(ids) == 1 else " AND ".join(f"({i})" if " " in i else i for i in ids)


def _purl_name(purl: str) -> str:
    from urllib.parse import unquote

    base = purl.split("?", 1)[0].split("#", 1)[0]
    head, sep, tail = base.rpartition("@")
    if sep and "/" not in tail:
        base = head
    return unquote(base.rsplit("/", 1)[-1])


def _purl_version(purl: str) -> str | None:
    from urllib.parse import unquote

    base = purl.split("?", 1)[0].split("#", 1)[0]
    _, sep, tail = base.rpartition("@")
    return unquote(tail) if sep and "/" not in tail else None


def _tool(metadata: object) -> tuple[str | None, str | None]:
    """The first tool named in ``metadata.tools`` (1.4 array or 1.5+ object)."""
    if not isinstance(metadata, dict):
        return None, None
    tools = metadata.get("tools")
    entries: list[Any] = []
    if isinstance(tools, list):
        entries = tools
    elif isinstance(tools, dict):
        entries = list(as_list(tools.get("components"))) + list(as_list(tools.get("services")))
    for entry in entries:
        if isinstance(entry, dict) and text_of(entry.get("name")):
            return str(entry["name"]), text_of(entry.get("version"))
    return None, None
