"""TruffleHog v3 JSON output (``trufflehog git|filesystem|github … --json``).

TruffleHog writes one JSON object per line (a JSON array of them is accepted too), each with
``DetectorName``, ``Verified``, ``Raw``, ``RawV2``, ``Redacted``, ``ExtraData`` and
``SourceMetadata.Data.<Source>`` holding ``file``, ``line`` and, for git sources, ``commit``.

Mapping: kind ``secret`` at stage ``code``, rule ``trufflehog/<DetectorName>``; severity
CRITICAL when TruffleHog verified the credential is live, HIGH otherwise; confidence HIGH
when verified, MEDIUM otherwise. ``Raw``, ``RawV2``, ``Redacted`` and ``ExtraData`` are never
kept: the snippet is at most the first four characters of ``Raw`` and ``…``, the fingerprint
lockgate's secret fingerprint over the detector's family, the keyed hash of ``Raw`` and the
path. Findings from sources without a file (a Slack message, an S3 object without key) are
skipped with the reason; e-mail addresses in git metadata are not imported.
"""

from __future__ import annotations

from typing import Any

from lockgate.importers.builder import (
    ReportBuilder,
    int_of,
    one_line,
    require_list,
    shape_error,
    string,
    text_of,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.secrets import redact_value, secret_family, secret_identity
from lockgate.model import Confidence, FindingKind, Location, Severity

_FILE_KEYS = ("file", "path", "filename")


def is_result(item: object) -> bool:
    return (
        isinstance(item, dict)
        and "SourceMetadata" in item
        and ("DetectorName" in item or "DetectorType" in item)
    )


def _entries(document: Document) -> list[tuple[str, object]]:
    if document.syntax == "empty":
        return []
    if document.syntax == "ndjson":
        return [(f"line {line}", value) for line, value in document.data]
    data = document.data
    if isinstance(data, dict):
        return [("line 1", data)]
    if isinstance(data, list):
        return [(f"[{i}]", v) for i, v in enumerate(require_list(document, data, "results"))]
    raise shape_error(document, "a TruffleHog report is JSON lines of result objects")


class TrufflehogImporter:
    """TruffleHog JSON lines."""

    name = "trufflehog"
    title = "TruffleHog JSON"

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax == "ndjson":
            return any(is_result(value) for _, value in data[:5])
        if document.syntax == "json":
            if isinstance(data, list):
                return bool(data) and is_result(data[0])
            return is_result(data)
        return False

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        builder = ReportBuilder(self.name, document, context)
        for where, item in _entries(document):
            with builder.guard(where):
                self._result(builder, item, where)
        return builder.build(tool_version=None)

    def _result(self, builder: ReportBuilder, item: object, where: str) -> None:
        if not isinstance(item, dict):
            builder.skip(where, "not a TruffleHog result object")
            return
        if not is_result(item):
            # TruffleHog's --json also logs progress lines when stderr is merged in.
            builder.skip(where, "not a TruffleHog result (no SourceMetadata and detector)")
            return
        detector = text_of(item.get("DetectorName")) or f"detector-{item.get('DetectorType')}"
        raw = string(item.get("Raw"))
        if not raw:
            raw = string(item.get("RawV2"))
        if not raw:
            builder.skip(where, "the result carries no secret value to identify it by")
            return
        source_kind, meta = _source(item.get("SourceMetadata"))
        file = next((meta.get(k) for k in _FILE_KEYS if isinstance(meta.get(k), str)), None)
        if not file:
            builder.skip(where, f"the {source_kind or 'unknown'} source names no file")
            return
        path = builder.path(file, where)
        if path is None:
            return
        verified = item.get("Verified") is True
        fingerprint, value_hash = secret_identity(
            rule_family=secret_family(detector),
            value=raw,
            path=path,
            key=builder.context.secret_hash_key,
        )
        commit = text_of(meta.get("commit"))
        line = int_of(meta.get("line"))
        description = one_line(item.get("DetectorDescription"), 400)
        state = "verified live" if verified else "unverified"
        properties: dict[str, object | None] = {
            "value_hash": value_hash,
            "verified": "true" if verified else "false",
            "detector_type": text_of(item.get("DetectorType")),
            "decoder": text_of(item.get("DecoderName")),
            "source": source_kind,
            "source_name": text_of(item.get("SourceName")),
            "verification_error": one_line(item.get("VerificationError"), 200) or None,
            "repository": text_of(meta.get("repository")),
        }
        builder.add(
            builder.finding(
                kind=FindingKind.SECRET,
                rule_id=f"trufflehog/{detector}",
                title=f"{detector} credential ({state})",
                severity=Severity.CRITICAL if verified else Severity.HIGH,
                confidence=Confidence.HIGH if verified else Confidence.MEDIUM,
                fingerprint=fingerprint,
                location=Location(
                    path=path, start_line=line, commit=commit, snippet=redact_value(raw)
                ),
                description=description,
                cwe=("CWE-798",),
                remediation=(
                    "Revoke or rotate the credential"
                    + (" now: TruffleHog confirmed it works" if verified else "")
                    + ", then remove it from the code and its history."
                ),
                properties=properties,
            )
        )


def _source(metadata: Any) -> tuple[str | None, dict[str, Any]]:
    """``(source kind, its metadata)`` from ``SourceMetadata.Data``."""
    data = metadata.get("Data") if isinstance(metadata, dict) else None
    if not isinstance(data, dict):
        return None, {}
    for kind, meta in data.items():
        if isinstance(meta, dict):
            return str(kind), meta
    return None, {}
