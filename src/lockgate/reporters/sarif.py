"""SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps, IDE viewers).

One run, rules deduplicated, results with stable ``partialFingerprints`` so the platform
tracks a finding across commits, ``baselineState`` and ``suppressions`` from the gate's
decision, and failed controls reported as tool execution notifications: a crashed scanner
must not look like a clean one.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from lockgate.model import (
    ControlError,
    ControlResult,
    Decision,
    Finding,
    FindingStatus,
    Location,
    ScanReport,
    Severity,
)
from lockgate.model.codec import to_jsonable
from lockgate.model.fingerprint import SARIF_KEY
from lockgate.reporters._summary import Item, control_errors, failed_controls, items
from lockgate.reporters.interface import RenderOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "7.5",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "2.5",
    Severity.INFO: "0.0",
    Severity.UNKNOWN: "0.0",
}
"""GitHub maps these scores back to critical / high / medium / low / none."""

_BASELINE_STATE = {FindingStatus.NEW: "new", FindingStatus.EXISTING: "unchanged"}


def sarif_level(severity: Severity) -> str:
    """``error`` for CRITICAL and HIGH, ``warning`` for MEDIUM, ``note`` below."""
    if severity >= Severity.HIGH:
        return "error"
    return "warning" if severity is Severity.MEDIUM else "note"


def _cwe_tag(cwe: str) -> str:
    text = cwe.strip().upper()
    return f"CWE-{text}" if text.isdigit() else text


def _rule(rule_id: str, findings: list[Finding]) -> dict[str, Any]:
    """One rule descriptor from the findings that carry its id (the worst sets the level)."""
    first = findings[0]
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    tags = [first.kind.value, "security"]
    for cwe in sorted({_cwe_tag(c) for f in findings for c in f.cwe}):
        tags.append(cwe)
    help_text = first.remediation or "No remediation is documented for this rule."
    help_md = help_text
    if first.references:
        help_md += "\n\n" + "\n".join(f"- <{ref}>" for ref in first.references)
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id.rsplit("/", 1)[-1],
        "shortDescription": {"text": first.title},
        "fullDescription": {"text": first.description or first.title},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": sarif_level(worst)},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[worst]},
    }
    web = [ref for ref in first.references if ref.startswith(("https://", "http://"))]
    if web:
        rule["helpUri"] = web[0]
    return rule


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _physical(loc: Location) -> dict[str, Any]:
    region: dict[str, Any] = {}
    for key, value in (
        ("startLine", loc.start_line),
        ("startColumn", loc.start_column),
        ("endLine", loc.end_line),
        ("endColumn", loc.end_column),
    ):
        if value is not None:
            region[key] = value
    if loc.snippet is not None and region.get("startLine"):
        region["snippet"] = {"text": loc.snippet}
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.path)}
    if region.get("startLine"):
        physical["region"] = region
    return physical


def _location(finding: Finding) -> dict[str, Any] | None:
    """Where the result sits: a file, else the component's manifest, else a URL or a purl."""
    loc = finding.location
    if loc is None and finding.component is not None:
        loc = finding.component.manifest
    if loc is not None:
        return {"physicalLocation": _physical(loc)}
    if finding.url:
        return {"physicalLocation": {"artifactLocation": {"uri": finding.url}}}
    if finding.component is not None:
        purl = finding.component.purl
        return {
            "logicalLocations": [
                {"name": finding.component.name, "fullyQualifiedName": purl, "kind": "module"}
            ]
        }
    return None


def _result(item: Item, rule_index: int) -> dict[str, Any]:
    finding = item.finding
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": sarif_level(finding.severity),
        "message": {"text": finding.title},
        "partialFingerprints": {SARIF_KEY: finding.fingerprint},
    }
    location = _location(finding)
    if location is not None:
        result["locations"] = [location]
    if item.status is not None and item.status in _BASELINE_STATE:
        result["baselineState"] = _BASELINE_STATE[item.status]
    if item.status is FindingStatus.SUPPRESSED:
        exception = item.exception_id or "an unnamed exception"
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"Accepted by exception {exception} in .lockgate/exceptions.toml",
            }
        ]
    props: dict[str, Any] = {
        "lockgate/control": finding.control_id,
        "lockgate/kind": finding.kind.value,
        "lockgate/severity": finding.severity.value,
        "lockgate/stage": finding.stage.value,
    }
    if item.action is not None:
        props["lockgate/action"] = item.action.value
    if finding.component is not None:
        props["lockgate/purl"] = finding.component.purl
    if finding.identifiers:
        props["lockgate/identifiers"] = list(finding.identifiers)
    result["properties"] = props
    return result


def _notification(result: ControlResult, error: ControlError) -> dict[str, Any]:
    """A control error as the tool's own problem, not a finding about the target."""
    text = f"{result.control_id} ({error.kind.value}): {error.message}"
    note: dict[str, Any] = {
        "level": "error" if error.fatal else "warning",
        "message": {"text": text},
        "descriptor": {"id": result.control_id},
    }
    if error.path and not error.path.startswith("/"):
        physical: dict[str, Any] = {"artifactLocation": _artifact(error.path)}
        if error.line:
            physical["region"] = {"startLine": error.line}
        note["locations"] = [{"physicalLocation": physical}]
    return note


def _invocation(report: ScanReport) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "executionSuccessful": not failed_controls(report),
        "startTimeUtc": to_jsonable(report.started_at),
        "endTimeUtc": to_jsonable(report.finished_at),
    }
    notes = [_notification(r, e) for r, e in control_errors(report)]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _run_properties(report: ScanReport, decision: Decision | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "lockgate/runId": report.run_id,
        "lockgate/controls": [
            {
                "id": r.control_id,
                "version": r.control_version,
                "stage": r.stage.value,
                "status": r.status.value,
            }
            for r in sorted(report.results, key=lambda r: (r.stage.order, r.control_id))
        ],
    }
    if decision is not None:
        props["lockgate/verdict"] = decision.verdict.value
    return props


def build_sarif(
    report: ScanReport, decision: Decision | None, options: RenderOptions
) -> dict[str, Any]:
    """The SARIF log as plain data (exposed for callers that post-process it)."""
    all_items = items(report, decision)
    by_rule: dict[str, list[Finding]] = {}
    for item in all_items:
        by_rule.setdefault(item.finding.rule_id, []).append(item.finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    driver = {
        "name": "lockgate",
        "version": options.tool_version,
        "informationUri": options.information_uri,
        "rules": [_rule(rule_id, by_rule[rule_id]) for rule_id in rule_ids],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": f"Root of the scanned {report.target.kind} {report.target.name}"
                }
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(item, index[item.finding.rule_id]) for item in all_items],
        "properties": _run_properties(report, decision),
    }
    target = report.target
    if target.repository and target.commit:
        provenance: dict[str, Any] = {
            "repositoryUri": target.repository,
            "revisionId": target.commit,
            "mappedTo": {"uriBaseId": SRCROOT},
        }
        if target.branch:
            provenance["branch"] = target.branch
        run["versionControlProvenance"] = [provenance]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    """SARIF 2.1.0, valid against the OASIS schema, one run per report."""

    name = "sarif"
    default_filename = "lockgate.sarif"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """Deterministic SARIF JSON text (sorted keys, trailing newline)."""
        document = build_sarif(report, decision, options)
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
