"""Bandit JSON reports (``bandit -r src -f json``).

The report has ``results`` (``test_id``, ``test_name``, ``issue_text``, ``issue_severity``,
``issue_confidence``, ``issue_cwe``, ``filename``, ``line_number``, ``col_offset``, ``code``,
``more_info``), ``errors`` (files Bandit could not parse) and ``metrics``.

Mapping: kind ``sast`` at stage ``code``, rule ``bandit/<test_id>`` (``bandit/B608``);
severity HIGH/MEDIUM/LOW as Bandit rates it (UNDEFINED is UNKNOWN); confidence likewise;
CWE from ``issue_cwe.id``; Bandit's errors become errors of the import. The fingerprint is
lockgate's code fingerprint over the rule, the path and the flagged line taken from
``code`` (Bandit prefixes each line with its number; the number is not part of it).
"""

from __future__ import annotations

import re

from lockgate.importers.builder import (
    ReportBuilder,
    cwe_ids,
    int_of,
    one_line,
    require_list,
    require_object,
    string,
    text_of,
)
from lockgate.importers.builder import location as make_location
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.paths import relative_path
from lockgate.importers.severity import confidence_from, from_word
from lockgate.model import Confidence, Finding, FindingKind

_NUMBERED = re.compile(r"^(\d+)\s?(.*)$")


def flagged_line(code: str, line: int | None) -> str:
    """The text of line ``line`` in Bandit's numbered ``code`` excerpt (else its first)."""
    first = ""
    for raw in code.splitlines():
        match = _NUMBERED.match(raw)
        if match is None:
            continue
        number, text = int(match.group(1)), match.group(2)
        if number == line:
            return text
        if not first:
            first = text
    return first


class BanditImporter:
    """Bandit JSON."""

    name = "bandit"
    title = "Bandit JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        return (
            document.syntax == "json"
            and isinstance(data, dict)
            and isinstance(data.get("results"), list)
            and "metrics" in data
        )

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "a Bandit report")
        builder = ReportBuilder(self.name, document, context)
        for index, error in enumerate(require_list(document, data.get("errors"), "errors")):
            if not isinstance(error, dict):
                builder.skip(f"errors[{index}]", "not an error object")
                continue
            name = text_of(error.get("filename"))
            path = relative_path(name, context.base) if name else None
            reason = one_line(error.get("reason"), 400) or "no reason given"
            builder.error(f"Bandit could not scan the file: {reason}", path=path or name)
        for index, result in enumerate(require_list(document, data.get("results"), "results")):
            with builder.guard(f"results[{index}]"):
                self._result(builder, result, f"results[{index}]")
        return builder.build(tool_version=None)

    def _result(self, builder: ReportBuilder, result: object, where: str) -> None:
        if not isinstance(result, dict) or not text_of(result.get("test_id")):
            builder.skip(where, "not a Bandit result (no test_id)")
            return
        test_id = str(result["test_id"]).strip()
        path = builder.path(result.get("filename"), where)
        if path is None:
            return
        line = int_of(result.get("line_number"))
        code = string(result.get("code"))
        snippet = flagged_line(code, line)
        line_range = result.get("line_range")
        end_line = None
        if isinstance(line_range, list) and line_range:
            end_line = line_range[-1]
        col = result.get("col_offset")
        end_col = result.get("end_col_offset")
        location = make_location(
            path,
            start_line=line,
            end_line=end_line,
            start_column=col + 1 if isinstance(col, int) and not isinstance(col, bool) else None,
            end_column=end_col + 1
            if isinstance(end_col, int) and not isinstance(end_col, bool)
            else None,
            snippet=snippet,
        )
        cwe = result.get("issue_cwe")
        more_info = text_of(result.get("more_info"))
        rule_id = f"bandit/{test_id}"
        text = one_line(result.get("issue_text"), 400)
        conf = confidence_from(result.get("issue_confidence"), Confidence.UNKNOWN)

        def make(fingerprint: str) -> Finding:
            return builder.finding(
                kind=FindingKind.SAST,
                rule_id=rule_id,
                title=text or test_id,
                severity=from_word(result.get("issue_severity")),
                confidence=conf,
                fingerprint=fingerprint,
                location=location,
                description=text,
                cwe=cwe_ids([cwe.get("id")] if isinstance(cwe, dict) else []),
                references=(more_info or "",),
                properties={"test_name": text_of(result.get("test_name"))},
            )

        builder.add_code(
            rule_id=rule_id,
            path=path,
            snippet=snippet,
            line=line,
            column=None,
            make=make,
            where=where,
        )
