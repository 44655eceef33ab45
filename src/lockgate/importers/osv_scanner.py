"""osv-scanner JSON reports (``osv-scanner scan --format json``, v1 and v2).

``results[]`` name a ``source`` (``packageSource`` in early versions: the lockfile or SBOM
path) and its ``packages[]``, each with the ``package`` (name, version, ecosystem), the full
OSV ``vulnerabilities`` and ``groups`` of ids that alias one another (with ``max_severity``,
a CVSS score, in newer versions).

Mapping: one finding per group (so a GHSA and the PYSEC record of the same flaw are one
finding), kind ``vulnerability`` at ``build``, rule ``osv-scanner/<canonical id>`` where the
canonical id is chosen the way lockgate's own SCA chooses it; severity from the group's
``max_severity`` score, else the highest score of the records' CVSS vectors, else
``database_specific.severity``, else UNKNOWN; CWE from ``database_specific.cwe_ids``; fixed
versions from the records' ``affected`` ranges for this package.
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    one_line,
    require_list,
    require_object,
    text_of,
    unique,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.packages import component, ecosystem_of, package_purl
from lockgate.importers.severity import from_score, from_word, parse_score, score_vector
from lockgate.importers.vulnerabilities import canonical_id, vulnerability_finding
from lockgate.model import Severity
from lockgate.model.ecosystems import normalize_name


def _source(result: dict[str, Any]) -> dict[str, Any]:
    for key in ("source", "packageSource"):
        if isinstance(result.get(key), dict):
            return dict(result[key])
    return {}


class OsvScannerImporter:
    """osv-scanner JSON."""

    name = "osv-scanner"
    title = "osv-scanner JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json" or not isinstance(data, dict):
            return False
        results = data.get("results")
        if not isinstance(results, list):
            return False
        if "experimental_config" in data:
            return True
        return bool(results) and isinstance(results[0], dict) and "packages" in results[0]

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "an osv-scanner report")
        builder = ReportBuilder(self.name, document, context)
        for index, result in enumerate(require_list(document, data.get("results"), "results")):
            where = f"results[{index}]"
            if not isinstance(result, dict):
                builder.skip(where, "the result is not an object")
                continue
            source = _source(result)
            raw_path = text_of(source.get("path"))
            manifest = builder.path(raw_path, where) if raw_path else None
            packages = result.get("packages")
            for p_index, package in enumerate(packages if isinstance(packages, list) else []):
                with builder.guard(f"{where}.packages[{p_index}]"):
                    self._package(builder, package, manifest, f"{where}.packages[{p_index}]")
        return builder.build(tool_version=None)

    def _package(
        self, builder: ReportBuilder, entry: object, manifest: str | None, where: str
    ) -> None:
        if not isinstance(entry, dict) or not isinstance(entry.get("package"), dict):
            builder.skip(where, "no package object")
            return
        package = entry["package"]
        name = text_of(package.get("name"))
        if not name:
            builder.skip(where, "the package has no name (a git commit?): not imported")
            return
        version = text_of(package.get("version"))
        ecosystem = text_of(package.get("ecosystem")) or ""
        comp = component(
            purl=package_purl(ecosystem, name, version),
            name=name,
            version=version,
            ecosystem=ecosystem_of(ecosystem),
            manifest=manifest,
        )
        records = {
            str(v["id"]): v
            for v in as_list(entry.get("vulnerabilities"))
            if isinstance(v, dict) and text_of(v.get("id"))
        }
        groups = [g for g in as_list(entry.get("groups")) if isinstance(g, dict)]
        if not groups:
            groups = [{"ids": [vid]} for vid in records]
        for g_index, group in enumerate(groups):
            ids = [i for i in as_list(group.get("ids")) if isinstance(i, str)]
            members = [records[i] for i in ids if i in records]
            if not members:
                builder.skip(f"{where}.groups[{g_index}]", "the group's records are missing")
                continue
            with builder.guard(f"{where}.groups[{g_index}]"):
                self._group(builder, comp, group, ids, members)

    def _group(
        self,
        builder: ReportBuilder,
        comp: Any,
        group: dict[str, Any],
        ids: list[str],
        members: list[dict[str, Any]],
    ) -> None:
        aliases = [a for a in as_list(group.get("aliases")) if isinstance(a, str)]
        for record in members:
            aliases.extend(a for a in as_list(record.get("aliases")) if isinstance(a, str))
        identifiers = list(unique([*ids, *aliases]))
        canonical = canonical_id(identifiers, comp.ecosystem)
        preferred = next((m for m in members if m.get("id") == canonical), None)
        ordered = [preferred, *[m for m in members if m is not preferred]] if preferred else members
        severity, score, vector, source = _severity(group, ordered)
        summary = next((one_line(m.get("summary")) for m in ordered if m.get("summary")), "")
        details = next((str(m["details"]) for m in ordered if m.get("details")), "")
        cwes: list[object] = []
        fixed: list[str] = []
        references: list[str] = []
        for record in ordered:
            specific = record.get("database_specific")
            if isinstance(specific, dict):
                cwes.extend(as_list(specific.get("cwe_ids")))
            fixed.extend(_fixed(record, comp))
            references.extend(
                str(r["url"])
                for r in as_list(record.get("references"))
                if isinstance(r, dict) and isinstance(r.get("url"), str)
            )
        builder.add(
            vulnerability_finding(
                builder,
                rule_id=f"osv-scanner/{canonical}",
                identifiers=[canonical, *identifiers],
                component=comp,
                summary=summary or canonical,
                severity=severity,
                description=details,
                fixed=fixed,
                cwe=cwes,
                references=references,
                properties={
                    "cvss_score": score,
                    "cvss_vector": vector,
                    "severity_source": source,
                    "osv_ids": ", ".join(ids),
                },
            )
        )


def _severity(
    group: dict[str, Any], records: list[dict[str, Any]]
) -> tuple[Severity, str | None, str | None, str]:
    """``(severity, score, vector, source)`` of a group of aliasing records."""
    best_score: float | None = None
    best_vector: str | None = None
    for record in records:
        entries = list(as_list(record.get("severity")))
        for affected in as_list(record.get("affected")):
            if isinstance(affected, dict):
                entries.extend(as_list(affected.get("severity")))
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("score"), str):
                continue
            score = score_vector(entry["score"])
            if score is not None and (best_score is None or score > best_score):
                best_score, best_vector = score, entry["score"]
    group_score = parse_score(group.get("max_severity"))
    if group_score is not None:
        return from_score(group_score), f"{group_score:.1f}", best_vector, "max_severity"
    if best_score is not None:
        return from_score(best_score), f"{best_score:.1f}", best_vector, "cvss"
    for record in records:
        specific = record.get("database_specific")
        if isinstance(specific, dict):
            word = from_word(specific.get("severity"))
            if word is not Severity.UNKNOWN:
                return word, None, None, "database"
    return Severity.UNKNOWN, None, None, "none"


def _fixed(record: dict[str, Any], comp: Any) -> list[str]:
    """Fixed versions the record gives for this package."""
    fixed: list[str] = []
    wanted = normalize_name(comp.ecosystem, comp.name) if comp.ecosystem else comp.name
    for affected in as_list(record.get("affected")):
        if not isinstance(affected, dict):
            continue
        package = affected.get("package")
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            name = package["name"]
            got = normalize_name(comp.ecosystem, name) if comp.ecosystem else name
            if got != wanted:
                continue
        for rng in as_list(affected.get("ranges")):
            if not isinstance(rng, dict) or rng.get("type") == "GIT":
                continue
            for event in as_list(rng.get("events")):
                if isinstance(event, dict) and isinstance(event.get("fixed"), str):
                    fixed.append(event["fixed"])
    return fixed
