"""The importer role: another tool's report in, lockgate findings out.

An importer (``<Tool>Importer``) recognises its tool's report from the parsed content
(:meth:`ReportParser.sniff`) and turns it into an :class:`ImportedReport`: findings with
lockgate fingerprints, the components they are about, and every entry it could not use as a
typed skip or error, never a silent drop. A file that is not a report of the expected shape
raises :class:`ReportFormatError` naming the file and, where known, the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from lockgate.errors import InputError
from lockgate.model import (
    Component,
    ControlError,
    ControlResult,
    ControlStatus,
    Finding,
    SkippedItem,
    Stage,
)
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY

IMPORTER_VERSION = "1.0.0"
"""Version of the importers' output: bumped whenever an imported finding would change."""

Syntax = Literal["json", "ndjson", "xml", "empty"]


class ReportFormatError(InputError):
    """A report lockgate cannot read: not JSON or XML, truncated, or not the shape its tool
    writes. Always carries the report's path, and the line when it is known."""


@dataclass(frozen=True, kw_only=True)
class Document:
    """A report file parsed once, before any importer looks at it.

    ``data`` is the JSON value (``json``), a list of ``(line, value)`` pairs (``ndjson``: one
    JSON value per line, as TruffleHog writes), the root element (``xml``, parsed with
    defusedxml), or ``None`` (``empty``: nothing but whitespace).
    """

    path: str
    syntax: Syntax
    data: Any


@dataclass(frozen=True, kw_only=True)
class ImportContext:
    """How to import: where the scanned tree was (to make absolute paths relative) and the
    key for secret value hashes (``LOCKGATE_SECRET_HASH_KEY``)."""

    path: str
    base: Path | None = None
    secret_hash_key: bytes = DEFAULT_SECRET_HASH_KEY


@dataclass(frozen=True, kw_only=True)
class ImportedReport:
    """What one report of another tool says, as lockgate findings.

    ``tool`` is the importer's name (``gitleaks``, ``sarif``, …); ``source_tool`` the program
    that wrote the report when the format is shared (SARIF's ``tool.driver.name``);
    ``target`` what that program scanned, when the report says. Findings are sorted and
    carry ``control_id`` = ``import-<tool>``.
    """

    tool: str
    tool_version: str | None
    findings: tuple[Finding, ...]
    components: tuple[Component, ...] = ()
    errors: tuple[ControlError, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
    source: str = ""
    source_tool: str | None = None
    target: str | None = None
    control_id: str = ""
    control_version: str = IMPORTER_VERSION

    def control_results(self) -> tuple[ControlResult, ...]:
        """One ``ok`` control result per stage the findings belong to (errors and skips go
        with the first), ready to be placed in a :class:`~lockgate.model.ScanReport`."""
        stages = sorted({f.stage for f in self.findings}, key=lambda s: s.order)
        if not stages:
            stages = [_default_stage(self.tool)]
        results = []
        data_versions: tuple[tuple[str, str], ...] = ()
        if self.tool_version:
            data_versions = ((f"{self.source_tool or self.tool}", self.tool_version),)
        for index, stage in enumerate(stages):
            first = index == 0
            results.append(
                ControlResult(
                    control_id=self.control_id or f"import-{self.tool}",
                    control_version=self.control_version,
                    stage=stage,
                    status=ControlStatus.OK,
                    findings=tuple(f for f in self.findings if f.stage is stage),
                    components=self.components if first else (),
                    skipped=self.skipped if first else (),
                    errors=self.errors if first else (),
                    data_versions=data_versions,
                )
            )
        return tuple(results)


_DEFAULT_STAGES = {
    "semgrep": Stage.CODE,
    "bandit": Stage.CODE,
    "gitleaks": Stage.CODE,
    "trufflehog": Stage.CODE,
    "sarif": Stage.CODE,
    "checkov": Stage.DEPLOY,
    "zap": Stage.TEST,
}


def _default_stage(tool: str) -> Stage:
    return _DEFAULT_STAGES.get(tool, Stage.BUILD)


class ReportParser(Protocol):
    """One importer: its registry name, a title for people, a sniffing test, a parser."""

    name: str
    title: str

    def sniff(self, document: Document) -> bool:
        """True when ``document`` looks like this tool's report (cheap, no side effects)."""
        ...

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        """The report as findings; :class:`ReportFormatError` when it has the wrong shape."""
        ...
