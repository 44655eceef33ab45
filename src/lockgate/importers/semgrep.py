"""Semgrep JSON output (``semgrep scan --json``).

The report has ``results`` (``check_id``, ``path``, ``start``/``end`` line and column,
``extra.message``, ``extra.severity``, ``extra.metadata``, ``extra.lines``, ``extra.is_ignored``),
``errors`` (files Semgrep could not parse or rules that failed) and ``version``.

Mapping: kind ``sast`` at stage ``code``, rule ``semgrep/<check_id>``; severity ERROR HIGH,
WARNING MEDIUM, INFO LOW, and Semgrep's newer CRITICAL/HIGH/MEDIUM/LOW as themselves
(INVENTORY and EXPERIMENT INFO); confidence from ``metadata.confidence``; CWE and OWASP
from the metadata; ``nosemgrep``-ignored results become suppressed findings; Semgrep's
errors become errors of the import (never dropped). The fingerprint is lockgate's code
fingerprint over the rule, the path and the matched lines (``extra.lines``; Semgrep without
login writes ``requires login`` there, then identical matches are told apart by their order
in the file).
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    cwe_ids,
    int_of,
    obj,
    one_line,
    require_list,
    require_object,
    string,
    text_of,
    unique,
)
from lockgate.importers.builder import location as make_location
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.paths import relative_path
from lockgate.importers.severity import confidence_from
from lockgate.model import Finding, FindingKind, Severity

SEVERITIES = {
    "ERROR": Severity.HIGH,
    "WARNING": Severity.MEDIUM,
    "INFO": Severity.LOW,
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "INVENTORY": Severity.INFO,
    "EXPERIMENT": Severity.INFO,
}
_NO_LINES = "requires login"


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if value is not None else []


class SemgrepImporter:
    """Semgrep JSON."""

    name = "semgrep"
    title = "Semgrep JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json" or not isinstance(data, dict):
            return False
        results = data.get("results")
        if not isinstance(results, list) or "metrics" in data:
            return False
        if results:
            first = results[0]
            return isinstance(first, dict) and "check_id" in first
        return isinstance(data.get("paths"), dict) or "skipped_rules" in data

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "a Semgrep report")
        builder = ReportBuilder(self.name, document, context)
        for index, error in enumerate(require_list(document, data.get("errors"), "errors")):
            with builder.guard(f"errors[{index}]"):
                self._error(builder, error, f"errors[{index}]")
        for index, result in enumerate(require_list(document, data.get("results"), "results")):
            with builder.guard(f"results[{index}]"):
                self._result(builder, result, f"results[{index}]")
        return builder.build(tool_version=text_of(data.get("version")))

    def _error(self, builder: ReportBuilder, error: object, where: str) -> None:
        if not isinstance(error, dict):
            builder.skip(where, "not an error object")
            return
        kind = error.get("type")
        kind_text = text_of(kind[0]) if isinstance(kind, list) and kind else text_of(kind)
        message = one_line(error.get("message"), 400) or "Semgrep reported an error"
        spans = error.get("spans")
        path_raw = error.get("path")
        line = None
        if isinstance(spans, list) and spans and isinstance(spans[0], dict):
            path_raw = path_raw or spans[0].get("file")
            start = spans[0].get("start")
            line = int_of(start.get("line")) if isinstance(start, dict) else None
        path = None
        if isinstance(path_raw, str):
            path = relative_path(path_raw, builder.context.base) or path_raw
        level = text_of(error.get("level")) or "error"
        builder.error(
            f"Semgrep {level}: {kind_text + ': ' if kind_text else ''}{message}",
            path=path,
            line=line,
        )

    def _result(self, builder: ReportBuilder, result: object, where: str) -> None:
        if not isinstance(result, dict) or not text_of(result.get("check_id")):
            builder.skip(where, "not a Semgrep result (no check_id)")
            return
        check_id = str(result["check_id"]).strip()
        path = builder.path(result.get("path"), where)
        if path is None:
            return
        extra = obj(result.get("extra"))
        meta = obj(extra.get("metadata"))
        start = obj(result.get("start"))
        end = obj(result.get("end"))
        line = int_of(start.get("line"))
        lines = string(extra.get("lines"))
        if lines.strip() == _NO_LINES:
            lines = ""
        severity_word = str(extra.get("severity", "")).upper()
        severity = SEVERITIES.get(severity_word, Severity.UNKNOWN)
        message = one_line(extra.get("message"), 400)
        rule_id = f"semgrep/{check_id}"
        references = unique(_as_list(meta.get("references")) + _as_list(meta.get("source")))
        properties: dict[str, object | None] = {
            "owasp": "; ".join(unique(_as_list(meta.get("owasp")))) or None,
            "category": text_of(meta.get("category")),
            "technology": ", ".join(unique(_as_list(meta.get("technology")))) or None,
            "semgrep_fingerprint": _fingerprint(extra.get("fingerprint")),
            "semgrep_severity": severity_word or None,
            "likelihood": text_of(meta.get("likelihood")),
            "impact": text_of(meta.get("impact")),
        }
        if extra.get("is_ignored") is True:
            properties["suppressed"] = "nosemgrep comment in the code"
        fix = text_of(extra.get("fix"))
        location = make_location(
            path,
            start_line=line,
            end_line=end.get("line"),
            start_column=start.get("col"),
            end_column=end.get("col"),
            snippet=lines,
        )
        confidence = confidence_from(meta.get("confidence"))

        def make(fingerprint: str) -> Finding:
            return builder.finding(
                kind=FindingKind.SAST,
                rule_id=rule_id,
                title=message or check_id,
                severity=severity,
                confidence=confidence,
                fingerprint=fingerprint,
                location=location,
                description=str(extra.get("message") or ""),
                remediation=f"Suggested fix: {fix}" if fix else "",
                cwe=cwe_ids(_as_list(meta.get("cwe"))),
                references=references,
                properties=properties,
            )

        builder.add_code(
            rule_id=rule_id,
            path=path,
            snippet=lines,
            line=line,
            column=int_of(start.get("col")),
            make=make,
            where=where,
        )


def _fingerprint(value: object) -> str | None:
    text = text_of(value)
    if text is None or text == _NO_LINES or set(text) <= {"0"}:
        return None
    return text
