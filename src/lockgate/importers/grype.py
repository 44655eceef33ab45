"""Grype JSON reports (``grype <target> -o json``).

``matches[]`` pair a ``vulnerability`` (``id``, ``severity``, ``cvss``, ``fix``, ``urls``) with
the ``artifact`` it affects (``name``, ``version``, ``type``, ``purl``, ``locations``) and the
``relatedVulnerabilities`` (usually the CVE behind a GHSA); ``ignoredMatches[]`` are matches an
ignore rule waived; ``descriptor`` names Grype and its version.

Mapping: kind ``vulnerability`` at ``build``, rule ``grype/<vulnerability.id>``, component
from the artifact's purl, manifest its first location; severity Critical/High/Medium/Low as
themselves, Negligible LOW, Unknown UNKNOWN; confidence HIGH for exact matches, MEDIUM for
CPE matches (Grype's fuzzy kind); ignored matches come in suppressed with the ignore rule.
"""

from __future__ import annotations

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
from lockgate.importers.packages import component, ecosystem_of, package_purl, valid_purl
from lockgate.importers.severity import from_word
from lockgate.importers.vulnerabilities import vulnerability_finding
from lockgate.model import Confidence


class GrypeImporter:
    """Grype JSON."""

    name = "grype"
    title = "Grype JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json" or not isinstance(data, dict):
            return False
        if not isinstance(data.get("matches"), list):
            return False
        descriptor = data.get("descriptor")
        if isinstance(descriptor, dict) and descriptor.get("name") == "grype":
            return True
        matches = data["matches"]
        return bool(matches) and isinstance(matches[0], dict) and "artifact" in matches[0]

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "a Grype report")
        builder = ReportBuilder(self.name, document, context)
        for index, match in enumerate(require_list(document, data.get("matches"), "matches")):
            with builder.guard(f"matches[{index}]"):
                self._match(builder, match, f"matches[{index}]", None)
        ignored = require_list(document, data.get("ignoredMatches"), "ignoredMatches")
        for index, match in enumerate(ignored):
            reason = _ignore_reason(match)
            with builder.guard(f"ignoredMatches[{index}]"):
                self._match(builder, match, f"ignoredMatches[{index}]", reason)
        descriptor = obj(data.get("descriptor"))
        return builder.build(
            tool_version=text_of(descriptor.get("version")), target=_target(data.get("source"))
        )

    def _match(
        self, builder: ReportBuilder, match: object, where: str, suppressed: str | None
    ) -> None:
        if not isinstance(match, dict):
            builder.skip(where, "the match is not an object")
            return
        vuln = match.get("vulnerability")
        artifact = match.get("artifact")
        if not isinstance(vuln, dict) or not text_of(vuln.get("id")):
            builder.skip(where, "the match has no vulnerability id")
            return
        if not isinstance(artifact, dict) or not text_of(artifact.get("name")):
            builder.skip(where, "the match has no artifact name")
            return
        vid = str(vuln["id"]).strip()
        name = str(artifact["name"]).strip()
        version = text_of(artifact.get("version"))
        kind = text_of(artifact.get("type"))
        purl = valid_purl(artifact.get("purl")) or package_purl(kind, name, version)
        manifest = None
        for loc in as_list(artifact.get("locations")):
            if isinstance(loc, dict) and text_of(loc.get("path")):
                manifest = builder.path(loc["path"], where)
                break
        comp = component(
            purl=purl,
            name=name,
            version=version,
            ecosystem=ecosystem_of(kind),
            manifest=manifest,
            licenses=" AND ".join(unique(as_list(artifact.get("licenses")))) or None,
        )
        related = [r for r in as_list(match.get("relatedVulnerabilities")) if isinstance(r, dict)]
        fix = obj(vuln.get("fix"))
        score, vector = _cvss([vuln, *related])
        details = [d for d in as_list(match.get("matchDetails")) if isinstance(d, dict)]
        match_type = text_of(details[0].get("type")) if details else None
        description = text_of(vuln.get("description")) or next(
            (text_of(r.get("description")) for r in related if text_of(r.get("description"))),
            "",
        )
        properties: dict[str, object | None] = {
            "fix_state": text_of(fix.get("state")),
            "cvss_score": score,
            "cvss_vector": vector,
            "match_type": match_type,
            "namespace": text_of(vuln.get("namespace")),
            "suppressed": suppressed,
        }
        references = [vuln.get("dataSource"), *(as_list(vuln.get("urls")))]
        builder.add(
            vulnerability_finding(
                builder,
                rule_id=f"grype/{vid}",
                identifiers=[vid, *(str(r.get("id")) for r in related if text_of(r.get("id")))],
                component=comp,
                summary=one_line(description, 120) or vid,
                severity=from_word(vuln.get("severity")),
                description=description or "",
                fixed=[v for v in as_list(fix.get("versions")) if isinstance(v, str)],
                cwe=[c.get("cwe") for c in as_list(vuln.get("cwes")) if isinstance(c, dict)],
                references=[r for r in references if isinstance(r, str)],
                confidence=Confidence.MEDIUM
                if match_type and "cpe" in match_type
                else Confidence.HIGH,
                properties=properties,
            )
        )


def _cvss(entries: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The newest-version CVSS score among the vulnerability and its related records."""
    best: tuple[str, float, str | None] | None = None
    for entry in entries:
        for cvss in as_list(entry.get("cvss")):
            if not isinstance(cvss, dict):
                continue
            metrics = cvss.get("metrics")
            score = metrics.get("baseScore") if isinstance(metrics, dict) else None
            if not isinstance(score, (int, float)) or isinstance(score, bool):
                continue
            version = str(cvss.get("version") or "")
            if best is None or version > best[0]:
                best = (version, float(score), text_of(cvss.get("vector")))
    if best is None:
        return None, None
    return f"{best[1]:.1f}", best[2]


def _ignore_reason(match: object) -> str:
    rules = match.get("appliedIgnoreRules") if isinstance(match, dict) else None
    parts = []
    for rule in as_list(rules):
        if not isinstance(rule, dict):
            continue
        reason = text_of(rule.get("reason"))
        what = text_of(rule.get("vulnerability")) or text_of(rule.get("fix-state"))
        parts.append(" ".join(p for p in (what, f"({reason})" if reason else None) if p))
    detail = "; ".join(p for p in parts if p)
    return f"Grype ignore rule: {detail}" if detail else "Grype ignore rule"


def _target(source: object) -> str | None:
    if not isinstance(source, dict):
        return None
    target = source.get("target")
    if isinstance(target, dict):
        return text_of(target.get("userInput")) or text_of(target.get("path"))
    return text_of(target)
