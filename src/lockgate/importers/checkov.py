"""Checkov JSON reports (``checkov -d . -o json``).

One report per framework (``check_type``: terraform, kubernetes, dockerfile, …), either alone
or as a JSON array of them, each with ``results.failed_checks``, ``results.skipped_checks``,
``results.parsing_errors`` and a ``summary`` carrying ``checkov_version``. A scan that found
no files writes only the summary.

Mapping: kind ``misconfig`` at ``deploy``, rule ``checkov/<check_id>`` (``checkov/CKV_AWS_20``);
fingerprint over the file and the resource address (``aws_s3_bucket.logs``); severity is
Checkov's own when it has one (only with a platform key) and otherwise UNKNOWN: Checkov did
not say, and lockgate does not invent it; skipped checks (``#checkov:skip=`` comments) come
in suppressed with their comment; parsing errors become errors of the import. Results of the
``secrets`` framework are secrets, HIGH unless Checkov rates them (identified by the hash
Checkov puts in ``resource``, the censored code never shown past its prefix); results
carrying ``vulnerability_details`` (the SCA frameworks) are skipped with the reason: import
a dependency scanner's report instead.
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    obj,
    one_line,
    require_list,
    shape_error,
    text_of,
)
from lockgate.importers.builder import location as make_location
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.paths import relative_path
from lockgate.importers.secrets import ELLIPSIS, secret_family, secret_identity
from lockgate.importers.severity import from_word
from lockgate.model import Confidence, FindingKind, Severity
from lockgate.model.fingerprint import iac_fingerprint


def _is_report(item: object) -> bool:
    return isinstance(item, dict) and (
        ("check_type" in item and "results" in item)
        or (isinstance(item.get("summary"), dict) and "checkov_version" in item["summary"])
        or ("checkov_version" in item and "resource_count" in item)
    )


class CheckovImporter:
    """Checkov JSON."""

    name = "checkov"
    title = "Checkov JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json":
            return False
        if isinstance(data, list):
            return bool(data) and _is_report(data[0])
        return _is_report(data)

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = document.data
        if document.syntax == "empty":
            data = []
        reports = data if isinstance(data, list) else [data]
        builder = ReportBuilder(self.name, document, context)
        version = None
        for index, report in enumerate(reports):
            where = f"[{index}]" if isinstance(data, list) else "report"
            if not isinstance(report, dict):
                raise shape_error(document, f"Checkov report {where} is not an object")
            summary = obj(report.get("summary")) or report
            version = version or text_of(summary.get("checkov_version"))
            results = report.get("results")
            if results is None:
                continue
            if not isinstance(results, dict):
                raise shape_error(document, f"Checkov report {where}: results is not an object")
            check_type = text_of(report.get("check_type")) or ""
            for key, suppressed in (("failed_checks", False), ("skipped_checks", True)):
                entries = require_list(document, results.get(key), f"{where}.results.{key}")
                for c_index, check in enumerate(entries):
                    with builder.guard(f"{where}.results.{key}[{c_index}]"):
                        self._check(
                            builder,
                            check,
                            check_type,
                            suppressed,
                            f"{where}.results.{key}[{c_index}]",
                        )
            errors = require_list(document, results.get("parsing_errors"), "parsing_errors")
            for error in errors:
                if isinstance(error, str):
                    rel = relative_path(error, context.base)
                    builder.error(f"Checkov could not parse the file ({check_type})", path=rel)
        return builder.build(tool_version=version)

    def _check(
        self,
        builder: ReportBuilder,
        check: object,
        check_type: str,
        suppressed: bool,
        where: str,
    ) -> None:
        if not isinstance(check, dict) or not text_of(check.get("check_id")):
            builder.skip(where, "not a Checkov check result (no check_id)")
            return
        if check.get("vulnerability_details"):
            builder.skip(
                where,
                "Checkov SCA results are not imported; import the dependency scanner's report",
            )
            return
        check_id = str(check["check_id"]).strip()
        path = builder.path(check.get("repo_file_path") or check.get("file_path"), where)
        if path is None:
            return
        rule_id = f"checkov/{check_id}"
        resource = text_of(check.get("resource")) or ""
        code = _code_lines(check.get("code_block"))
        lines = check.get("file_line_range")
        start = lines[0] if isinstance(lines, list) and lines else None
        end = lines[-1] if isinstance(lines, list) and lines else None
        guideline = text_of(check.get("guideline"))
        properties: dict[str, object | None] = {
            "check_type": check_type or None,
            "bc_check_id": text_of(check.get("bc_check_id")),
        }
        if suppressed:
            result = check.get("check_result")
            comment = text_of(result.get("suppress_comment")) if isinstance(result, dict) else None
            properties["suppressed"] = "checkov:skip" + (f" ({comment})" if comment else "")
        title = one_line(check.get("check_name")) or check_id
        severity = from_word(check.get("severity"))
        if check_type == "secrets":
            if severity is Severity.UNKNOWN:
                severity = Severity.HIGH  # a committed credential, whatever Checkov says
            fingerprint, _ = secret_identity(
                rule_family=secret_family(title),
                value="checkov-resource:" + resource,
                path=path,
                key=builder.context.secret_hash_key,
            )
            snippet = code[0] if code else ""
            star = snippet.find("*")
            properties["identity"] = "checkov-resource"
            builder.add(
                builder.finding(
                    kind=FindingKind.SECRET,
                    rule_id=rule_id,
                    title=title,
                    severity=severity,
                    confidence=Confidence.MEDIUM,
                    fingerprint=fingerprint,
                    location=make_location(
                        path,
                        start_line=start,
                        end_line=end,
                        snippet=(snippet[:star] if star >= 0 else "") + ELLIPSIS,
                    ),
                    cwe=("CWE-798",),
                    references=[guideline] if guideline else [],
                    properties=properties,
                )
            )
            return
        properties["resource"] = resource or None
        builder.add(
            builder.finding(
                kind=FindingKind.MISCONFIG,
                rule_id=rule_id,
                title=title,
                severity=severity,
                confidence=Confidence.HIGH,
                fingerprint=iac_fingerprint(
                    rule_id=rule_id, path=path, resource=resource, snippet="\n".join(code)
                ),
                location=make_location(
                    path, start_line=start, end_line=end, snippet=code[0] if code else None
                ),
                description=str(check.get("description") or check.get("short_description") or ""),
                remediation=f"See {guideline}" if guideline else "",
                references=[guideline] if guideline else [],
                properties=properties,
            )
        )


def _code_lines(block: Any) -> list[str]:
    """The text of Checkov's ``code_block`` (``[[line, text], …]``), blank lines dropped."""
    lines = []
    for entry in as_list(block):
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[1], str)
            and entry[1].strip()
        ):
            lines.append(entry[1].rstrip("\n"))
    return lines
