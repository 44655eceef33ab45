"""Gitleaks JSON reports (``gitleaks git|dir|detect --report-format json``).

The report is a JSON array of leaks (``RuleID``, ``File``, ``StartLine``, ``StartColumn``,
``Match``, ``Secret``, ``Line``, ``Commit``, ``Fingerprint``, ``Entropy``, ``Tags``, …).

Mapping: kind ``secret`` at stage ``code``, rule ``gitleaks/<RuleID>``, severity HIGH
(Gitleaks rates nothing; a committed credential is at least high in lockgate's policy),
confidence MEDIUM. The raw ``Secret``, ``Match`` and ``Line`` are never kept: the snippet is
the first line of ``Match`` with the secret shown as at most its first four characters and
``…``, and the fingerprint is lockgate's secret fingerprint over the rule family, the keyed
hash of ``Secret`` and the path. A report written with ``--redact`` has no value left to
hash: those leaks are identified by their redacted match (property ``identity``). Author,
e-mail and commit message are personal data and are not imported; Gitleaks' own
``Fingerprint`` (``commit:file:rule:line``, the key of ``.gitleaksignore``) is kept.
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    as_list,
    one_line,
    require_list,
    string,
    text_of,
    unique,
)
from lockgate.importers.builder import location as make_location
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.secrets import redact_snippet, redact_value, secret_family, secret_identity
from lockgate.model import Confidence, FindingKind, Severity

REDACTED = "REDACTED"


def is_leak(item: object) -> bool:
    return isinstance(item, dict) and "RuleID" in item and ("Secret" in item or "Match" in item)


class GitleaksImporter:
    """Gitleaks JSON: a JSON array of leaks."""

    name = "gitleaks"
    title = "Gitleaks JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        return (
            document.syntax == "json" and isinstance(data, list) and bool(data) and is_leak(data[0])
        )

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        builder = ReportBuilder(self.name, document, context)
        items = [] if document.syntax == "empty" else document.data
        for index, item in enumerate(require_list(document, items, "a Gitleaks report")):
            with builder.guard(f"[{index}]"):
                self._leak(builder, item, f"[{index}]")
        return builder.build(tool_version=None)

    def _leak(self, builder: ReportBuilder, item: Any, where: str) -> None:
        if not is_leak(item):
            builder.skip(where, "not a Gitleaks leak (no RuleID and Secret)")
            return
        rule = text_of(item.get("RuleID"))
        if rule is None:
            builder.skip(where, "the leak names no rule")
            return
        path = builder.path(item.get("File"), where)
        if path is None:
            return
        secret = string(item.get("Secret"))
        match = string(item.get("Match"))
        redacted = not secret or secret == REDACTED or REDACTED in match
        properties: dict[str, object | None] = {
            "entropy": _entropy(item.get("Entropy")),
            "gitleaks_fingerprint": text_of(item.get("Fingerprint")),
            "tags": ", ".join(unique(as_list(item.get("Tags")))) or None,
            "symlink_file": text_of(item.get("SymlinkFile")),
            "link": text_of(item.get("Link")),
        }
        family = secret_family(rule)
        if redacted:
            value = "gitleaks-redacted:" + (match or secret)
            properties["identity"] = "redacted-match"
        else:
            value = secret
        fingerprint, value_hash = secret_identity(
            rule_family=family, value=value, path=path, key=builder.context.secret_hash_key
        )
        if not redacted:
            properties["value_hash"] = value_hash
        secrets = [s for s in (secret,) if s and s != REDACTED]
        snippet = redact_snippet(match, secrets) if match else redact_value(secret)
        if secret and secret != REDACTED and secret.split("\n", 1)[0] in snippet:
            snippet = redact_value(secret)  # the value survived redaction: show nothing of it
        location = make_location(
            path,
            start_line=item.get("StartLine"),
            end_line=item.get("EndLine"),
            start_column=item.get("StartColumn"),
            end_column=item.get("EndColumn"),
            commit=item.get("Commit"),
            snippet=snippet,
        )
        description = one_line(item.get("Description"), 400)
        builder.add(
            builder.finding(
                kind=FindingKind.SECRET,
                rule_id=f"gitleaks/{rule}",
                title=description or f"Secret matched by Gitleaks rule {rule}",
                severity=Severity.HIGH,
                confidence=Confidence.MEDIUM,
                fingerprint=fingerprint,
                location=location,
                cwe=("CWE-798",),
                remediation=(
                    "Revoke or rotate the credential, then remove it from the code and its "
                    "history; load it from a secret store or the environment instead."
                ),
                properties=properties,
            )
        )


def _entropy(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):.2f}"
    return None
