"""OWASP ZAP reports: the traditional JSON (``-J``, ``traditional-json``) and XML (``-x``,
``traditional-xml``) formats.

Both list ``site``s, each with ``alerts`` (``pluginid``, ``alertRef``, ``name``, ``riskcode``,
``confidence``, ``desc``, ``solution``, ``reference``, ``cweid``, ``wascid``) and their
``instances`` (``uri``, ``method``, ``param``, ``attack``, ``evidence``). The XML is parsed
with defusedxml only.

Mapping: one finding per instance, kind ``dast`` at ``test``, rule ``zap/<alertRef>`` (the
plugin id, plus ZAP's ``-n`` suffix for alerts a plugin raises in several variants, so
``zap/10021`` or ``zap/10020-1``), the URL and the parameter concerned, fingerprinted with
lockgate's URL fingerprint (query values never count). Severity from ``riskcode``: 3 HIGH,
2 MEDIUM, 1 LOW, 0 INFO; confidence 3 and 4 (user confirmed) HIGH, 2 MEDIUM, 1 LOW, and 0
(marked as a false positive in ZAP) LOW with the finding suppressed. The attack and the
evidence are not imported: they may echo session tokens or credentials from the responses.
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    cwe_ids,
    one_line,
    require_list,
    shape_error,
    strip_html,
    text_of,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.model import Confidence, FindingKind, Severity
from lockgate.model.fingerprint import url_fingerprint

RISKS = {"3": Severity.HIGH, "2": Severity.MEDIUM, "1": Severity.LOW, "0": Severity.INFO}
CONFIDENCES = {
    "4": Confidence.HIGH,
    "3": Confidence.HIGH,
    "2": Confidence.MEDIUM,
    "1": Confidence.LOW,
    "0": Confidence.LOW,
}
_ALERT_FIELDS = (
    "pluginid",
    "alertRef",
    "alert",
    "name",
    "riskcode",
    "confidence",
    "riskdesc",
    "desc",
    "solution",
    "otherinfo",
    "reference",
    "cweid",
    "wascid",
    "sourceid",
)
_INSTANCE_FIELDS = ("uri", "method", "param", "attack", "evidence", "otherinfo")


class ZapImporter:
    """OWASP ZAP traditional JSON and XML."""

    name = "zap"
    title = "OWASP ZAP JSON or XML"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax == "xml":
            return bool(data.tag == "OWASPZAPReport")
        return (
            document.syntax == "json"
            and isinstance(data, dict)
            and "site" in data
            and ("@programName" in data or "@version" in data or "@generated" in data)
        )

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        sites: list[object]
        if document.syntax == "xml":
            version, xml_sites = _from_xml(document)
            sites = list(xml_sites)
        elif document.syntax == "json" and isinstance(document.data, dict):
            version = text_of(document.data.get("@version"))
            site_value = document.data.get("site")
            if isinstance(site_value, dict):
                site_value = [site_value]
            sites = require_list(document, site_value, "site")
        else:
            raise shape_error(document, "a ZAP report is a JSON object or an XML document")
        builder = ReportBuilder(self.name, document, context)
        for s_index, site in enumerate(sites):
            where = f"site[{s_index}]"
            if not isinstance(site, dict):
                builder.skip(where, "the site is not an object")
                continue
            site_url = text_of(site.get("@name"))
            for a_index, alert in enumerate(as_list(site.get("alerts"))):
                with builder.guard(f"{where}.alerts[{a_index}]"):
                    self._alert(builder, alert, site_url, f"{where}.alerts[{a_index}]")
        return builder.build(tool_version=version)

    def _alert(
        self, builder: ReportBuilder, alert: object, site_url: str | None, where: str
    ) -> None:
        if not isinstance(alert, dict):
            builder.skip(where, "the alert is not an object")
            return
        plugin = text_of(alert.get("pluginid"))
        ref = text_of(alert.get("alertRef")) or plugin
        if not ref:
            builder.skip(where, "the alert has no plugin id")
            return
        rule_id = f"zap/{ref}"
        title = one_line(alert.get("name") or alert.get("alert")) or rule_id
        confidence_code = text_of(alert.get("confidence")) or "2"
        description = strip_html(alert.get("desc"))
        other = strip_html(alert.get("otherinfo"))
        references = [
            line.strip()
            for line in strip_html(alert.get("reference")).splitlines()
            if line.strip().startswith(("http://", "https://"))
        ]
        if plugin and plugin.isdigit():
            references.append(f"https://www.zaproxy.org/docs/alerts/{ref}/")
        instances = [i for i in as_list(alert.get("instances")) if isinstance(i, dict)]
        if not instances and (text_of(alert.get("uri")) or site_url):
            instances = [{"uri": alert.get("uri") or site_url, "param": alert.get("param")}]
        if not instances:
            builder.skip(where, "the alert has no instance with a URL")
            return
        for instance in instances:
            url = text_of(instance.get("uri"))
            if not url:
                builder.skip(where, "an instance has no URL")
                continue
            param = text_of(instance.get("param")) or ""
            properties: dict[str, object | None] = {
                "method": text_of(instance.get("method")),
                "parameter": param or None,
                "plugin_id": plugin,
                "wasc_id": text_of(alert.get("wascid")),
                "risk": text_of(alert.get("riskdesc")),
            }
            if confidence_code == "0":
                properties["suppressed"] = "marked as a false positive in ZAP"
            builder.add(
                builder.finding(
                    kind=FindingKind.DAST,
                    rule_id=rule_id,
                    title=title,
                    severity=RISKS.get(text_of(alert.get("riskcode")) or "", Severity.UNKNOWN),
                    confidence=CONFIDENCES.get(confidence_code, Confidence.MEDIUM),
                    fingerprint=url_fingerprint(rule_id=rule_id, url=url, parameter=param),
                    url=url,
                    description=f"{description}\n\n{other}".strip() if other else description,
                    remediation=strip_html(alert.get("solution")),
                    cwe=cwe_ids([text_of(alert.get("cweid")) or ""]),
                    references=references,
                    properties=properties,
                )
            )


def _from_xml(document: Document) -> tuple[str | None, list[dict[str, Any]]]:
    """The XML report as the JSON report's structure."""
    root = document.data
    if root.tag != "OWASPZAPReport":
        raise shape_error(document, f"the XML root is <{root.tag}>, not <OWASPZAPReport>")
    sites = []
    for site in root.findall("site"):
        alerts = []
        for item in site.iter("alertitem"):
            alert: dict[str, Any] = {f: _child(item, f) for f in _ALERT_FIELDS}
            instances = []
            for instance in item.iter("instance"):
                instances.append({f: _child(instance, f) for f in _INSTANCE_FIELDS})
            alert["instances"] = instances
            # ZAP before 2.10 put one instance's fields directly on the alert item.
            alert["uri"] = _child(item, "uri")
            alert["param"] = _child(item, "param")
            alerts.append(alert)
        sites.append({"@name": site.get("name"), "alerts": alerts})
    return root.get("version"), sites


def _child(element: Any, name: str) -> str | None:
    child = element.find(name)
    if child is None or child.text is None:
        return None
    return str(child.text)
