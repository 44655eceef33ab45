"""Snyk JSON: Snyk Open Source (``snyk test --json``, one project or ``--all-projects``'s
array) and Snyk Code (``snyk code test --json``, which is SARIF).

An Open Source report lists ``vulnerabilities`` (``id``, ``title``, ``severity``,
``cvssScore``, ``CVSSv3``, ``identifiers`` with CVE/CWE/GHSA, ``packageName``, ``version``,
``from`` — the dependency path —, ``fixedIn``, ``type``: ``license`` for license issues) of
one project (``packageManager``, ``displayTargetFile``, ``path``); Snyk repeats a
vulnerability once per dependency path.

Mapping: rule ``snyk/<id>`` (``snyk/SNYK-JS-LODASH-567746``); vulnerabilities are kind
``vulnerability`` at ``build`` with one finding per (issue, package, version) listing its
dependency paths, severity Snyk's critical/high/medium/low; license issues are kind
``license`` with lockgate's license fingerprint; issues ignored in Snyk (``filtered.ignore``)
come in suppressed with the ignore reason. A project Snyk could not test (``"ok": false``
with an ``error``) becomes an error of the import. Snyk Code results are read as SARIF with
rule ids ``snyk/<ruleId>`` (``snyk/javascript/Sqli``).
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    obj,
    one_line,
    shape_error,
    text_of,
    unique,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.packages import component, ecosystem_of, package_purl
from lockgate.importers.sarif import SarifImporter
from lockgate.importers.severity import from_word
from lockgate.importers.vulnerabilities import vulnerability_finding
from lockgate.model import Confidence, FindingKind
from lockgate.model.fingerprint import license_fingerprint

SNYK_CODE_DRIVERS = frozenset({"snykcode", "snyk code", "snyk-code"})


def _is_project(item: object) -> bool:
    return isinstance(item, dict) and (
        ("vulnerabilities" in item and ("packageManager" in item or "dependencyCount" in item))
        or ("ok" in item and "error" in item and "path" in item)
    )


def is_snyk_code(data: object) -> bool:
    """A SARIF log written by Snyk Code."""
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        return False
    for run in data["runs"]:
        tool = run.get("tool") if isinstance(run, dict) else None
        driver = tool.get("driver") if isinstance(tool, dict) else None
        if isinstance(driver, dict) and str(driver.get("name", "")).lower() in SNYK_CODE_DRIVERS:
            return True
    return False


class SnykImporter:
    """Snyk Open Source JSON and Snyk Code SARIF."""

    name = "snyk"
    title = "Snyk JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json":
            return False
        if is_snyk_code(data):
            return True
        if isinstance(data, list):
            return bool(data) and _is_project(data[0])
        return _is_project(data)

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = document.data
        if document.syntax == "json" and is_snyk_code(data):
            return SarifImporter(name=self.name, namespace="snyk").parse(document, context)
        if document.syntax == "empty":
            data = []
        projects = data if isinstance(data, list) else [data]
        builder = ReportBuilder(self.name, document, context)
        target = None
        for index, project in enumerate(projects):
            where = f"[{index}]" if isinstance(data, list) else "project"
            if not isinstance(project, dict):
                raise shape_error(document, f"Snyk project {where} is not an object")
            if project.get("ok") is False and text_of(project.get("error")):
                message = one_line(project["error"], 400)
                if len(projects) == 1 and not project.get("vulnerabilities"):
                    raise shape_error(document, f"Snyk reported an error, not results: {message}")
                builder.error(f"Snyk could not test {project.get('path', 'a project')}: {message}")
                continue
            if "vulnerabilities" not in project:
                raise shape_error(document, f"Snyk project {where} has no vulnerabilities array")
            target = target or text_of(project.get("projectName"))
            with builder.guard(where):
                self._project(builder, project, where)
        return builder.build(tool_version=None, target=target)

    def _project(self, builder: ReportBuilder, project: dict[str, Any], where: str) -> None:
        manager = text_of(project.get("packageManager")) or ""
        target_file = text_of(project.get("displayTargetFile")) or text_of(
            project.get("targetFile")
        )
        manifest = builder.path(target_file, where) if target_file else None
        ignored = _ignored(project)
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        vulns = project.get("vulnerabilities")
        for index, vuln in enumerate(vulns if isinstance(vulns, list) else []):
            if not isinstance(vuln, dict) or not text_of(vuln.get("id")):
                builder.skip(f"{where}.vulnerabilities[{index}]", "the issue has no id")
                continue
            if not text_of(vuln.get("packageName")):
                builder.skip(f"{where}.vulnerabilities[{index}]", "the issue names no package")
                continue
            key = (str(vuln["id"]), str(vuln["packageName"]), str(vuln.get("version") or ""))
            groups.setdefault(key, []).append(vuln)
        for items in ignored.values():
            for vuln in items:
                if isinstance(vuln, dict) and text_of(vuln.get("id")) and vuln.get("packageName"):
                    key = (
                        str(vuln["id"]),
                        str(vuln["packageName"]),
                        str(vuln.get("version") or ""),
                    )
                    groups.setdefault(key, []).append({**vuln, "_ignored": True})
        for (issue, package, version), items in groups.items():
            with builder.guard(f"{where}: issue {issue} in {package} {version}"):
                self._issue(
                    builder,
                    manager=manager,
                    manifest=manifest,
                    key=(issue, package, version),
                    items=items,
                )

    def _issue(
        self,
        builder: ReportBuilder,
        *,
        manager: str,
        manifest: str | None,
        key: tuple[str, str, str],
        items: list[dict[str, Any]],
    ) -> None:
        issue, package, version = key
        first = items[0]
        paths = tuple(
            dict.fromkeys(
                tuple(str(p) for p in item["from"][1:])
                for item in items
                if isinstance(item.get("from"), list) and len(item["from"]) > 1
            )
        )
        direct = any(len(p) == 1 for p in paths) if paths else None
        comp = component(
            purl=package_purl(manager, package, version or None),
            name=package,
            version=version or None,
            ecosystem=ecosystem_of(manager),
            manifest=manifest,
            direct=direct,
            dependency_paths=paths,
        )
        properties: dict[str, object | None] = {
            "cvss_score": _score(first.get("cvssScore")),
            "cvss_vector": text_of(first.get("CVSSv3")),
            "dependency_path": " > ".join(paths[0]) if paths else None,
            "exploit": text_of(first.get("exploit")),
            "upgradable": "true" if first.get("isUpgradable") is True else None,
        }
        if all(item.get("_ignored") for item in items):
            properties["suppressed"] = _ignore_reason(first)
        identifiers_obj = obj(first.get("identifiers"))
        aliases: list[str] = []
        for scheme in ("CVE", "GHSA"):
            aliases.extend(i for i in identifiers_obj.get(scheme) or [] if isinstance(i, str))
        references = [
            str(r["url"])
            for r in as_list(first.get("references"))
            if isinstance(r, dict) and isinstance(r.get("url"), str)
        ]
        references.append(f"https://security.snyk.io/vuln/{issue}")
        severity = from_word(first.get("severity"))
        if first.get("type") == "license":
            license_id = text_of(first.get("license")) or issue.rsplit(":", 1)[-1]
            properties["license"] = license_id
            builder.add(
                builder.finding(
                    kind=FindingKind.LICENSE,
                    rule_id=f"snyk/{issue}",
                    title=f"{package} {version}: license {license_id}".replace("  ", " "),
                    severity=severity,
                    confidence=Confidence.HIGH,
                    fingerprint=license_fingerprint(
                        purl_without_version=comp.purl_without_version, license_id=license_id
                    ),
                    component=comp,
                    location=comp.manifest,
                    description=str(first.get("description") or ""),
                    properties=properties,
                )
            )
            return
        builder.add(
            vulnerability_finding(
                builder,
                rule_id=f"snyk/{issue}",
                identifiers=[issue, *aliases],
                component=comp,
                summary=one_line(first.get("title")) or issue,
                severity=severity,
                description=str(first.get("description") or ""),
                fixed=[v for v in as_list(first.get("fixedIn")) if isinstance(v, str)],
                cwe=as_list(identifiers_obj.get("CWE")),
                references=list(unique(references)),
                properties=properties,
            )
        )


def _ignored(project: dict[str, Any]) -> dict[str, list[Any]]:
    filtered = project.get("filtered")
    if not isinstance(filtered, dict) or not isinstance(filtered.get("ignore"), list):
        return {}
    return {"ignore": filtered["ignore"]}


def _ignore_reason(vuln: dict[str, Any]) -> str:
    reasons: list[str] = []
    filtered = vuln.get("filtered")
    entries = filtered.get("ignored") if isinstance(filtered, dict) else None
    for entry in as_list(entries):
        if isinstance(entry, dict) and text_of(entry.get("reason")):
            expires = text_of(entry.get("expires"))
            reasons.append(
                str(entry["reason"]).strip() + (f" (until {expires})" if expires else "")
            )
    detail = "; ".join(reasons)
    return f"ignored in Snyk: {detail}" if detail else "ignored in Snyk"


def _score(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):.1f}"
    return None
