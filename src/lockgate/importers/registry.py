"""The importers lockgate ships, by name, and :func:`load_report`, the one entry point.

``load_report(path)`` reads the file, tells the tool from the content (or uses ``tool``), and
returns an :class:`ImportedReport`. The list of importers is one reviewable tuple; tests and
embedders may pass their own :class:`ImporterRegistry`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from lockgate.errors import UsageError
from lockgate.importers.bandit import BanditImporter
from lockgate.importers.checkov import CheckovImporter
from lockgate.importers.cyclonedx_vex import CycloneDxImporter
from lockgate.importers.detect import detect
from lockgate.importers.document import read_document
from lockgate.importers.gitleaks import GitleaksImporter
from lockgate.importers.grype import GrypeImporter
from lockgate.importers.interface import (
    ImportContext,
    ImportedReport,
    ReportFormatError,
    ReportParser,
)
from lockgate.importers.osv_scanner import OsvScannerImporter
from lockgate.importers.sarif import SarifImporter
from lockgate.importers.semgrep import SemgrepImporter
from lockgate.importers.snyk import SnykImporter
from lockgate.importers.trivy import TrivyImporter
from lockgate.importers.trufflehog import TrufflehogImporter
from lockgate.importers.zap import ZapImporter
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY

#: Other names people use for a tool -> the importer's name.
ALIASES = {
    "osv": "osv-scanner",
    "osv_scanner": "osv-scanner",
    "osvscanner": "osv-scanner",
    "owasp-zap": "zap",
    "zaproxy": "zap",
    "cyclonedx-vex": "cyclonedx",
    "cdx": "cyclonedx",
    "vex": "cyclonedx",
    "snyk-code": "snyk",
    "snyk-oss": "snyk",
    "truffle-hog": "trufflehog",
}


class ImporterRegistry:
    """Importers by name, in detection order (most specific first)."""

    def __init__(self, parsers: Iterable[ReportParser]) -> None:
        self._parsers: dict[str, ReportParser] = {}
        for parser in parsers:
            if parser.name in self._parsers:
                raise ValueError(f"two importers are named {parser.name!r}")
            self._parsers[parser.name] = parser

    @classmethod
    def builtin(cls) -> ImporterRegistry:
        """The importers lockgate ships. Snyk precedes SARIF so that Snyk Code's SARIF is
        attributed to Snyk; Bandit precedes Semgrep (both have ``results``)."""
        return cls(
            (
                TrivyImporter(),
                GrypeImporter(),
                CycloneDxImporter(),
                SnykImporter(),
                SarifImporter(),
                BanditImporter(),
                SemgrepImporter(),
                CheckovImporter(),
                OsvScannerImporter(),
                ZapImporter(),
                GitleaksImporter(),
                TrufflehogImporter(),
            )
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The importer names, sorted (for ``--tool`` help and errors)."""
        return tuple(sorted(self._parsers))

    @property
    def parsers(self) -> tuple[ReportParser, ...]:
        return tuple(self._parsers.values())

    def get(self, name: str) -> ReportParser:
        """The importer called ``name`` (or one of its aliases); UsageError otherwise."""
        key = name.strip().lower()
        key = ALIASES.get(key, key)
        parser = self._parsers.get(key)
        if parser is None:
            close = difflib.get_close_matches(key, [*self._parsers, *ALIASES], n=1)
            hint = f"did you mean {ALIASES.get(close[0], close[0])!r}? " if close else ""
            raise UsageError(
                f"unknown tool {name!r}",
                hint=f"{hint}supported tools: {', '.join(self.names)}",
            )
        return parser


def load_report(
    path: Path,
    tool: str | None = None,
    *,
    base: Path | None = None,
    secret_hash_key: bytes = DEFAULT_SECRET_HASH_KEY,
    registry: ImporterRegistry | None = None,
) -> ImportedReport:
    """Import another tool's report as lockgate findings.

    ``tool`` names the importer (``gitleaks``, ``trivy``, …); without it the tool is told
    from the content. ``base`` is the root of the scanned tree: absolute paths under it
    become relative (pass the repository root, usually the working directory of the CI job).
    ``secret_hash_key`` is the key of secret value hashes (``LOCKGATE_SECRET_HASH_KEY``).

    Raises :class:`ReportFormatError` (an :class:`~lockgate.errors.InputError`, exit code 2)
    for a file that is not a readable report, :class:`~lockgate.errors.UsageError` for an
    unknown tool name.
    """
    registry = registry or ImporterRegistry.builtin()
    chosen = registry.get(tool) if tool else None
    document = read_document(path)
    if chosen is None:
        chosen = detect(document, registry.parsers)
    elif document.syntax != "empty" and not chosen.sniff(document):
        others = [p for p in registry.parsers if p is not chosen and p.sniff(document)]
        if others:
            raise ReportFormatError(
                f"this is not a {chosen.title} report: it looks like {others[0].title}",
                path=document.path,
                hint=f"pass --tool {others[0].name}, or leave --tool out",
            )
    context = ImportContext(path=document.path, base=base, secret_hash_key=secret_hash_key)
    return chosen.parse(document, context)
