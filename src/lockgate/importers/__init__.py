"""Other tools' reports as lockgate findings (``lockgate import FILE [--tool NAME]``).

SARIF 2.1.0 from any tool, Semgrep, Bandit, Gitleaks, TruffleHog, Trivy, Grype, Checkov,
osv-scanner, OWASP ZAP (JSON and XML), Snyk and CycloneDX vulnerabilities/VEX: each becomes
findings with lockgate fingerprints, so they pass the same gate, baselines, exceptions and
outputs as lockgate's own. Raw secrets in the reports are never kept.

Import :func:`load_report` from :mod:`lockgate.importers.registry` (this package's
``__init__`` stays light so that ``lockgate --help`` never loads the importers).
"""

from __future__ import annotations

from lockgate.importers.interface import (
    IMPORTER_VERSION,
    ImportedReport,
    ReportFormatError,
)

__all__ = ["IMPORTER_VERSION", "ImportedReport", "ReportFormatError"]
