"""Trivy JSON reports (``trivy fs|image|config|repo --format json``, schema version 2).

``Results[]`` each name a ``Target`` with its ``Class`` and ``Type`` and hold
``Vulnerabilities``, ``Misconfigurations``, ``Secrets``, ``Licenses`` and (with
``--list-all-pkgs``) ``Packages``.

Mapping (severity is Trivy's own CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN in every kind):

- vulnerabilities: kind ``vulnerability`` at ``build``, rule ``trivy/<VulnerabilityID>``,
  component from ``PkgIdentifier.PURL`` (else built from the result's type), manifest the
  target (or the package's own ``PkgPath``; an OS package's database for image OS packages);
  vulnerabilities Trivy suppressed through VEX (``ExperimentalModifiedFindings``) come in
  as suppressed findings;
- misconfigurations: kind ``misconfig`` at ``deploy``, rule ``trivy/<AVDID>`` (``trivy/<ID>``
  when there is no AVD id), fingerprint over the cause's resource address (or the cause's
  code); only ``FAIL`` results are findings, ``EXCEPTION`` ones come in suppressed;
- secrets: kind ``secret`` at ``code``, rule ``trivy/<RuleID>``; Trivy has already censored
  the value, so the finding is identified by the censored match (property ``identity``) and
  shows it only up to the censored part; the surrounding ``Code`` lines, which may hold other
  secrets in clear, are never read;
- licenses: kind ``license`` at ``build``, rule ``trivy/license-<category>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    obj,
    one_line,
    require_list,
    require_object,
    shape_error,
    string,
    text_of,
    unique,
)
from lockgate.importers.builder import location as make_location
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.packages import (
    OS_DATABASES,
    component,
    ecosystem_of,
    os_type,
    package_purl,
    purl_ecosystem,
    valid_purl,
)
from lockgate.importers.secrets import ELLIPSIS, secret_family, secret_identity
from lockgate.importers.severity import from_word
from lockgate.importers.vulnerabilities import vulnerability_finding
from lockgate.model import Component, Confidence, FindingKind
from lockgate.model.fingerprint import iac_fingerprint, license_fingerprint, subject_fingerprint

#: Result types whose ``Target`` is a language name, not a file (each package has a path).
AGGREGATED_TYPES = frozenset(
    {
        "python-pkg",
        "node-pkg",
        "jar",
        "gobinary",
        "rustbinary",
        "rust-binary",
        "gemspec",
        "conda-pkg",
        "dotnet-core",
        "php-composer",
    }
)


class TrivyImporter:
    """Trivy JSON, schema version 2 (and the bare list of results of version 1)."""

    name = "trivy"
    title = "Trivy JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json":
            return False
        if isinstance(data, dict):
            return "SchemaVersion" in data and ("Results" in data or "ArtifactName" in data)
        return (
            isinstance(data, list)
            and bool(data)
            and isinstance(data[0], dict)
            and "Target" in data[0]
            and any(k in data[0] for k in ("Vulnerabilities", "Misconfigurations", "Secrets"))
        )

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = document.data
        builder = ReportBuilder(self.name, document, context)
        version = target = None
        if isinstance(data, list):
            results = data
        else:
            report = require_object(document, data, "a Trivy report")
            schema = report.get("SchemaVersion")
            if schema not in (2, "2"):
                raise shape_error(
                    document, f"Trivy report schema version {schema!r} is not supported (2 is)"
                )
            results = require_list(document, report.get("Results"), "Results")
            trivy = report.get("Trivy")
            if isinstance(trivy, dict):
                version = text_of(trivy.get("Version"))
            target = text_of(report.get("ArtifactName"))
        for index, result in enumerate(results):
            where = f"Results[{index}]"
            if not isinstance(result, dict):
                builder.skip(where, "the result is not an object")
                continue
            _Result(builder, result, where).run()
        return builder.build(tool_version=version, target=target)


class _Result:
    """One entry of ``Results``: a target and what Trivy found in it."""

    def __init__(self, builder: ReportBuilder, result: dict[str, Any], where: str) -> None:
        self.builder = builder
        self.result = result
        self.where = where
        self.target = text_of(result.get("Target")) or ""
        self.klass = text_of(result.get("Class")) or ""
        self.type = text_of(result.get("Type")) or ""

    def run(self) -> None:
        handlers: tuple[tuple[str, Callable[[Any, str], None]], ...] = (
            ("Packages", self._package),
            ("Vulnerabilities", lambda vuln, where: self._vulnerability(vuln, where, None)),
            ("ExperimentalModifiedFindings", self._modified),
            ("Misconfigurations", self._misconfiguration),
            ("Secrets", self._secret),
            ("Licenses", self._license),
        )
        for key, handle in handlers:
            for index, entry in enumerate(self._list(key)):
                where = f"{self.where}.{key}[{index}]"
                with self.builder.guard(where):
                    handle(entry, where)

    def _package(self, package: object, where: str) -> None:
        comp = self._package_component(package, where)
        if comp is not None:
            self.builder.add_component(comp)

    def _list(self, key: str) -> list[Any]:
        value = self.result.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.builder.skip(f"{self.where}.{key}", "is not an array")
            return []
        return value

    # -- packages --------------------------------------------------------------------------

    def _manifest(self, package_path: object, purl: str) -> str | None:
        if isinstance(package_path, str) and package_path.strip():
            return self.builder.path(package_path, self.where)
        if self.klass == "os-pkgs":
            distro = os_type(self.type) or os_type(purl[4:].split("/", 1)[0])
            return OS_DATABASES.get(distro[0]) if distro else None
        if self.klass == "lang-pkgs" and self.target and self.type not in AGGREGATED_TYPES:
            return self.builder.path(self.target, self.where)
        return None

    def _purl(self, identifier: object, name: str, version: str | None) -> str:
        if isinstance(identifier, dict):
            purl = valid_purl(identifier.get("PURL"))
            if purl:
                return purl
        return package_purl(self.type, name, version)

    def _package_component(self, package: object, where: str) -> Component | None:
        if not isinstance(package, dict) or not text_of(package.get("Name")):
            self.builder.skip(where, "the package has no name")
            return None
        name = str(package["Name"]).strip()
        version = text_of(package.get("Version"))
        purl = self._purl(package.get("Identifier"), name, version)
        relationship = text_of(package.get("Relationship"))
        direct = None
        if relationship in ("direct", "root"):
            direct = True
        elif relationship == "indirect" or package.get("Indirect") is True:
            direct = False
        licenses = package.get("Licenses")
        return component(
            purl=purl,
            name=name,
            version=version,
            ecosystem=ecosystem_of(self.type) or purl_ecosystem(purl),
            manifest=self._manifest(package.get("FilePath"), purl),
            licenses=" AND ".join(unique(licenses)) if isinstance(licenses, list) else None,
            direct=direct,
        )

    # -- vulnerabilities -------------------------------------------------------------------

    def _vulnerability(self, vuln: object, where: str, suppressed: dict[str, str] | None) -> None:
        if not isinstance(vuln, dict) or not text_of(vuln.get("VulnerabilityID")):
            self.builder.skip(where, "not a vulnerability (no VulnerabilityID)")
            return
        if not text_of(vuln.get("PkgName")):
            self.builder.skip(where, "the vulnerability names no package")
            return
        vid = str(vuln["VulnerabilityID"]).strip()
        name = str(vuln["PkgName"]).strip()
        version = text_of(vuln.get("InstalledVersion"))
        purl = self._purl(vuln.get("PkgIdentifier"), name, version)
        comp = component(
            purl=purl,
            name=name,
            version=version,
            ecosystem=ecosystem_of(self.type) or purl_ecosystem(purl),
            manifest=self._manifest(vuln.get("PkgPath"), purl),
        )
        fixed = [v.strip() for v in str(vuln.get("FixedVersion") or "").split(",") if v.strip()]
        score, vector = _cvss(vuln)
        properties: dict[str, object | None] = {
            "fix_status": text_of(vuln.get("Status")),
            "severity_source": text_of(vuln.get("SeveritySource")),
            "cvss_score": score,
            "cvss_vector": vector,
            "vendor_ids": ", ".join(unique(as_list(vuln.get("VendorIDs")))) or None,
            "published": text_of(vuln.get("PublishedDate")),
            "target": self.target or None,
        }
        properties.update(suppressed or {})
        references = [vuln.get("PrimaryURL"), *(as_list(vuln.get("References")))]
        self.builder.add(
            vulnerability_finding(
                self.builder,
                rule_id=f"trivy/{vid}",
                identifiers=[vid],
                component=comp,
                summary=one_line(vuln.get("Title")) or vid,
                severity=from_word(vuln.get("Severity")),
                description=str(vuln.get("Description") or ""),
                fixed=fixed,
                cwe=as_list(vuln.get("CweIDs")),
                references=[r for r in references if isinstance(r, str)],
                properties=properties,
            )
        )

    def _modified(self, modified: object, where: str) -> None:
        """A finding Trivy suppressed (VEX, ``.trivyignore``): imported as suppressed."""
        if not isinstance(modified, dict) or modified.get("Type") != "vulnerability":
            kind = modified.get("Type") if isinstance(modified, dict) else None
            self.builder.skip(where, f"modified finding of type {kind!r} is not imported")
            return
        status = text_of(modified.get("Status")) or "not_affected"
        statement = text_of(modified.get("Statement"))
        source = text_of(modified.get("Source")) or "Trivy"
        reason = f"VEX {source}: {status}" + (f" ({statement})" if statement else "")
        props = {"suppressed": reason, "vex_status": status}
        if statement:
            props["vex_justification"] = statement
        self._vulnerability(modified.get("Finding"), where, props)

    # -- misconfigurations -----------------------------------------------------------------

    def _misconfiguration(self, misconf: object, where: str) -> None:
        if not isinstance(misconf, dict):
            self.builder.skip(where, "not a misconfiguration object")
            return
        status = text_of(misconf.get("Status")) or "FAIL"
        if status == "PASS":
            return
        check = text_of(misconf.get("AVDID")) or text_of(misconf.get("ID"))
        if check is None:
            self.builder.skip(where, "the misconfiguration names no check")
            return
        path = self.builder.path(self.target, where)
        if path is None:
            return
        cause = obj(misconf.get("CauseMetadata"))
        resource = text_of(cause.get("Resource")) or ""
        cause_lines = _cause_lines(cause)
        rule_id = f"trivy/{check}"
        message = one_line(misconf.get("Message"), 400)
        description = str(misconf.get("Description") or "")
        if message:
            description = f"{message}\n\n{description}".strip()
        properties: dict[str, object | None] = {
            "resource": resource or None,
            "check_id": text_of(misconf.get("ID")),
            "provider": text_of(cause.get("Provider")),
            "service": text_of(cause.get("Service")),
            "namespace": text_of(misconf.get("Namespace")),
        }
        if status == "EXCEPTION":
            properties["suppressed"] = "Trivy exception"
        self.builder.add(
            self.builder.finding(
                kind=FindingKind.MISCONFIG,
                rule_id=rule_id,
                title=one_line(misconf.get("Title")) or check,
                severity=from_word(misconf.get("Severity")),
                confidence=Confidence.HIGH,
                fingerprint=iac_fingerprint(
                    rule_id=rule_id, path=path, resource=resource, snippet="\n".join(cause_lines)
                ),
                location=make_location(
                    path,
                    start_line=cause.get("StartLine"),
                    end_line=cause.get("EndLine"),
                    snippet=cause_lines[0] if cause_lines else None,
                ),
                description=description,
                remediation=str(misconf.get("Resolution") or ""),
                references=[
                    r
                    for r in [misconf.get("PrimaryURL"), *(as_list(misconf.get("References")))]
                    if isinstance(r, str)
                ],
                properties=properties,
            )
        )

    # -- secrets ---------------------------------------------------------------------------

    def _secret(self, secret: object, where: str) -> None:
        if not isinstance(secret, dict) or not text_of(secret.get("RuleID")):
            self.builder.skip(where, "not a secret finding (no RuleID)")
            return
        path = self.builder.path(self.target, where)
        if path is None:
            return
        rule = str(secret["RuleID"]).strip()
        match = string(secret.get("Match"))
        fingerprint, _ = secret_identity(
            rule_family=secret_family(rule),
            value="trivy-censored:" + match.strip(),
            path=path,
            key=self.builder.context.secret_hash_key,
        )
        self.builder.add(
            self.builder.finding(
                kind=FindingKind.SECRET,
                rule_id=f"trivy/{rule}",
                title=one_line(secret.get("Title")) or rule,
                severity=from_word(secret.get("Severity")),
                confidence=Confidence.MEDIUM,
                fingerprint=fingerprint,
                location=make_location(
                    path,
                    start_line=secret.get("StartLine"),
                    end_line=secret.get("EndLine"),
                    snippet=_censored_prefix(match),
                ),
                cwe=("CWE-798",),
                remediation=(
                    "Revoke or rotate the credential, then remove it from the code, the image "
                    "and the history."
                ),
                properties={
                    "category": text_of(secret.get("Category")),
                    "identity": "censored-match",
                },
            )
        )

    # -- licenses --------------------------------------------------------------------------

    def _license(self, lic: object, where: str) -> None:
        if not isinstance(lic, dict) or not text_of(lic.get("Name")):
            self.builder.skip(where, "not a license finding (no Name)")
            return
        license_id = str(lic["Name"]).strip()
        category = text_of(lic.get("Category")) or "unknown"
        rule_id = f"trivy/license-{category.lower()}"
        package = text_of(lic.get("PkgName"))
        file_path = text_of(lic.get("FilePath"))
        comp = None
        location = None
        if package:
            purl = package_purl(self.type, package, None)
            comp = component(purl=purl, name=package, version=None)
            fingerprint = license_fingerprint(
                purl_without_version=comp.purl_without_version, license_id=license_id
            )
            title = f"{package}: license {license_id} is {category}"
        elif file_path:
            path = self.builder.path(file_path, where)
            if path is None:
                return
            location = make_location(path)
            fingerprint = subject_fingerprint(
                kind=FindingKind.LICENSE.value, rule_id=rule_id, subject=f"{path}:{license_id}"
            )
            title = f"{path}: license {license_id} is {category}"
        else:
            self.builder.skip(where, "the license finding names no package or file")
            return
        self.builder.add(
            self.builder.finding(
                kind=FindingKind.LICENSE,
                rule_id=rule_id,
                title=title,
                severity=from_word(lic.get("Severity")),
                confidence=Confidence.MEDIUM,
                fingerprint=fingerprint,
                component=comp,
                location=location,
                references=[lic.get("Link")] if isinstance(lic.get("Link"), str) else [],
                properties={"license": license_id, "license_category": category},
            )
        )


def _cvss(vuln: dict[str, Any]) -> tuple[str | None, str | None]:
    """The CVSS score and vector of the severity source (else NVD, else any)."""
    table = vuln.get("CVSS")
    if not isinstance(table, dict) or not table:
        return None, None
    source = text_of(vuln.get("SeveritySource"))
    order = [source, "nvd", *sorted(k for k in table if isinstance(k, str))]
    for key in order:
        entry = table.get(key) if key else None
        if not isinstance(entry, dict):
            continue
        for score_key, vector_key in (("V40Score", "V40Vector"), ("V3Score", "V3Vector")):
            score = entry.get(score_key)
            if isinstance(score, (int, float)) and not isinstance(score, bool):
                return f"{float(score):.1f}", text_of(entry.get(vector_key))
    return None, None


def _cause_lines(cause: dict[str, Any]) -> list[str]:
    code = cause.get("Code")
    lines = code.get("Lines") if isinstance(code, dict) else None
    if not isinstance(lines, list):
        return []
    return [
        str(line.get("Content", ""))
        for line in lines
        if isinstance(line, dict) and line.get("IsCause") is True
    ]


def _censored_prefix(match: str) -> str | None:
    """Trivy's censored match up to its first ``*``: the context, never the value."""
    first = match.strip().split("\n", 1)[0]
    star = first.find("*")
    if star == -1:
        return ELLIPSIS
    return first[:star] + ELLIPSIS
